"""Benchmark loading generated manifests into the database through the intake runner.

    python benchmarks/intake_load_bench.py [--containers 1000000] [--backend sqlite|postgres|both]
        [--pg-url postgres://postgres@127.0.0.1:5432/postgres] [--cache DIR]

Loads the generator's week of containers (generated once and kept, see common.dataset; the
scoring benchmark reads the same batch). For each backend, in a database of its own (a
temporary SQLite file; a scratch PostgreSQL database created and dropped on the server), runs
`portcontrol init`, creates the demo units, then ingests the generator's CSV with the same
code path as `portcontrol ingest`. Prints the containers, the total seconds, the seconds spent
reading and validating (the baseline, measured in the same process by reading the file with
portcontrol.intake.read_csv_frames, as the bulk path does, without storing), the seconds
spent storing, containers per second stored, and peak RSS. No assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from common import CACHE, dataset, on_backends, peak_rss_mb, run_child  # benchmarks/common.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(csv_path: str, database_url: str) -> None:
    """Runs in a fresh process so Django is configured for this backend only."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portcontrol.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from portcontrol.accounts.demo import ensure_demo_organisation
    from portcontrol.ingest.actions import do_create_job
    from portcontrol.ingest.runner import run_job
    from portcontrol.intake import read_csv_frames
    from portcontrol.manifests import columnar, store

    call_command("init", verbosity=0, stdout=open(os.devnull, "w"))
    ensure_demo_organisation()
    start = time.monotonic()
    records = 0  # bills of lading, read as the bulk path reads them
    for clean, flagged in read_csv_frames(csv_path):
        records += clean.get_column("_g").n_unique() + len(flagged)
    parse_seconds = time.monotonic() - start

    spent = {"store": 0.0}

    def timed(original):
        def run(*args, **kwargs):
            t = time.monotonic()
            try:
                return original(*args, **kwargs)
            finally:
                spent["store"] += time.monotonic() - t
        return run

    import portcontrol.ingest.runner as runner_module
    runner_module.store_batch = timed(store.store_batch)  # bills that take the record path
    runner_module.store_lines = timed(columnar.store_lines)  # the bulk path
    size = Path(csv_path).stat().st_size
    job = do_create_job(files=[{"name": Path(csv_path).name, "path": csv_path, "size": size}],
                        door="cli", acting_user="benchmark", unit_id=None)
    start = time.monotonic()
    result = run_job(job, report_path=Path(tempfile.gettempdir()) / "bench-report.csv")
    total = time.monotonic() - start
    print(json.dumps({
        "records": records, "containers": result.store.containers_accepted,
        "rejected": result.records_rejected, "parse_seconds": round(parse_seconds, 2),
        "total_seconds": round(total, 2), "store_seconds": round(spent["store"], 2),
        "peak_rss_mb": round(peak_rss_mb()),
    }))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--cache", type=Path, default=CACHE,
                        help="where generated data is kept between runs")
    args = parser.parse_args()
    from portcontrol.generator.api import DEFAULT_START

    # the generator's default week, as `portcontrol generate` writes it (cached: common.CACHE)
    csv_path = dataset("batch", args.containers, args.seed, DEFAULT_START, 7,
                       args.cache) / "containers.csv"
    with tempfile.TemporaryDirectory() as tmp:
        figures = on_backends(args.backend, args.pg_url, tmp, lambda name, url: run_child(
            __file__, [str(csv_path), url], name))
    for backend, f in figures.items():
        rate = f["containers"] / f["store_seconds"] if f["store_seconds"] else 0
        print(f"{backend:9} containers {f['containers']:,}  rejected {f['rejected']}  "
              f"read+validate (baseline) {f['parse_seconds']:.1f} s  "
              f"total {f['total_seconds']:.1f} s  storing {f['store_seconds']:.1f} s  "
              f"-> {rate:,.0f} containers/s stored, "
              f"{f['containers'] / f['total_seconds']:,.0f}/s end to end  "
              f"(total/baseline {f['total_seconds'] / f['parse_seconds']:.1f}x)  "
              f"peak RSS {f['peak_rss_mb']:,} MB")


if __name__ == "__main__":
    main()
