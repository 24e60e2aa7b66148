"""`portcontrol watchlist ...`: batch screening from files, without Django.

    portcontrol watchlist screen --watchlist W.csv --names N.csv --out M.csv [--threshold T]
    portcontrol watchlist check --watchlist W.csv
    portcontrol watchlist evaluate [--threshold T] [--seed S]

Exit codes: 0 done; 1 bad input (one line on stderr saying what); 2 bad command line.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from .evaluation import build_set, measure, score_cases
from .index import WatchlistIndex
from .loaders import read_names, read_watchlist
from .model import LoadIssue, Match, WatchlistInputError
from .screen import DEFAULT_THRESHOLD, Screener

PROG = "portcontrol watchlist"
MAX_ISSUES_SHOWN = 20


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise UsageError(message)


def threshold_value(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Screen names against watchlists.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    screen = commands.add_parser(
        "screen", help="screen every name of a CSV file against a watchlist",
        description="Write one row name_id,watchlist_id,score per match at or above the "
                    "threshold. The watchlist is CSV (id,name,kind,country,aliases) or "
                    "FollowTheMoney JSON lines (.json/.jsonl/.ftm, or by content).")
    screen.add_argument("--watchlist", type=Path, required=True, metavar="W")
    screen.add_argument("--names", type=Path, required=True, metavar="N",
                        help="CSV with columns id,name,country (optional: imo, container)")
    screen.add_argument("--out", required=True, metavar="M", help="output CSV, or - for stdout")
    screen.add_argument("--threshold", type=threshold_value, default=DEFAULT_THRESHOLD,
                        help=f"lowest score reported, 0-1 (default {DEFAULT_THRESHOLD})")
    screen.add_argument("--explain", action="store_true",
                        help="add columns explanation_en and explanation_ru")
    screen.add_argument("--strict", action="store_true",
                        help="fail (exit 1) if any row of either file is bad")
    screen.add_argument("--workers", type=int, default=None,
                        help="extra processes normalising names of large files (default: one "
                             "less than the cores; 0: none)")
    check = commands.add_parser("check", help="load a watchlist and report bad rows")
    check.add_argument("--watchlist", type=Path, required=True, metavar="W")
    evaluate = commands.add_parser(
        "evaluate", help="precision and recall on the built-in labelled evaluation set")
    evaluate.add_argument("--threshold", type=threshold_value, default=DEFAULT_THRESHOLD)
    evaluate.add_argument("--seed", type=int, default=1)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit code. Never raises, never prints a traceback."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        print(f"{PROG}: error: {exc} (see --help)", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        return COMMANDS[args.command](args)
    except (WatchlistInputError, ValueError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the promise is one line, whatever happens
        print(f"{PROG}: error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def report_issues(issues: Sequence[LoadIssue]) -> None:
    for issue in issues[:MAX_ISSUES_SHOWN]:
        print(f"warning: skipped {issue}", file=sys.stderr)
    if len(issues) > MAX_ISSUES_SHOWN:
        print(f"warning: ... and {len(issues) - MAX_ISSUES_SHOWN} more bad rows",
              file=sys.stderr)


def cmd_screen(args: argparse.Namespace) -> int:
    listed = read_watchlist(args.watchlist)
    parties, name_issues = read_names(args.names)
    issues = listed.issues + name_issues
    report_issues(issues)
    if args.strict and issues:
        print(f"{PROG}: error: {len(issues)} bad rows and --strict", file=sys.stderr)
        return 1
    if not listed.entries:
        raise WatchlistInputError(f"{args.watchlist} has no usable entries")
    began = time.perf_counter()
    screener = Screener(WatchlistIndex(listed.entries), threshold=args.threshold,
                        workers=args.workers)
    count = write_matches(args.out, screener.screen(parties), explain=args.explain)
    seconds = time.perf_counter() - began
    summary = (f"screened {len(parties):,} names against {len(listed.entries):,} entries: "
               f"{count:,} matches at threshold {args.threshold} in {seconds:.1f} s"
               + (f"; {len(issues):,} bad rows skipped" if issues else ""))
    print(summary, file=sys.stderr if args.out == "-" else sys.stdout)
    return 0


def write_matches(out: str, matches: Iterable[Match], *, explain: bool) -> int:
    """Write the CSV; to a temporary file first, so a failure leaves no half-written output."""
    header = ["name_id", "watchlist_id", "score"] + (
        ["explanation_en", "explanation_ru"] if explain else [])
    if out == "-":
        return _write(sys.stdout, header, matches, explain)
    target = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=".watchlist-", suffix=".csv", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            count = _write(fh, header, matches, explain)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def _write(fh: TextIO, header: list[str], matches: Iterable[Match], explain: bool) -> int:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for m in matches:
        row = [m.name_id, m.watchlist_id, f"{m.score:.3f}"]
        writer.writerow(row + ([m.explanation_en, m.explanation_ru] if explain else []))
        count += 1
    return count


def cmd_check(args: argparse.Namespace) -> int:
    listed = read_watchlist(args.watchlist)
    report_issues(listed.issues)
    kinds: dict[str, int] = {}
    for entry in listed.entries:
        kinds[entry.kind.value] = kinds.get(entry.kind.value, 0) + 1
    counts = ", ".join(f"{n:,} {k}" for k, n in sorted(kinds.items())) or "nothing"
    skipped = f"; {listed.skipped:,} records of other schemas skipped" if listed.skipped else ""
    print(f"{args.watchlist}: {len(listed.entries):,} entries ({counts}); "
          f"{len(listed.issues):,} bad rows{skipped}")
    return 1 if listed.issues else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    entries, cases = build_set(args.seed)
    matches = score_cases(entries, cases, min(args.threshold, 0.5))
    print("threshold  precision  recall  F1     false  missed")
    for step in range(50, 100, 2):
        t = step / 100
        m = measure(cases, matches, t)
        print(f"{t:9.2f}  {m.precision:9.3f}  {m.recall:6.3f}  {m.f1:.3f}  {m.fp:5d}  "
              f"{m.positives - m.tp:6d}")
    direct = measure(cases, score_cases(entries, cases, args.threshold), args.threshold)
    print(f"at {args.threshold} (screened at that threshold, as the CLI does): precision "
          f"{direct.precision:.3f}, recall {direct.recall:.3f} ({direct.tp} of "
          f"{direct.positives} found, {direct.fp} false matches in {len(cases):,} names)")
    return 0


COMMANDS = {"screen": cmd_screen, "check": cmd_check, "evaluate": cmd_evaluate}
