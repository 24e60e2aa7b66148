"""Benchmark manifest intake: CSV parse+validate lines/s and CUSCAR consignments/s.

    python benchmarks/intake_parse_bench.py [--lines 1000000] [--cuscar 100000] [--keep DIR]

Makes a CSV in the generator's format (with portcontrol.generator.generate when it can be
imported, else a synthetic one), then times, each in a fresh child process so that peak RSS
belongs to that phase alone:

  baseline  polars merely reading the same CSV (pl.read_csv, every column)
  csv       portcontrol.intake.read(..., format="csv"): parse, validate, build records
  frames    portcontrol.intake.read_csv_frames: the same parse and checks, but clean lines
            stay in polars frames (no Python dict per record), to show where time goes
  cuscar    the first --cuscar bills of lading written as one CUSCAR interchange
            (intake/edifact_writer.py) and read back with read(..., format="cuscar")

and prints lines/s (consignments/s), peak RSS, and the CSV's ratio to the baseline.
No assertions: the numbers are for reading. The machine's load average is printed too,
because on a shared machine it moves every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from common import peak_rss_mb  # benchmarks/common.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_csv(out: Path, lines: int) -> tuple[Path, Path | None, str]:
    try:
        from portcontrol.generator import generate
    except ImportError:
        return synthetic_csv(out, lines), None, "synthetic"
    generate(out, containers=lines, seed=7)
    return out / "containers.csv", out / "manifests.ndjson", "portcontrol.generator"


def synthetic_csv(out: Path, lines: int) -> Path:
    """The generator's columns, one realistic line repeated with distinct container and B/L
    numbers (about 1.8 lines per B/L, as the generator makes them)."""
    import numpy as np
    import polars as pl

    from portcontrol.intake.fastchecks import _VALUES
    from portcontrol.intake.mapping import FIELDS

    sample = dict(zip(FIELDS, (
        "MSCU-9321483-001E", "9321483", "MSC ANNA", "PA", "MSCU", "AZBAK",
        "2026-11-24T06:00:00Z", "", "ECGYE", "ECGYE", "ESALG", "AZBAK", "AZBAK",
        "Frutas del Pacifico S.A.", "Av. 9 de Octubre 100, Guayaquil", "EC",
        "Caspian Fresh LLC", "Neftchilar ave 5, Baku", "AZ", "", "", "", "PREPAID", "",
        "45R1", "EC1234567", "26500", "26550", "F", "1", "080390", "FRESH BANANAS", "1080",
        "CT", "22000", "19800", "15400.00", "USD", "EC"), strict=True))
    serial = [f"{i:06d}" for i in range(lines)]
    numbers = []
    for s in serial:
        head = "MSCU" + s
        total = sum(_VALUES[ch] << i for i, ch in enumerate(head))
        numbers.append(head + str(total % 11 % 10))
    bl = (np.arange(lines) * 10 // 18).astype(str)
    frame = pl.DataFrame({f: [v] * lines for f, v in sample.items()}).with_columns(
        container_number=pl.Series(numbers), bl_number=pl.lit("MSCU") + pl.Series(bl))
    out.mkdir(parents=True, exist_ok=True)
    frame.write_csv(out / "containers.csv")
    return out / "containers.csv"


def phase_baseline(path: Path) -> dict[str, float]:
    import polars as pl

    began = time.perf_counter()
    rows = pl.read_csv(path).height
    return {"rows": rows, "seconds": time.perf_counter() - began}


def phase_csv(path: Path) -> dict[str, float]:
    from portcontrol.intake import read
    from portcontrol.intake.validate import Reference

    Reference.load()  # loading the reference lists is start-up, not parsing
    began = time.perf_counter()
    intake = read(path, format="csv")
    for _ in intake:
        pass
    s = intake.summary
    return {"records": s.seen, "accepted": s.accepted, "rejected": s.rejected,
            "warnings": s.warnings, "seconds": time.perf_counter() - began}


def phase_frames(path: Path) -> dict[str, float]:
    from portcontrol.intake import read_csv_frames
    from portcontrol.intake.validate import Reference

    Reference.load()
    began = time.perf_counter()
    clean = flagged = 0
    for frame, outcomes in read_csv_frames(path):
        clean += frame.get_column("_g").n_unique()
        flagged += len(outcomes)
    return {"records": clean + flagged, "flagged": flagged,
            "seconds": time.perf_counter() - began}


def python_speed() -> float:
    """Seconds for a million 8-key dict literals: a yardstick for this machine's Python
    (about 0.08 s on a current desktop), since building record dicts dominates intake."""
    began = time.perf_counter()
    for i in range(1_000_000):
        _ = {"a": i, "b": i, "c": i, "d": i, "e": i, "f": i, "g": i, "h": i}
    return time.perf_counter() - began


def phase_cuscar(path: Path) -> dict[str, float]:
    from portcontrol.intake import read
    from portcontrol.intake.validate import Reference

    Reference.load()
    began = time.perf_counter()
    intake = read(path, format="cuscar")
    for _ in intake:
        pass
    return {"records": intake.summary.seen, "accepted": intake.summary.accepted,
            "seconds": time.perf_counter() - began}


def write_big_cuscar(csv_path: Path, ndjson: Path | None, count: int, out: Path) -> int:
    from itertools import islice

    from portcontrol.intake import read
    from portcontrol.intake.edifact_writer import write_cuscar
    from portcontrol.intake.validate import validate_record

    if ndjson is not None:
        with open(ndjson, encoding="utf-8") as fh:
            records = (validate_record(json.loads(line))[0] for line in islice(fh, count))
            return write_cuscar((r for r in records if r), out, directory="00B")
    found = (o.record for o in read(csv_path, format="csv") if o.record)
    return write_cuscar(islice(found, count), out, directory="00B")


def child(phase: str, path: Path) -> dict[str, float]:
    """Run one phase in a fresh interpreter and return its figures (peak RSS included)."""
    done = subprocess.run([sys.executable, __file__, "--phase", phase, "--file", str(path)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--cuscar", type=int, default=100_000,
                        help="Bills of lading in the CUSCAR interchange.")
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--phase", choices=["baseline", "csv", "frames", "cuscar"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        figures = {"baseline": phase_baseline, "csv": phase_csv, "frames": phase_frames,
                   "cuscar": phase_cuscar}[args.phase](args.file)
        print(json.dumps({**figures, "peak_rss_mb": peak_rss_mb()}))
        return
    with tempfile.TemporaryDirectory(prefix="pc-intake-bench-") as tmp:
        out = args.keep or Path(tmp)
        began = time.perf_counter()
        csv_path, ndjson, origin = make_csv(out / "data", args.lines)
        with open(csv_path, "rb") as fh:
            lines = sum(1 for _ in fh) - 1
        print(f"CSV: {lines:,} lines, {csv_path.stat().st_size / 1e6:,.0f} MB, from {origin} "
              f"in {time.perf_counter() - began:.1f} s")
        print(f"cpus: {os.cpu_count()}, load average before: "
              f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}; a million 8-key dicts "
              f"take {python_speed():.2f} s here (about 0.08 s on a current desktop)")
        base = child("baseline", csv_path)
        got = child("csv", csv_path)
        print(f"baseline  polars read_csv: {base['seconds']:.2f} s, "
              f"{lines / base['seconds']:,.0f} lines/s, peak RSS {base['peak_rss_mb']:,.0f} MB")
        print(f"intake    CSV parse+validate: {got['seconds']:.2f} s, "
              f"{lines / got['seconds']:,.0f} lines/s, peak RSS {got['peak_rss_mb']:,.0f} MB; "
              f"{got['records']:,} B/Ls ({got['accepted']:,} accepted, "
              f"{got['rejected']:,} rejected, {got['warnings']:,} warnings)")
        print(f"ratio     intake / baseline time: {got['seconds'] / base['seconds']:.2f}")
        frames = child("frames", csv_path)
        print(f"frames    parse+validate, clean lines left in polars frames: "
              f"{frames['seconds']:.2f} s, {lines / frames['seconds']:,.0f} lines/s, "
              f"peak RSS {frames['peak_rss_mb']:,.0f} MB; ratio to baseline "
              f"{frames['seconds'] / base['seconds']:.2f}")
        edi = out / "cuscar.edi"
        written = write_big_cuscar(csv_path, ndjson, args.cuscar, edi)
        cus = child("cuscar", edi)
        print(f"CUSCAR    {written:,} B/Ls, {edi.stat().st_size / 1e6:,.0f} MB: "
              f"{cus['seconds']:.2f} s, {cus['records'] / cus['seconds']:,.0f} consignments/s, "
              f"peak RSS {cus['peak_rss_mb']:,.0f} MB ({cus['accepted']:,} accepted)")
        print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
