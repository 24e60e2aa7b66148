"""Run an intake job: read every file, store what is valid, quarantine the rest, report all.

Accepted plus rejected always equals the records read. A file that cannot be read at all
(IntakeError) is reported and the other files still run.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portcontrol.accounts.scoping import visible_unit_ids
from portcontrol.core.spreadsheet import as_text_cell
from portcontrol.intake import IntakeError, read, read_csv_frames
from portcontrol.intake.detect import check_named, detect_format
from portcontrol.intake.findings import ERROR, Finding, Outcome
from portcontrol.intake.tabular import prefetch, records_of
from portcontrol.manifests.columnar import KnownParties, store_lines, with_hashes_and_keys
from portcontrol.manifests.loading import Router, kept_warning
from portcontrol.manifests.models import (
    Consignment,
    ConsignmentContainer,
    Container,
    GoodsItem,
    Party,
    PortCall,
    Voyage,
)
from portcontrol.manifests.rawsql import refresh_statistics
from portcontrol.manifests.signals import manifests_stored
from portcontrol.manifests.store import Item, StoreCounts, store_batch

from .models import IntakeJob, QuarantinedRecord
from .stowage import receive_plan, recheck_plans

BATCH = 5000
FRAME_BATCH = 100_000  # clean lines stored per transaction on the bulk path
PROGRESS_EVERY = 2000
REPORT_COLUMNS = ["source_file", "location", "record_key", "field", "code", "message",
                  "severity"]


@dataclass
class JobResult:
    files: int = 0
    records: int = 0
    records_rejected: int = 0
    warnings: int = 0
    store: StoreCounts = field(default_factory=StoreCounts)
    unreadable: list[str] = field(default_factory=list)
    unreadable_ru: list[str] = field(default_factory=list)  # the same, for Russian pages
    stowage_plans: int = 0
    units: set[int] = field(default_factory=set)  # units whose manifests were stored
    compared: set[int] = field(default_factory=set)  # units whose stowage plans were compared
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The CLI's --json object: exactly these keys."""
        return {
            "files": self.files,
            "consignments": self.store.consignments_new + self.store.consignments_updated,
            "containers_accepted": self.store.containers_accepted,
            "containers_updated": self.store.containers_updated,
            "records_rejected": self.records_rejected,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
        }

    def as_counts(self) -> dict[str, Any]:
        return {**self.summary(), "records": self.records, "unreadable": self.unreadable,
                "unreadable_ru": self.unreadable_ru, "store": asdict(self.store)}


def report_dir() -> Path:
    path = Path(settings.VAR_DIR) / "intake"
    path.mkdir(parents=True, exist_ok=True)
    return path


class _Report:
    def __init__(self, path: Path | None):
        self.fh = open(path, "w", newline="", encoding="utf-8") if path else None  # noqa: SIM115
        self.writer = csv.writer(self.fh) if self.fh else None
        if self.writer:
            self.writer.writerow(REPORT_COLUMNS)

    def write(self, findings: list[Finding]) -> None:
        if self.writer:
            for f in findings:  # file names and keys come from the input: kept as text
                self.writer.writerow([as_text_cell(v) for v in (
                    f.source, f.location, f.record_key, f.field, f.code, f.message,
                    f.severity)])

    def close(self) -> None:
        if self.fh:
            self.fh.close()


