"""Benchmark a unit's scoring run as the task after every intake runs it, from the database.

    python benchmarks/pipeline_bench.py [--containers 300000] [--days 60]
        [--backend sqlite|postgres|both] [--watchlist-entries 50000]
        [--pg-url postgres://postgres@127.0.0.1:5432/postgres]

Generates --containers arrivals at Baku over --days days, loads them through the intake
runner into a fresh database of each backend (a temporary SQLite file; a scratch PostgreSQL
database), stores a watchlist of
--watchlist-entries entries for the unit (invented names, plus 200 of the unit's consignees so
that hits occur), then runs risk.pipeline.score_unit the way the task does after an intake:
from the day before the last day to two weeks ahead, with the unit's year of history before
it. The run is repeated in the same process (a second intake the same day), again after
inspection outcomes were recorded for 20 containers of the week before, then made for the
next day (its first run): what a process keeps between runs shows there. Then times an
analyst's backtests of two draft rules over the last 90 days, one after the other. Prints
each run's stages (seconds) and containers scored.
No assertions: the numbers are for reading.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from common import on_backends, peak_rss_mb, run_child  # benchmarks/common.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
START = date(2026, 9, 29)


def child(csv_path: str, database_url: str, days: int, entries: int) -> None:
    """Runs in a fresh process so Django is configured for this backend only."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portcontrol.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from portcontrol.accounts.demo import ensure_demo_organisation
    from portcontrol.accounts.models import Unit
    from portcontrol.ingest.actions import do_create_job
    from portcontrol.ingest.runner import run_job
    from portcontrol.risk import pipeline

    call_command("init", verbosity=0, stdout=open(os.devnull, "w"))
    ensure_demo_organisation()
    size = Path(csv_path).stat().st_size
    job = do_create_job(files=[{"name": Path(csv_path).name, "path": csv_path, "size": size}],
                        door="cli", acting_user="benchmark", unit_id=None)
    start = time.monotonic()
    run_job(job, report_path=Path(tempfile.gettempdir()) / "pipeline-bench-report.csv")
    load_seconds = time.monotonic() - start
    unit = Unit.objects.get(code="pcu-baku")
    _watchlist(unit, entries)

    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)

    def timed(name, original, label=None):
        def run(*args, **kwargs):
            key = label(calls[name]) if label else name
            calls[name] += 1
            t = time.monotonic()
            try:
                return original(*args, **kwargs)
            finally:
                spent[key] += time.monotonic() - t
        return run

    from portcontrol.engine.features import History, HistoryPart
    from portcontrol.risk import history as risk_history

    pipeline.lines_for_units = timed("window", pipeline.lines_for_units,
                                     lambda n: "read window lines")
    risk_history.lines_for_units = timed("history", risk_history.lines_for_units,
                                         lambda n: "read history lines")
    risk_history._stamps = timed("stamps", risk_history._stamps, lambda n: "history stamps")
    HistoryPart.from_frame = classmethod(timed("parts", HistoryPart.from_frame.__func__,
                                               lambda n: "summarise weeks"))
    History.from_parts = classmethod(timed("merge", History.from_parts.__func__,
                                           lambda n: "merge weeks"))
    for name, label in (("index_for", "watchlist index"), ("screen_frame", "watchlist"),
                        ("build", "features"), ("apply_rules", "rules"),
                        ("with_active_model", "model"), ("score", "risk + reasons"),
                        ("select", "selection"), ("_explain_selected", "reasons of selected"),
                        ("_store", "store assessments")):
        setattr(pipeline, name, timed(label, getattr(pipeline, name)))

    last = START + timedelta(days=days - 1)
    runs = []
    # after an intake; after a second intake the same day; after inspection outcomes were
    # recorded for containers of the week before; the first run of the next day
    for day, outcomes in ((last, 0), (last, 0), (last, 20), (last + timedelta(days=1), 0)):
        if outcomes:
            _record_outcomes(unit, last - timedelta(days=7), last - timedelta(days=2), outcomes)
        spent.clear()
        calls.clear()
        t = time.monotonic()
        run = pipeline.score_unit(unit, since=day - timedelta(days=1),
                                  until=day + timedelta(days=14))
        total = time.monotonic() - t
        run.refresh_from_db()
        runs.append({"containers": run.containers, "seconds": round(total, 2),
                     "stages": {k: round(v, 2) for k, v in spent.items()}})
    kept = sum(t.estimated_size() for key, part in risk_history._PARTS._items.items()
               for t in part.tables.values())
    backtests = _backtests(unit, last)
    print(json.dumps({"load_seconds": round(load_seconds, 1), "runs": runs,
                      "kept_weeks_mb": round(kept / 2**20), "backtests": backtests,
                      "peak_rss_mb": round(peak_rss_mb())}))


