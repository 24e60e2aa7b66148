"""generate(): the whole run, chunk by chunk, with argument checks and a summary."""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from portcontrol.core.errors import InvalidValue

from .boxes import OwnerCounters, draw_boxes
from .commodities import FX_PER_USD
from .consign import draw_consignments, draw_parties
from .frames import consignment_frame, container_frame, csv_frame, json_frame
from .illicit import KIND_NAMES
from .parties import PartyBook
from .plan import ILLICIT_RATE, make_plan
from portcontrol.reference.vendored import ports
from .tables import Tables
from .writer import FILES, Writer

VERSION = 2  # bump when the same seed would give different output (2: hub arrival/departure)
DEFAULT_START = date(2026, 11, 23)
DEFAULT_DESTINATIONS = {"GEPTI": 0.45, "PKKHI": 0.45, "AZBAK": 0.10}
MAX_CONTAINERS = 20_000_000  # owner serial spaces (10**6 per owner code) stay unique below this
MAX_DAYS = 366

Progress = Callable[[int, int], None]


class GeneratorError(InvalidValue, ValueError):
    """A generator argument that cannot be used; the message says which and why."""


def parse_destinations(text: str) -> dict[str, float]:
    """'GEPTI=0.45,PKKHI=0.45,AZBAK=0.1' -> {'GEPTI': 0.45, ...} (checked by generate)."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        code, sep, weight = part.partition("=")
        if not sep:
            raise GeneratorError(f"Destination {part!r} must look like GEPTI=0.45.",
                                 field="destinations")
        try:
            out[code.strip().upper()] = float(weight)
        except ValueError:
            raise GeneratorError(f"Weight {weight!r} of destination {code.strip()!r} is not a "
                                 "number.", field="destinations") from None
    return out


def _check(out_dir: Path, containers: int, seed: int, days: int,
           destinations: dict[str, float]) -> None:
    if isinstance(containers, bool) or not isinstance(containers, int) or containers <= 0:
        raise GeneratorError(f"Number of containers must be a positive integer, not "
                             f"{containers!r}.", field="containers")
    if containers > MAX_CONTAINERS:
        raise GeneratorError(f"At most {MAX_CONTAINERS:,} containers per run; asked for "
                             f"{containers:,}.", field="containers")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise GeneratorError(f"Seed must be a non-negative integer, not {seed!r}.", field="seed")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise GeneratorError(f"Days must be between 1 and {MAX_DAYS}, not {days!r}.",
                             field="days")
    if not destinations:
        raise GeneratorError("At least one destination port is needed.", field="destinations")
    known = ports()
    for code, weight in destinations.items():
        if code not in known:
            raise GeneratorError(f"Destination {code!r} is not a UN/LOCODE in the reference list "
                                 "(portcontrol/reference/data/ports.csv.gz).",
                                 field="destinations")
        if not weight > 0:
            raise GeneratorError(f"Share of destination {code} must be positive, not {weight}.",
                                 field="destinations")
    _check_dir(out_dir)


def _check_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GeneratorError(f"Cannot create output directory {out_dir}: {exc.strerror}.",
                             field="out_dir") from None
    if not out_dir.is_dir() or not os.access(out_dir, os.W_OK):
        raise GeneratorError(f"Output directory {out_dir} is not writable.", field="out_dir")
    try:
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        raise GeneratorError(f"Output directory {out_dir} is not writable: {exc.strerror}.",
                             field="out_dir") from None


def generate(out_dir: Path, containers: int, seed: int, start: date | None = None,
             days: int = 7, destinations: dict[str, float] | None = None,
             progress: Progress | None = None) -> dict:
    """Write containers.csv, manifests.ndjson, ground_truth.csv and summary.json to out_dir.

    The same arguments give byte-identical files. Returns the summary (plus "seconds" and
    "out_dir", which are not written, so that the files stay reproducible).
    """
    out_dir = Path(out_dir)
    chosen = DEFAULT_DESTINATIONS if destinations is None else destinations
    destinations = {str(k).upper(): float(v) for k, v in chosen.items()}
    _check(out_dir, containers, seed, days, destinations)
    start = start or DEFAULT_START
    began = time.perf_counter()
    plan = make_plan(seed, containers, start, days, destinations)
    tables = Tables(destinations)
    tables.bind(plan.voyages)
    book = PartyBook(seed, plan.pool_sizes)
    counters = OwnerCounters(seed, tables.owner.values)
    fx = np.array([FX_PER_USD[c] for c in tables.currency.values])
    counts: Counter[str] = Counter()
    done = bl_total = 0
    with Writer(out_dir) as writer:
        for k, chunk in enumerate(plan.chunks):
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 1, k])))
            side = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 2, k])))
            first = plan.voyages[chunk.start].start
            last = first + sum(plan.voyages[v].containers for v in chunk)
            inside = (plan.planted_positions >= first) & (plan.planted_positions < last)
            planted = [(int(plan.planted_positions[i]) - first, plan.planted_kinds[i])
                       for i in np.flatnonzero(inside)]
            cons = draw_consignments(rng, plan, tables, chunk, planted, side)
            draw_parties(rng, tables, book, cons)
            boxes = draw_boxes(rng, tables, cons, counters, fx)
            cons_df = consignment_frame(plan, tables, book, cons, bl_total, chunk)
            box_df = container_frame(tables, boxes)
            csv_df = csv_frame(cons_df, box_df)
            writer.write_chunk(csv_df, json_frame(cons_df, box_df))
            for row, case in sorted(cons.cases.items()):
                line = csv_df.row(int(cons.start[row]), named=True)
                writer.ground_truth.append((line["container_number"], line["bl_number"],
                                            line["voyage_id"], case.kind, line["hs_code"],
                                            case.actual, case.concealment))
                counts[case.kind] += 1
            counts["empty"] += int((~boxes.full).sum())
            counts["reefer"] += int(tables.size_reefer[boxes.size_type].sum())
            bl_total += len(cons.voyage)
            done = last
            if progress:
                progress(done, containers)
        writer.write_ground_truth()
        summary = _summary(plan, bl_total, counts, start, days, destinations)
        writer.write_summary(summary)
    counts_out = summary["counts"]
    return {**summary, "containers": counts_out["containers"],
            "consignments": counts_out["consignments"], "voyages": counts_out["voyages"],
            "illicit": counts_out["illicit"], "seconds": round(time.perf_counter() - began, 2),
            "out_dir": str(out_dir)}


def _summary(plan, consignments: int, counts: Counter, start: date, days: int,
             destinations: dict[str, float]) -> dict:
    illicit = {kind: counts.get(kind, 0) for kind in KIND_NAMES}
    return {
        "generator": "portcontrol.generator",
        "version": VERSION,
        "parameters": {"containers": plan.containers, "seed": plan.seed,
                       "start": start.isoformat(), "days": days, "destinations": destinations,
                       "illicit_rate": ILLICIT_RATE},
        "seed": plan.seed,
        "counts": {"voyages": len(plan.voyages), "consignments": consignments,
                   "containers": plan.containers, "empty_containers": counts.get("empty", 0),
                   "reefer_containers": counts.get("reefer", 0),
                   "illicit": sum(illicit.values()), "illicit_by_kind": illicit},
        "files": list(FILES),
    }