class _Run:
    def __init__(self, job: IntakeJob, acting_user: Any, report: _Report,
                 progress: Callable[[int], None] | None):
        self.job, self.user, self.report, self.progress = job, acting_user, report, progress
        self.result = JobResult()
        self.router = Router(job.unit_id, allowed=_allowed_units(job))
        self.items: list[Item] = []
        self.quarantine: list[QuarantinedRecord] = []
        self.frames: list[pl.DataFrame] = []
        self.frame_lines = 0
        self.group_offset = 0
        self.known_parties = KnownParties()

    def file(self, path: Path, name: str) -> None:
        self.result.files += 1
        try:
            csv_file = (detect_format(path) if self.job.format == "auto"
                        else self.job.format) == "csv"
        except IntakeError:
            csv_file = False  # read() reports it below
        if csv_file:
            self.csv_file(path, name)
            return
        reader = None
        try:
            reader = read(path, format=self.job.format, mapping=self.job.mapping or None,
                          profile=self.job.profile or None, source=name)
            for outcome in reader:
                self.outcome(outcome, name)
        except IntakeError as exc:
            self.unreadable(name, exc)
        if reader is not None:
            # Findings about the file itself: envelope counts, unknown segments, columns.
            self.report.write(reader.findings)
            self.result.warnings += len(reader.findings)

    def unreadable(self, name: str, exc: IntakeError) -> None:
        """A file that could not be read: said on the job (both languages) and reported."""
        self.result.unreadable.append(f"{name}: {exc.message}")
        self.result.unreadable_ru.append(f"{name}: {exc.message_ru or exc.message}")
        self.report.write([Finding(name, exc.location, "", "", "unreadable", exc.message,
                                   ERROR, exc.message_ru)])

    def csv_file(self, path: Path, name: str) -> None:
        """The bulk path: clean lines stay in polars frames from the file to the database
        (manifests.columnar); flagged bills come as Outcomes and take the record path."""
        findings: list[Finding] = []
        try:
            if self.job.format != "auto":
                check_named(path, "csv")
            blocks = read_csv_frames(path, self.job.mapping or None, source=name,
                                     file_findings=findings)
            for clean, outcomes in prefetch(with_hashes_and_keys(blocks)):
                for outcome in outcomes:
                    self.outcome(outcome, name)
                self.lines(clean, name)
        except IntakeError as exc:
            self.unreadable(name, exc)
        self.flush()
        self.report.write(findings)
        self.result.warnings += len(findings)

    def lines(self, clean: pl.DataFrame, name: str) -> None:
        """Route a block of clean lines to units; queue them for the bulk store."""
        if clean.height == 0:
            return
        ports = self.router.ports
        fallback = self.router.fallback
        unit = pl.col("port_of_call").replace_strict(
            ports, default=fallback, return_dtype=pl.Int64)
        clean = clean.with_columns(unit_id=unit, _g=pl.col("_g") + self.group_offset)
        self.group_offset = int(clean.get_column("_g").max()) + 1
        allowed = self.router.allowed
        ok = pl.col("unit_id").is_not_null()
        if allowed is not None:
            ok = ok & pl.col("unit_id").is_in(sorted(allowed))
        refused = clean.filter(~ok.all().over("_g"))
        if refused.height:
            self._refuse(refused, name)
            clean = clean.filter(ok.all().over("_g"))
        bills = clean.get_column("_g").n_unique()
        self.result.records += bills
        self.frames.append(clean)
        self.frame_lines += clean.height
        if self.frame_lines >= FRAME_BATCH:
            self.flush()
        if self.progress and bills:
            self.progress(self.result.records)

    def _refuse(self, refused: pl.DataFrame, name: str) -> None:
        """Clean bills for a port the submitter may not load (or no unit serves)."""
        ids = refused.get_column("_g").unique(maintain_order=True).to_list()
        first_lines = refused.group_by("_g", maintain_order=True).agg(pl.col("_line").first())
        lines = dict(first_lines.iter_rows())
        for g, rec in zip(ids, records_of(refused), strict=True):
            location = f"line {lines[g]}"
            _unit, problem = self.router.unit_for(rec, name, location)
            findings = [problem] if problem else []
            self.result.records += 1
            self.report.write(findings)
            self.reject(Outcome(None, findings, rec), rec, findings, name)

    def outcome(self, outcome: Any, name: str) -> None:
        rec, findings = outcome
        self.result.records += 1
        if rec is not None and rec.get("kind") == "stowage":
            self.flush()  # the manifests of this file must be stored before comparing
            found, unit = receive_plan(rec, self.job, self.router.allowed, self.router.ports,
                                       name)
            findings = [*findings, *found]
            if unit is not None:
                self.result.compared.add(unit)
            self.result.stowage_plans += 1
            self.result.warnings += len(findings)
            self.report.write(findings)
            return
        unit = None
        if rec is not None:
            location = findings[0].location if findings else ""
            unit, problem = self.router.unit_for(rec, name, location)
            if problem:
                findings = [*findings, problem]
        self.report.write(findings)
        if rec is None or unit is None:
            self.reject(outcome, rec, findings, name)
        else:
            self.result.warnings += len(findings)
            self.items.append(Item(unit, rec, [kept_warning(f) for f in findings],
                                   getattr(outcome, "message_date", None)))
        if len(self.items) >= BATCH:
            self.flush()
        if self.progress and self.result.records % PROGRESS_EVERY == 0:
            self.progress(self.result.records)

    def reject(self, outcome: Any, rec: Any, findings: list[Finding], name: str) -> None:
        self.result.records_rejected += 1
        raw = getattr(outcome, "raw", None) or rec
        unit = self._unit_of_raw(raw)
        first = findings[0] if findings else None
        self.quarantine.append(QuarantinedRecord(
            unit_id=unit, job=self.job, source=name[:200],
            location=(first.location if first else "")[:60],
            record_key=(first.record_key if first else "")[:60],
            raw=raw if isinstance(raw, (dict, list)) else None,
            raw_text=str(getattr(outcome, "raw_text", "") or "")[:100_000],
            findings=[f.as_dict() for f in findings]))
        if len(self.quarantine) >= BATCH:
            self.flush()

    def _unit_of_raw(self, raw: Any) -> int | None:
        try:
            port = str(raw["voyage"]["port_of_call"]).replace(" ", "").upper()
        except (KeyError, TypeError, IndexError):
            return self.job.unit_id
        unit = self.router.ports.get(port, self.job.unit_id)
        if self.router.allowed is not None and unit not in self.router.allowed:
            return self.job.unit_id
        return unit

    def flush(self) -> None:
        if self.frames:
            lines = pl.concat(self.frames, how="vertical_relaxed")
            self.frames, self.frame_lines = [], 0
            for (unit,), part in lines.group_by("unit_id", maintain_order=True):
                self.result.units.add(int(unit))
                self.result.store.add(store_lines(part, acting_user=self.user,
                                                  source=f"intake job {self.job.pk}",
                                                  known_parties=self.known_parties))
        if self.items:
            self.result.units.update(item.unit_id for item in self.items)
            self.result.store.add(store_batch(self.items, acting_user=self.user,
                                              source=f"intake job {self.job.pk}"))
            self.items = []
        if self.quarantine:
            QuarantinedRecord.objects.bulk_create(self.quarantine, batch_size=1000)
            self.quarantine = []


