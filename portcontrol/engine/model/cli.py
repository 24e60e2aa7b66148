"""`portcontrol model train|score|evaluate`: the command line over the model pipeline.

The Django management command only calls `main`, so everything here runs (and is tested)
without a database. Bad input of any kind ends with one line on stderr and a non-zero exit
status: 2 for a malformed command line, 1 for unusable data or a refused model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import lightgbm as lgb
import polars as pl

from . import artifact, metrics, scoring, training
from .errors import ModelError
from .table import parse_label, read_table

PROG = "portcontrol model"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse would print the whole usage block; one line is the contract.
        raise UsageError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Train, apply and measure the risk model learned "
                     "from past inspection results.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = commands.add_parser("train", help="Learn a model from a labelled history table.")
    train.add_argument("--data", required=True, type=Path, help="CSV file of past declarations.")
    train.add_argument("--label", required=True, help="Column holding 1 (illicit found) or 0.")
    train.add_argument("--id", help="Identifier column: never a feature, copied into scores.")
    train.add_argument("--date", help="Date column; without it the file order is the time "
                       "order.")
    train.add_argument("--exclude", nargs="+", default=[], metavar="COL",
                       help="Columns that must not be features (other outcomes, free text).")
    train.add_argument("--weight", metavar="COL",
                       help="Positive row weights for the probability's calibration, such as "
                       "1 / each row's chance of inspection; never a feature.")
    train.add_argument("--out", required=True, type=Path, help="Model directory to write.")
    score = commands.add_parser("score", help="Score declarations; labels are not read.")
    score.add_argument("--model", required=True, type=Path)
    score.add_argument("--data", required=True, type=Path)
    score.add_argument("--out", required=True, type=Path, help="CSV to write: id, score.")
    score.add_argument("--explain", type=int, default=0, metavar="N",
                       help="Add a 'reasons' column with the N strongest factors per row.")
    evaluate = commands.add_parser("evaluate", help="Precision and recall at 1, 2, 5 and 10 %% "
                                   "inspected, on a labelled table.")
    evaluate.add_argument("--model", required=True, type=Path)
    evaluate.add_argument("--data", required=True, type=Path)
    evaluate.add_argument("--label", required=True)
    evaluate.add_argument("--json", action="store_true", help="Print one JSON object.")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
        return {"train": _train, "score": _score, "evaluate": _evaluate}[args.command](args)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except UsageError as exc:
        return _fail(str(exc), 2)
    except ModelError as exc:
        return _fail(f"{PROG}: error: {exc.message}", 1)
    except (lgb.basic.LightGBMError, pl.exceptions.PolarsError) as exc:
        # Data that passed the checks above but that a library still refuses.
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _fail(f"{PROG}: error: cannot process the data: {detail}", 1)


def _fail(line: str, status: int) -> int:
    # One printable line, whatever bytes a wrong file put into the message.
    print("".join(c if c.isprintable() else "?" for c in line), file=sys.stderr)
    return status


def _train(args: argparse.Namespace) -> int:
    df = read_table(args.data)
    model = training.train(df, label=args.label, id=args.id, date=args.date,
                           exclude=tuple(args.exclude), weight=args.weight)
    artifact.save(model, args.out)
    t = model.training
    held = t["validation"]["precision_at"]
    print(f"trained on {t['rows']:,} rows ({t['positives']:,} labelled 1), {t['trees']} trees "
          f"in {t['seconds']:.1f} s; held-out latest {t['validation_rows']:,} rows: precision "
          f"{held['5']:.3f} at 5 %, {held['10']:.3f} at 10 % -> {args.out}")
    return 0


def _score(args: argparse.Namespace) -> int:
    model = artifact.load(args.model)
    df = read_table(args.data)
    began = time.perf_counter()
    out = scoring.scores_frame(model, df)
    if args.explain > 0:
        reasons = scoring.explain(model, df, top=args.explain)
        out = out.with_columns(pl.Series("reasons", ["; ".join(f.text() for f in row)
                                                     for row in reasons]))
    try:
        out.write_csv(args.out)
    except OSError as exc:
        raise ModelError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"scored {out.height:,} rows in {time.perf_counter() - began:.1f} s -> {args.out}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    model = artifact.load(args.model)
    df = read_table(args.data)
    y = parse_label(df, args.label)
    # The score is computed exactly as in production; the label is read only to measure it.
    result = metrics.at_percents(y, scoring.score(model, df))
    if args.json:
        print(json.dumps(result))
        return 0
    print(format_result(result))
    return 0


def format_result(result: metrics.Figures) -> str:
    rows, positives = result["rows"], result["positives"]
    lines = [f"{'inspected':>9}  {'rows':>7}  {'precision':>9}  {'recall':>6}"]
    for key, precision in result["precision_at"].items():
        lines.append(f"{key + ' %':>9}  {metrics.inspected(rows, int(key)):>7,}  "
                     f"{precision:>9.3f}  {result['recall_at'][key]:>6.3f}")
    lines.append(f"evaluated {rows:,} rows, {positives:,} labelled 1 "
                 f"({100 * positives / max(rows, 1):.1f} %, the precision of random choice)")
    return "\n".join(lines)
