"""Every change made through intake: jobs created, records replayed or discarded. Audited."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portcontrol.accounts.scoping import visible_unit_ids
from portcontrol.audit.log import record as audit
from portcontrol.core.errors import InvalidValue, PermissionDenied
from portcontrol.intake.validate import validate_record
from portcontrol.manifests.loading import Router, kept_warning
from portcontrol.manifests.signals import manifests_stored
from portcontrol.manifests.store import Item, store_batch

from .models import IntakeJob, QuarantinedRecord
from .runner import report_dir

FORMATS = ("auto", "cuscar", "baplie", "csv", "xlsx", "json")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidValue(_("Unknown format %(format)r; use one of %(formats)s.")
                           % {"format": fmt, "formats": ", ".join(FORMATS)},
                           field="format")
    return fmt


def save_upload(name: str, chunks: Any) -> dict[str, Any]:
    """Store an uploaded file under var/intake/uploads with a safe, unique name."""
    folder = report_dir() / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    safe = _SAFE_NAME.sub("_", Path(name).name)[:120] or "upload"
    path = folder / safe
    size = 0
    with open(path, "wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
            size += len(chunk)
    return {"name": Path(name).name[:200], "path": str(path), "size": size}


def do_create_job(*, files: list[dict[str, Any]], door: str, acting_user: Any,
                  unit_id: int | None, fmt: str = "auto", mapping: str = "",
                  profile: str = "") -> IntakeJob:
    _check_format(fmt)
    if not files:
        raise InvalidValue(_("No file given."), field="files")
    with transaction.atomic():
        job = IntakeJob.objects.create(
            unit_id=unit_id, created_by=acting_user if getattr(acting_user, "pk", None) else None,
            door=door, files=files, format=fmt, mapping=mapping, profile=profile,
            bytes_total=sum(f.get("size", 0) for f in files))
        audit(actor=acting_user, action="intake.job_create", object_type="intake_job",
              object_id=job.pk, unit_id=unit_id,
              after={"files": [f["name"] for f in files], "format": fmt, "door": door})
    return job


def _check_pending(rec: QuarantinedRecord) -> None:
    if rec.status != QuarantinedRecord.Status.PENDING:
        raise PermissionDenied(_("This record was already resolved."))


def do_replay_quarantined(*, rec: QuarantinedRecord, corrected: dict[str, Any],
                          acting_user: Any) -> list[dict[str, str]]:
    """Validate the corrected record; load it if clean. Returns the remaining findings."""
    _check_pending(rec)
    clean, findings = validate_record(corrected, source=rec.source, location=rec.location)
    unit = None
    if clean is not None:
        allowed = visible_unit_ids(acting_user) if getattr(acting_user, "pk", None) else None
        unit, problem = Router(rec.unit_id, allowed=allowed).unit_for(clean, rec.source,
                                                                       rec.location)
        if problem:
            findings = [*findings, problem]
    errors = [f.as_dict() for f in findings if f.is_error]
    with transaction.atomic():
        if clean is None or unit is None:
            QuarantinedRecord.objects.filter(pk=rec.pk).update(raw=corrected, findings=errors)
            return errors
        store_batch([Item(unit, clean, [kept_warning(f) for f in findings])],
                    acting_user=acting_user, source=f"replay of quarantined record {rec.pk}")
        transaction.on_commit(lambda: manifests_stored.send(sender=QuarantinedRecord,
                                                            unit_ids=[unit]))
        before = {"status": rec.status, "raw": rec.raw}
        rec.raw, rec.status, rec.findings = corrected, QuarantinedRecord.Status.REPLAYED, []
        rec.resolved_by, rec.resolved_at = acting_user, timezone.now()
        rec.save()
        audit(actor=acting_user, action="intake.replay", object_type="quarantined_record",
              object_id=rec.pk, unit_id=rec.unit_id, before=before,
              after={"status": rec.status, "raw": corrected})
    return []


def do_discard_quarantined(*, rec: QuarantinedRecord, acting_user: Any, reason: str) -> None:
    _check_pending(rec)
    if not reason.strip():
        raise InvalidValue(_("Say why the record is discarded."), field="reason")
    with transaction.atomic():
        rec.status = QuarantinedRecord.Status.DISCARDED
        rec.resolved_by, rec.resolved_at = acting_user, timezone.now()
        rec.save(update_fields=["status", "resolved_by", "resolved_at"])
        audit(actor=acting_user, action="intake.discard", object_type="quarantined_record",
              object_id=rec.pk, unit_id=rec.unit_id, before={"status": "pending"},
              after={"status": rec.status, "reason": reason.strip()[:500]})