# A job that stored this many containers or more refreshes the planner's statistics of the
# manifest tables before scoring reads them (rawsql.refresh_statistics).
ANALYZE_AFTER = 10_000
MANIFEST_MODELS = (Voyage, PortCall, Party, Consignment, Container, ConsignmentContainer,
                   GoodsItem)


def _allowed_units(job: IntakeJob) -> frozenset[int] | None:
    """The submitter's units; None (any unit) for the operator's command line."""
    if job.created_by is None:
        return None
    return visible_unit_ids(job.created_by)


def run_job(job: IntakeJob, *, acting_user: Any = None, report_path: Path | None = None,
            progress: Callable[[int], None] | None = None) -> JobResult:
    start = time.monotonic()
    IntakeJob.objects.filter(pk=job.pk).update(status=IntakeJob.Status.RUNNING,
                                               started_at=timezone.now())
    path = report_path or report_dir() / f"job-{job.pk}-report.csv"
    report = _Report(path)
    run = _Run(job, acting_user, report, _job_progress(job, progress))
    try:
        for f in job.files:
            run.file(Path(f["path"]), f["name"])
        run.flush()
        if run.result.units:  # plans that waited for these manifests, or are out of date
            run.result.compared |= recheck_plans(run.router.allowed)
    except Exception as exc:
        IntakeJob.objects.filter(pk=job.pk).update(
            status=IntakeJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now())
        raise
    finally:
        report.close()
    run.result.seconds = time.monotonic() - start
    with transaction.atomic():
        IntakeJob.objects.filter(pk=job.pk).update(
            status=IntakeJob.Status.DONE, records_seen=run.result.records,
            counts=run.result.as_counts(), report_path=str(path), finished_at=timezone.now(),
            error="\n".join(run.result.unreadable)[:2000])
    if run.result.store.containers_accepted >= ANALYZE_AFTER:
        refresh_statistics(MANIFEST_MODELS)
    # scoring reads the manifests and what the stowage plans say about them (masses weighed)
    rescore = run.result.units | run.result.compared
    if rescore:
        transaction.on_commit(lambda: manifests_stored.send(
            sender=IntakeJob, unit_ids=sorted(rescore)))
    return run.result


def _job_progress(job: IntakeJob, outer: Callable[[int], None] | None) -> Callable[[int], None]:
    def tick(records: int) -> None:
        IntakeJob.objects.filter(pk=job.pk).update(records_seen=records)
        if outer:
            outer(records)
    return tick
