"""What every benchmark script measures the same way."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mb() -> float:
    """This process's peak RSS. On Linux VmHWM, because ru_maxrss survives fork+exec and
    would report the parent's size for a child started while the parent was large."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def run_child(script: str, argv: list[str], name: str) -> dict:
    """Run `script --child argv...` in a fresh process (Django is configured once per
    process, so each backend gets its own) and return the JSON object it prints last."""
    out = subprocess.run([sys.executable, script, "--child", *argv],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"{name} run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def on_backends(choice: str, pg_url: str, tmp: str,
                run: Callable[[str, str], dict]) -> dict[str, dict]:
    """run(name, database_url) on the backends chosen ("sqlite", "postgres" or "both"), each
    in a database of its own: a SQLite file in `tmp`, a scratch PostgreSQL database created on
    the server at `pg_url` and dropped afterwards. Their figures by backend name."""
    figures = {}
    if choice in ("sqlite", "both"):
        figures["sqlite"] = run("sqlite", f"sqlite:///{tmp}/bench.sqlite3")
    if choice in ("postgres", "both"):
        import psycopg

        name = f"portcontrol_bench_{os.getpid()}"
        conn = psycopg.connect(pg_url.replace("postgres://", "postgresql://", 1),
                               autocommit=True)
        conn.execute(f'CREATE DATABASE "{name}"')
        try:
            figures["postgres"] = run("postgres", f"{pg_url.rsplit('/', 1)[0]}/{name}")
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.close()
    return figures


# Generated data kept between runs (made once per generator version): generating a million
# containers takes longer than some of the measurements, and measuring right after writing
# 1.3 GB of files measured the machine settling too.
CACHE = Path(tempfile.gettempdir()) / "portcontrol-bench"


def dataset(name: str, containers: int, seed: int, start: date, days: int,
            cache: Path = CACHE) -> Path:
    """The generated files, made once per generator version. They are written beside and
    moved into place when complete: a run stopped half-way must not leave a truncated batch
    that later runs would take for the whole one."""
    from portcontrol.generator.api import VERSION

    out = cache / f"{name}-{containers}-s{seed}-{start.isoformat()}-{days}d-v{VERSION}"
    if not out.exists():
        print(f"generating {containers:,} containers into {out} ...", flush=True)
        partial = out.with_name(out.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        from portcontrol.generator.api import generate

        generate(partial, containers=containers, seed=seed, start=start, days=days)
        partial.rename(out)
    return out