def _backtests(unit, until: date) -> list[float]:
    """Seconds for an analyst's backtest of a draft rule over 90 days, then of a second
    draft over the same days (as in the rule editor, draft after draft)."""
    from portcontrol.accounts.models import User
    from portcontrol.risk.actions import do_backtest_rule
    from portcontrol.risk.models import Rule

    analyst = User.objects.get(username="baku.analyst")
    seconds = []
    for code, expression in (("BENCH1", 'reefer and origin_country in ["EC", "CO"]'),
                             ("BENCH2", "value_below_pct > 30")):
        rule = Rule.objects.create(unit=unit, code=code, expression=expression, weight=0.3,
                                   description=code, created_by=analyst)
        t = time.monotonic()
        do_backtest_rule(acting_user=analyst, rule=rule, days=90, until=until)
        seconds.append(round(time.monotonic() - t, 2))
    return seconds


def _record_outcomes(unit, since: date, until: date, n: int) -> None:
    """Inspection outcomes (one find) for n containers that arrived from since to until."""
    from portcontrol.manifests.models import Container
    from portcontrol.risk.frames import arriving
    from portcontrol.risk.models import Outcome

    boxes = (Container.objects.filter(unit=unit, outcome__isnull=True)
             .filter(arriving(since, until, path="voyage__")).order_by("id")
             .values_list("id", flat=True).distinct()[:n])
    Outcome.objects.bulk_create([Outcome(container_id=pk, unit=unit, inspected=True,
                                         seizure=i == 0) for i, pk in enumerate(boxes)])


def _watchlist(unit, entries: int) -> None:
    import random

    from portcontrol.engine.watchlist import LoadResult
    from portcontrol.engine.watchlist.model import Kind, WatchlistEntry
    from portcontrol.engine.watchlist.synthetic import synthetic_watchlist
    from portcontrol.manifests.models import Party
    from portcontrol.risk.watchlists import store_watchlist

    listed = synthetic_watchlist(max(entries - 200, 0), 7)
    names = sorted(Party.objects.filter(unit=unit).values_list("name", "country")[:20_000])
    for i, (name, country) in enumerate(random.Random(7).sample(names, min(200, len(names)))):
        listed.append(WatchlistEntry(f"B{i}", Kind.COMPANY, (name,), (country,)))
    store_watchlist(loaded=LoadResult(entries=listed, issues=[]), unit=unit,
                    name="benchmark", source_file="synthetic", acting_user="benchmark")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--watchlist-entries", type=int, default=50_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    from portcontrol.generator import generate

    with tempfile.TemporaryDirectory() as tmp:
        gen = Path(tmp) / "gen"
        generate(gen, containers=args.containers, seed=args.seed, start=START, days=args.days,
                 destinations={"AZBAK": 1.0})
        csv_path = gen / "containers.csv"
        figures = on_backends(args.backend, args.pg_url, tmp, lambda name, url: run_child(
            __file__, [str(csv_path), url, str(args.days), str(args.watchlist_entries)], name))
    print(f"{args.containers:,} containers at Baku over {args.days} days; watchlist "
          f"{args.watchlist_entries:,} entries; scoring from the day before the last day "
          "to two weeks ahead, with the history before it")
    for backend, f in figures.items():
        print(f"{backend}: loaded in {f['load_seconds']} s; peak RSS {f['peak_rss_mb']:,} MB; "
              f"weeks of history kept {f['kept_weeks_mb']:,} MB; backtests of two drafts over "
              f"90 days: {f['backtests'][0]:.2f} s, then {f['backtests'][1]:.2f} s")
        names = ("first run", "same day again", "after 20 outcomes", "next day")
        for name, run in zip(names, f["runs"], strict=False):
            stages = ", ".join(f"{k} {v:.2f}" for k, v in run["stages"].items())
            print(f"  {name}: {run['containers']:,} containers scored in "
                  f"{run['seconds']:.2f} s  ({stages})")


if __name__ == "__main__":
    main()
