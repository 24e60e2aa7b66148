"""`portcontrol ingest PATH...`: load manifests from files, with a summary and a report."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portcontrol.accounts.models import Unit
from portcontrol.ingest.actions import FORMATS, do_create_job
from portcontrol.ingest.runner import run_job


class Command(BaseCommand):
    help = ("Ingest manifests (CUSCAR, BAPLIE, CSV, XLSX, JSON). Exit 0 when the input was "
            "processed, even with rejected records; 2 when a file cannot be read at all.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--format", default="auto", choices=FORMATS)
        parser.add_argument("--mapping", default="", help="Column mapping (YAML) for CSV/XLSX.")
        parser.add_argument("--profile", default="", help="EDIFACT message profile name or file.")
        parser.add_argument("--report", type=Path, help="Write rejected records and warnings "
                            "as CSV here.")
        parser.add_argument("--unit", default="", help="Unit code for records whose port of "
                            "call no unit serves.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **opts):
        unit = None
        if opts["unit"]:
            unit = Unit.objects.filter(code=opts["unit"]).first()
            if unit is None:
                raise CommandError(f"No unit with code {opts['unit']!r}.")
        files = []
        for path in opts["paths"]:
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
            files.append({"name": path.name, "path": str(path.resolve()),
                          "size": path.stat().st_size})
        job = do_create_job(files=files, door="cli", acting_user="cli", fmt=opts["format"],
                            mapping=opts["mapping"], profile=opts["profile"],
                            unit_id=unit.pk if unit else None)
        progress = _Progress(sys.stderr) if sys.stderr.isatty() and not opts["json"] else None
        result = run_job(job, report_path=opts["report"], progress=progress)
        if progress:
            progress.done()
        summary = result.summary()
        if opts["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            for problem in result.unreadable:
                self.stderr.write(f"unreadable: {problem}")
            self.stdout.write(
                f"ingest: {summary['files']} files, {summary['consignments']} consignments, "
                f"containers {summary['containers_accepted']} accepted / "
                f"{summary['containers_updated']} updated, {summary['records_rejected']} "
                f"records rejected, {summary['warnings']} warnings, "
                f"{result.store.consignments_unchanged} unchanged, {summary['seconds']:.1f} s")
        if result.unreadable:
            sys.exit(2)


class _Progress:
    """A one-line progress indicator on a terminal, refreshed at most twice a second."""

    def __init__(self, stream):
        self.stream, self.start, self.last = stream, time.monotonic(), 0.0

    def __call__(self, records: int) -> None:
        now = time.monotonic()
        if now - self.last >= 0.5:
            rate = records / max(now - self.start, 1e-6)
            self.stream.write(f"\r  {records:,} records, {rate:,.0f}/s ")
            self.stream.flush()
            self.last = now

    def done(self) -> None:
        self.stream.write("\r" + " " * 60 + "\r")
