"""API: submit a manifest file as an intake job, then follow its status; what stowage plans
say against the manifests."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from portcontrol.core.errors import InvalidValue, PermissionDenied, UploadTooLarge

from . import queries
from .actions import do_create_job, save_upload
from .models import StowageDiscrepancy
from .submit import submit_job

router = Router(tags=["intake"])


class JobOut(Schema):
    id: int
    status: str
    files: list[str]
    records_seen: int
    counts: dict[str, Any]
    error: str
    created_at: datetime
    finished_at: datetime | None


def _out(job) -> dict[str, Any]:
    return {"id": job.pk, "status": job.status, "files": [f["name"] for f in job.files],
            "records_seen": job.records_seen, "counts": job.counts, "error": job.error,
            "created_at": job.created_at, "finished_at": job.finished_at}


@router.post("/jobs", response={202: JobOut}, summary="Submit a manifest file")
def submit(request, file: UploadedFile = File(...), format: str = Form("auto"),  # noqa: A002
           mapping: str = Form(""), profile: str = Form("")):
    if not queries.can_ingest(request.user):
        raise PermissionDenied("Your role does not allow loading manifests.")
    limit = settings.PORTCONTROL_MAX_UPLOAD_MB
    if file.size is not None and file.size > limit * 1024 * 1024:
        size = math.ceil(file.size * 10 / 2**20) / 10  # rounded up: never shown as the limit
        raise UploadTooLarge(f"The file {file.name} is {size} MB; the largest file accepted "
                             f"is {limit} MB (PORTCONTROL_MAX_UPLOAD_MB).", field="file")
    saved = save_upload(file.name or "upload", file.chunks())
    job = do_create_job(files=[saved], door="api", acting_user=request.user,
                        unit_id=request.user.unit_id, fmt=format, mapping=mapping,
                        profile=profile)
    submit_job(job)
    job.refresh_from_db()
    return Status(202, _out(job))


@router.get("/jobs/{job_id}", response=JobOut, summary="Status of an intake job")
def status(request, job_id: int):
    return _out(get_object_or_404(queries.jobs_for(request.user), pk=job_id))


class DiscrepancyOut(Schema):
    voyage_ref: str
    container_number: str
    kind: str
    container_id: int | None  # the declared container (kind not_on_board)
    job_id: int
    plan_received_at: datetime | None
    # mass_differs: the mass weighed at the terminal and the mass declared (kg);
    # type_differs: the size-type code on the plan and the one declared. Null otherwise.
    plan_mass_kg: float | None
    declared_mass_kg: float | None
    plan_size_type: str | None
    declared_size_type: str | None


class DiscrepanciesOut(Schema):
    total: int
    truncated: bool
    results: list[DiscrepancyOut]


STOWAGE_LIMIT = 1000


@router.get("/stowage", response=DiscrepanciesOut,
            summary="Stowage discrepancies of your units (latest plan of each voyage)")
def stowage(request, kind: str = "", voyage: str = ""):
    """Boxes on board that no manifest declares (`not_manifested`), boxes declared but not
    on board (`not_on_board`), weighed far from the mass declared (`mass_differs`) or stowed
    as another kind of box (`type_differs`); `voyage` filters on the voyage reference (part
    of it)."""
    if kind and kind not in StowageDiscrepancy.Kind.values:
        raise InvalidValue(f"Unknown kind {kind[:40]!r}: use "
                           + " or ".join(StowageDiscrepancy.Kind.values) + ".", field="kind")
    rows = queries.discrepancies_for(request.user, kind=kind, voyage=voyage.strip()[:40])
    total = rows.count()
    return {"total": total, "truncated": total > STOWAGE_LIMIT, "results": [
        {"voyage_ref": d.voyage_ref, "container_number": d.container_number, "kind": d.kind,
         "container_id": d.container_pk, "job_id": d.job_id,
         "plan_received_at": d.plan.received_at if d.plan else None,
         "plan_mass_kg": d.plan_mass_kg, "declared_mass_kg": d.declared_mass_kg,
         "plan_size_type": d.plan_size_type or None,
         "declared_size_type": d.declared_size_type or None}
        for d in rows[:STOWAGE_LIMIT]]}
