"""Benchmark watchlist screening against the bare cost of exact lookups, and measure quality.

    python benchmarks/watchlist_bench.py [--entries 50000] [--names 200000] [--seed 7]

Builds an invented watchlist (companies, persons, vessels, containers; names drawn from a pool
of invented words so that words recur as in real registers) and a list of invented party
names, some of them perturbed names of listed entries (typos, Cyrillic script, word order, legal
forms). Prints the time to build the index, names screened per second, peak RSS, and as a
baseline the time to normalise the same names and look them up exactly in a dict of the listed
names' normalised keys, with the ratio. Then prints precision and recall at the default
threshold on the labelled evaluation set (portcontrol.engine.watchlist.evaluation). No
assertions: the numbers are for reading.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portcontrol.engine.watchlist.evaluation import evaluate
from portcontrol.engine.watchlist.index import WatchlistIndex
from portcontrol.engine.watchlist.normalize import normalize_name
from portcontrol.engine.watchlist.screen import DEFAULT_THRESHOLD, Screener
from portcontrol.engine.watchlist.synthetic import (
    Vocabulary,
    synthetic_parties,
    synthetic_watchlist,
)
from common import peak_rss_mb  # benchmarks/common.py


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<34} {wall:8.2f} s wall  {cpu:8.2f} s cpu")
    return result, wall


def loop_rate() -> float:
    """Millions of simple Python loop steps per second, to tell a slow or busy machine."""
    began = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i
    return 3.0 / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--names", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--vocabulary", type=int, default=40_000,
                        help="invented words the listed names are made of (0: a fresh word "
                             "every time); the screened names use another pool, 2.5 times larger")
    parser.add_argument("--variant-share", type=float, default=0.05,
                        help="share of names that are perturbed listed names")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--workers", type=int, default=None,
                        help="extra processes normalising names (default: cores - 1; 0: none)")
    parser.add_argument("--skip-eval", action="store_true")
    args = parser.parse_args()

    print(f"cores: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}  "
          f"python speed: {loop_rate():.0f} M loop steps/s")
    listed_words = Vocabulary(random.Random(args.seed), args.vocabulary or None)
    party_words = Vocabulary(random.Random(args.seed + 2), int(args.vocabulary * 2.5) or None)
    entries = synthetic_watchlist(args.entries, args.seed, listed_words)
    named = synthetic_parties(entries, args.names, args.seed + 1, args.variant_share,
                              party_words)
    parties = [p for p, _ in named]
    distinct = len({p.name for p in parties})
    print(f"watchlist: {len(entries):,} entries; names: {len(parties):,} ({distinct:,} distinct)")

    index, _ = timed("build index", lambda: WatchlistIndex(entries))
    screener = Screener(index, threshold=args.threshold, workers=args.workers)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    matches, seconds = timed("screen (fuzzy, explained)", lambda: list(screener.screen(parties)))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - children
    print(f"  {len(parties) / seconds:,.0f} names/s; {len(matches):,} matches at "
          f"threshold {args.threshold}; worker processes used {children:.2f} s cpu")

    keys: dict[str, list[int]] = {}
    for r, row in enumerate(index.rows):
        keys.setdefault(row.norm.key, []).append(r)
    # Baseline in the same process: the cheapest screening there is, exact lookup of each
    # normalised name (with the same normalisation, uncached, as screening pays for).
    _, base = timed("baseline: normalise + dict lookup",
                    lambda: [keys.get(normalize_name(p.name).key) for p in parties])
    print(f"  {len(parties) / base:,.0f} names/s; screening takes {seconds / base:.1f}x the "
          "baseline")
    truth = {p.id: e for p, e in named}
    planted = sum(1 for e in truth.values() if e)
    found = sum(1 for m in matches if truth[m.name_id] == m.watchlist_id)
    print(f"planted variants found: {found:,} of {planted:,}")
    print(f"peak RSS: {peak_rss_mb():,.0f} MB")
    if not args.skip_eval:
        for seed in (1, 2, 3):
            m = evaluate(args.threshold, seed)
            print(f"evaluation set (seed {seed}) at {args.threshold}: precision {m.precision:.3f} "
                  f"recall {m.recall:.3f} ({m.tp} of {m.positives} found, {m.fp} false)")


if __name__ == "__main__":
    main()
