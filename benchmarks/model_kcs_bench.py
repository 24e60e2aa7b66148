"""Benchmark the learned model on the KCS customs-declaration data (synthetic, HS10 version).

    python benchmarks/model_kcs_bench.py [--data-dir DIR]

Runs the same pipeline functions as `portcontrol model train` and `... evaluate` (read_table,
train, save, load, score, at_percents), with the library defaults:
  1. train on df_syn_train (2020), evaluate on df_syn_valid (2021 Q1): the split on which the
     defaults were chosen;
  2. retrain with the same settings on train + valid, evaluate on df_syn_test (2021 Q2): the
     final figure, computed once.
Label `Fraud`, id `Declaration ID`, date `Date`, `Critical Fraud` excluded (it is the label's
own severity). Prints precision and recall at 1, 2, 5 and 10 % inspected, rows, training
seconds, and the published figures beside them. No assertions: the numbers are for reading.
Without the data directory it says so and exits 0.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import polars as pl

from portcontrol.engine.model import (
    PERCENTS,
    at_percents,
    load,
    parse_label,
    read_table,
    save,
    score,
    train,
)
from portcontrol.engine.model.metrics import Figures

DEFAULT_DIR = (Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
               / "customs-declaration-kcs" / "hs10_version")
LABEL = "Fraud"
FILES = {"train": "df_syn_train_eng.csv", "valid": "df_syn_valid_eng.csv",
         "test": "df_syn_test_eng.csv"}
# Published precision on the synthetic test split (Jeong et al. 2022, Table 3; see the
# dataset README), and the reference the project set itself.
BASELINES = [("published LightGBM (paper, Table 3)", {"5": 0.762, "10": 0.641}),
             ("published XGBoost (paper, Table 3)", {"5": 0.675, "10": 0.579}),
             ("tuned GBM, simple derived features (reference)", {"5": 0.93, "10": 0.86})]


@dataclass
class Run:
    figures: Figures
    seconds: float  # training alone
    trees: int
    features: int


def run(history: pl.DataFrame, scored: pl.DataFrame, workdir: Path) -> Run:
    """Train, save, load back and evaluate: exactly the CLI's path through the library."""
    began = time.perf_counter()
    model = train(history, label=LABEL, id="Declaration ID", date="Date",
                  exclude=("Critical Fraud",))
    seconds = time.perf_counter() - began
    loaded = load(save(model, workdir))
    # Scoring never sees the label: it is dropped here, and read only to measure.
    figures = at_percents(parse_label(scored, LABEL), score(loaded, scored.drop(LABEL)))
    return Run(figures, seconds, model.training["trees"], len(model.state.features))


def report(name: str, trained_on: int, run: Run) -> None:
    result = run.figures
    rate = result["positives"] / result["rows"]
    print(f"\n{name}: trained on {trained_on:,} rows in {run.seconds:.1f} s "
          f"({run.trees} trees, {run.features} features); evaluated on "
          f"{result['rows']:,} rows, {result['positives']:,} frauds (random choice: {rate:.3f})")
    print(f"  {'inspected':>9}  {'precision':>9}  {'recall':>6}")
    for p in PERCENTS:
        key = str(p)
        print(f"  {key + ' %':>9}  {result['precision_at'][key]:>9.3f}  "
              f"{result['recall_at'][key]:>6.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    paths = {split: args.data_dir / name for split, name in FILES.items()}
    if not all(p.is_file() for p in paths.values()):
        print(f"KCS data not found in {args.data_dir} (need {', '.join(FILES.values())}); "
              "nothing to measure.")
        return 0
    data = {split: read_table(path) for split, path in paths.items()}
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pc-model-bench-") as tmp:
        valid = run(data["train"], data["valid"], Path(tmp) / "on-train")
        both = pl.concat([data["train"], data["valid"]])
        test = run(both, data["test"], Path(tmp) / "on-train-valid")
    report("valid (model trained on train)", data["train"].height, valid)
    report("test (model retrained on train + valid, same settings)", both.height, test)
    print("\nprecision on test for comparison:")
    print(f"  {'':<48} {'@5 %':>6} {'@10 %':>6}")
    mine = test.figures["precision_at"]
    print(f"  {'this model':<48} {mine['5']:>6.3f} {mine['10']:>6.3f}")
    for name, figures in BASELINES:
        print(f"  {name:<48} {figures['5']:>6.3f} {figures['10']:>6.3f}")
    print(f"\nbenchmark done in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
