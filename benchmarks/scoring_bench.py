"""Benchmark the risk engine's scoring of one batch against merely reading it.

    python benchmarks/scoring_bench.py [--containers 1000000] [--history 200000] [--seed 7]

Generates (once, cached in a temp directory) a batch of containers and an earlier history
with the generator, then times:

  (a) baseline: polars reading the batch's CSV (pl.read_csv, defaults);
  (b) full scoring: read, features and all indicators, 20 rules, watchlist column, model
      probability, risk with explanations for the top 5 %, selection.

The watchlist step uses portcontrol.engine.watchlist (an invented 50,000-entry list) and the
model step portcontrol.engine.model (a small model trained on the history) when they are
importable; otherwise a placeholder column is used and the output says so. Their one-off
setup (building the list's index, training) is timed apart. Prints each stage, both totals,
the ratios and the peak RSS. No assertions: the numbers are for reading.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import CACHE, dataset, peak_rss_mb  # benchmarks/common.py

from portcontrol.engine import features as F
from portcontrol.engine.rules import Rule, apply_rules
from portcontrol.engine.scoring import REASONS, ScoringConfig, score
from portcontrol.engine.selection import Capacity, select
from portcontrol.generator.api import DEFAULT_START

ROLES = ("shipper", "consignee", "notify")
RULES = [Rule(f"B{i:02d}", e, w, d) for i, (e, w, d) in enumerate([
    ('reefer and origin_country in ["EC", "CO", "PE"]', 0.4, "reefer from a source country"),
    ('reefer and hs2 not in ["03", "07", "08", "16", "20"]', 0.3, "reefer, dry goods"),
    ("value_below_pct > 30", 0.3, "value far below normal"),
    ('value_below_pct > 20 and hs2 in ["64", "42", "91", "33", "95"]', 0.3,
     "cheap branded goods"),
    ('consignee_shipments == 0 and hs2 in ["28", "29", "38"]', 0.5, "new chemicals importer"),
    ("consignee_shipments == 0 and shipper_shipments == 0", 0.3, "both parties new"),
    ("abs(vgm_diff_pct) > 5", 0.4, "VGM differs by more than 5 %"),
    ('contains(goods_description, "BANANA") and route_listed_hub_count > 0', 0.3,
     "bananas via a listed hub"),
    ('startswith(route_listed_hubs, "PA") or startswith(route_listed_hubs, "JM")', 0.2,
     "Caribbean hub"),
    ('hs4 in ["2402", "2403"] and freight_terms == "COLLECT"', 0.3, "tobacco, collect"),
    ('origin_country in ["NG", "MZ", "KE", "TZ", "CD"] and hs2 in ["05", "44", "14"]', 0.4,
     "wildlife source, plausible cover"),
    (('hs4 in ["8479", "8486", "9027", "8456"] and final_destination not in ["GEPTI", '
      '"PKKHI", "AZBAK"]'), 0.3, "dual-use goods moving inland"),
    ("not is_null(route_unusual_hub) and route_hub_count == 0", 0.3, "never-seen hub"),
    ("origin_hs_count < 3 and origin_total > 200", 0.3, "rare goods for origin"),
    ("load_ratio < 0.3 or load_ratio > 3", 0.2, "odd load"),
    ('freight_terms == "COLLECT" and consignee_days_known < 60', 0.2, "collect, young party"),
    ("gross_mass_kg > max_gross_kg", 0.5, "overweight"),
    ('len(consignee_name) < 8 or contains(lower(consignee_name), "trading")', 0.1,
     "short or generic name"),
    ("hub_count >= 2 and ind_route > 0", 0.2, "two hubs, listed route"),
    ('port_of_call == "AZBAK" and origin_country == "CN" and value_per_kg < 1', 0.2,
     "cheap Chinese goods to Baku"),
])]


class Clock:
    def __init__(self) -> None:
        self.stages: list[tuple[str, float, float]] = []

    def run(self, label: str, fn: Callable[[], Any]) -> Any:
        # cpu counts worker processes too (watchlist screening normalises names in one),
        # once they have ended
        wall, cpu = time.perf_counter(), time.process_time() + _children_cpu()
        result = fn()
        wall = time.perf_counter() - wall
        cpu = time.process_time() + _children_cpu() - cpu
        self.stages.append((label, wall, cpu))
        print(f"  {label:<40} {wall:8.2f} s wall {cpu:8.2f} s cpu", flush=True)
        return result

    def total(self, labels: set[str] | None = None) -> tuple[float, float]:
        rows = [s for s in self.stages if labels is None or s[0] in labels]
        return sum(s[1] for s in rows), sum(s[2] for s in rows)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- watchlist --------------------------------------------------------------------------

def watchlist_setup(batch: pl.DataFrame, entries: int, seed: int) -> Any | None:
    try:
        from portcontrol.engine.watchlist.index import WatchlistIndex
        from portcontrol.engine.watchlist.model import Kind, WatchlistEntry
        from portcontrol.engine.watchlist.screen import Screener
        from portcontrol.engine.watchlist.synthetic import synthetic_watchlist
    except Exception as exc:  # noqa: BLE001 - any failure means "not available yet"
        print(f"  watchlist: not available ({type(exc).__name__}: {exc}); placeholder column")
        return None
    listed = synthetic_watchlist(entries - 200, seed)
    # 200 consignees of the batch are listed too, so that hits and explanations occur.
    rng = random.Random(seed)
    # Sorted on both columns: a name listed under two countries must not come out in a
    # different order from run to run (that changed which 200 names were listed).
    names = batch.select("consignee_name", "consignee_country").unique().sort(
        "consignee_name", "consignee_country").rows()
    for i, (name, country) in enumerate(rng.sample(names, min(200, len(names)))):
        listed.append(WatchlistEntry(f"B{i}", Kind.COMPANY, (name,), (country,)))
    return Screener(WatchlistIndex(listed))


def watchlist_column(frame: pl.DataFrame, screener: Any | None) -> pl.DataFrame:
    if screener is None:
        return frame.with_columns(pl.lit(0.0).alias("watchlist_score"),
                                  pl.lit(None, pl.String).alias("watchlist_explanation"))
    from portcontrol.engine.watchlist.model import Party
    # every distinct (name, country) of the three roles is screened once
    pairs = pl.concat([frame.select(pl.col(f"{r}_name").alias("name"),
                                    pl.col(f"{r}_country").alias("country"))
                       for r in ROLES]).unique().drop_nulls("name").sort("name", "country")
    parties = [Party(str(i), n, c) for i, (n, c) in enumerate(pairs.rows())]
    best: dict[int, tuple[float, str, str]] = {}
    for m in screener.screen(parties):
        q = int(m.name_id)
        if q not in best or m.score > best[q][0]:
            best[q] = (m.score, m.explanation_en, m.explanation_ru)
    hits = pairs.with_row_index("q").join(pl.DataFrame(
        [(q, *v) for q, v in best.items()], orient="row",
        schema={"q": pl.UInt32, "s": pl.Float64, "en": pl.String, "ru": pl.String}),
        on="q", how="inner").drop("q")
    # Few parties are listed: only the lines that name one of them are joined to the hits.
    names = hits["name"].unique().implode()
    parts = []
    for role in ROLES:
        part = frame.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
                            pl.col(f"{role}_name").alias("name"),
                            pl.col(f"{role}_country").alias("country")).filter(
            pl.col("name").is_in(names)).join(hits, on=["name", "country"], how="inner")
        parts.append(part.select("_row", "s",
                                 pl.concat_str(pl.lit(f"{role} "), pl.col("en")).alias("en"),
                                 pl.concat_str(pl.lit(f"{role} "), pl.col("ru")).alias("ru"),
                                 pl.lit(ROLES.index(role), pl.UInt8).alias("_role")))
    # each line's best role: the highest score, the first role on a tie
    top = pl.concat(parts).sort("_row", "s", "_role", descending=[False, True, False]).unique(
        "_row", keep="first")
    rows = top["_row"]
    # (pl.repeat: a Python list of a million items cost 10-20 ms a column)
    score = pl.zeros(frame.height, pl.Float64, eager=True).scatter(rows, top["s"])
    en = pl.repeat(None, frame.height, dtype=pl.String, eager=True).scatter(rows, top["en"])
    ru = pl.repeat(None, frame.height, dtype=pl.String, eager=True).scatter(rows, top["ru"])
    return frame.with_columns(score.alias("watchlist_score"),
                              en.alias("watchlist_explanation_en"),
                              ru.alias("watchlist_explanation_ru"))


# --- model ------------------------------------------------------------------------------

MODEL_COLUMNS = ["origin_country", "hs_code", "port_of_loading", "transshipment_ports",
                 "consignee_name", "shipper_name", "freight_terms", "size_type", "value",
                 "goods_net_kg", "gross_mass_kg", "vgm_kg", "carrier"]


def model_setup(history_dir: Path, seed: int) -> Any | None:
    try:
        from portcontrol.engine import model as M
    except Exception as exc:  # noqa: BLE001
        print(f"  model: not available ({type(exc).__name__}: {exc}); skipped")
        return None
    past = pl.read_csv(history_dir / "containers.csv", infer_schema=False)
    truth = pl.read_csv(history_dir / "ground_truth.csv", infer_schema=False)
    past = past.with_columns(pl.col("container_number").is_in(truth["container_number"]
                                                               .implode()).cast(pl.Int8)
                             .cast(pl.String).alias("illicit"))
    # A small model: every positive and a sample of the rest.
    sample = pl.concat([past.filter(pl.col("illicit") == "1"),
                        past.filter(pl.col("illicit") == "0").sample(40_000, seed=seed)])
    table = sample.select(*MODEL_COLUMNS, "eta", "illicit")
    # Depth 3 (the library default) at learning rate 0.2: 74 trees. On the history's own
    # validation split it ranks as the former 150 depth-6 trees did (precision 0.88 / 0.81 /
    # 0.56 at 1 / 2 / 5 % against 0.88 / 0.81 / 0.58), and scoring costs time per tree.
    options = M.TrainOptions(max_rounds=150, early_stopping=30, threads=2, seed=seed,
                             learning_rate=0.2)
    return M.train(table, label="illicit", date="eta", options=options)


def model_column(frame: pl.DataFrame, model: Any | None) -> pl.DataFrame:
    if model is None:
        return frame
    from portcontrol.engine import model as M
    return frame.with_columns(pl.Series("model_probability", M.score(model, _model_input(frame))))


def _model_input(frame: pl.DataFrame) -> pl.DataFrame:
    """The model's columns. It was trained on text (see engine.model.table); numbers and the
    date may come typed (engine.model.features and table.parse_time read them as their text
    would read), so only the other columns are cast."""
    schema = frame.schema
    return frame.select([pl.col(c) if schema[c].is_numeric() or schema[c].is_temporal()
                         else pl.col(c).cast(pl.String) for c in [*MODEL_COLUMNS, "eta"]])


def model_factors(frame: pl.DataFrame, model: Any | None, share: float) -> pl.DataFrame:
    """SHAP factors only for the rows that will be explained (top share by risk)."""
    if model is None:
        return frame
    from portcontrol.engine import model as M
    preliminary = score(frame, RULES, ScoringConfig(explain_share=0.0, explain_min=0))
    k = max(1, int(share * frame.height))
    # the k highest risks without sorting the batch, as engine.scoring.score picks them
    rows = preliminary.select(pl.int_range(pl.len(), dtype=pl.UInt32).top_k_by("risk", k)
                              ).to_series()
    # the model's columns first, then the rows: gathering rows of the whole wide frame costs
    # more than the explanation itself
    factors = M.explain_texts(model, _model_input(frame.select(*MODEL_COLUMNS, "eta")[rows]),
                              top=3)
    column = pl.select(pl.repeat(None, frame.height, dtype=pl.String)).to_series()
    return frame.with_columns(column.scatter(rows, factors).alias("model_factors"))


# --- main -------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=1_000_000)
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--watchlist-entries", type=int, default=50_000)
    parser.add_argument("--explain-share", type=float, default=0.05)
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()

    # Same seed: the history names the same parties. It ends two weeks before the batch
    # because the generator reuses container serials across runs; an overlapping window
    # would flag them all as clones.
    batch_dir = dataset("batch", args.containers, args.seed, DEFAULT_START, 7, args.cache)
    history_dir = dataset("history", args.history, args.seed,
                          DEFAULT_START - timedelta(days=42), 28, args.cache)
    path = batch_dir / "containers.csv"
    history, screener, model = setup(args, path, history_dir)

    print(f"(a) baseline: read {args.containers:,} containers (three times; the median "
          "counts, as the machine may be shared)")
    trials = Clock()
    for _ in range(3):
        trials.run("pl.read_csv", lambda: pl.read_csv(path))
    base = Clock()
    base.stages.append(sorted(trials.stages, key=lambda s: s[1])[1])

    print("(b) full scoring")
    run = Clock()
    frame = full_scoring(run, path, history, screener, model, args)
    report(args, base, run, frame, screener is not None, model is not None, batch_dir)


def setup(args: argparse.Namespace, path: Path, history_dir: Path) -> tuple[Any, Any, Any]:
    print("setup (once per installation or per night, not part of the ratio):")
    clock = Clock()
    labels = pl.read_csv(history_dir / "ground_truth.csv", infer_schema=False).select(
        "container_number", "voyage_id", pl.lit(True).alias("seizure"))
    history = clock.run("history summary", lambda: F.History.from_frame(
        F.read_csv(history_dir / "containers.csv"), labels=labels))
    peek = pl.read_csv(path, n_rows=200_000, columns=["consignee_name", "consignee_country"])
    screener = clock.run(f"watchlist index ({args.watchlist_entries:,} entries)",
                         lambda: watchlist_setup(peek, args.watchlist_entries, args.seed))
    model = clock.run("model training", lambda: model_setup(history_dir, args.seed))
    return history, screener, model


def full_scoring(run: Clock, path: Path, history: F.History, screener: Any, model: Any,
                 args: argparse.Namespace) -> pl.DataFrame:
    frame = run.run("read (typed)", lambda: F.read_csv(path))
    frame = run.run("features + indicators", lambda: F.build(frame, history))
    frame = run.run(f"{len(RULES)} rules", lambda: apply_rules(frame, RULES, on=DEFAULT_START))
    frame = run.run("watchlist screening" + ("" if screener else " (placeholder)"),
                    lambda: watchlist_column(frame, screener))
    if model is not None:
        frame = run.run("model probability", lambda: model_column(frame, model))
        frame = run.run("model factors (top share)",
                        lambda: model_factors(frame, model, args.explain_share))
    config = ScoringConfig(explain_share=args.explain_share)
    frame = run.run("risk + explanations", lambda: score(frame, RULES, config))
    capacity = {u: Capacity(red=20, yellow=60) for u in frame["unit"].unique().to_list()}
    return run.run("selection", lambda: select(frame, capacity, exploration_share=0.05,
                                               seed=args.seed))


def report(args: argparse.Namespace, base: Clock, run: Clock, frame: pl.DataFrame,
           screened: bool, modelled: bool, batch_dir: Path) -> None:
    (bw, bc), (fw, fc) = base.total(), run.total()
    core = {"read (typed)", "features + indicators", f"{len(RULES)} rules",
            "risk + explanations", "selection"}
    cw, cc = run.total(core)
    explained = frame[REASONS].is_not_null().sum()
    print(f"\nbaseline read       {bw:8.2f} s wall {bc:8.2f} s cpu")
    print(f"full scoring        {fw:8.2f} s wall {fc:8.2f} s cpu   "
          f"ratio {fw / bw:5.2f}x wall {fc / bc:5.2f}x cpu (target <= 3x)")
    print(f"  engine core only  {cw:8.2f} s wall {cc:8.2f} s cpu   "
          f"ratio {cw / bw:5.2f}x wall {cc / bc:5.2f}x cpu "
          "(read, features, rules, risk, selection)")
    print(f"peak RSS            {peak_rss_mb():8.0f} MB (target < 4096 MB)")
    print(f"rows {frame.height:,}; explained {explained:,}; "
          f"red {int((frame['channel'] == 'red').sum()):,}, "
          f"yellow {int((frame['channel'] == 'yellow').sum()):,}; "
          f"watchlist hits {int((frame['watchlist_score'] > 0).sum()):,}"
          + ("" if screened else " (placeholder: watchlist screening not available)")
          + ("" if modelled else "; model skipped (not available)"))
    truth = pl.read_csv(batch_dir / "ground_truth.csv", columns=["container_number"])
    found = frame.filter(pl.col("channel") == "red")["container_number"].is_in(
        truth["container_number"].implode()).sum()
    top1 = frame.sort("risk", descending=True).head(frame.height // 100)
    caught = top1["container_number"].is_in(truth["container_number"].implode()).sum()
    print(f"planted illicit {truth.height:,}: {found} in red, {caught} in the top 1 % by risk "
          f"({100 * caught / max(truth.height, 1):.1f} %)")


if __name__ == "__main__":
    main()
