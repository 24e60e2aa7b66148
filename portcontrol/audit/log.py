"""Write audit records. Called by action functions inside their transaction."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import F
from django.utils import timezone

from .models import AuditChainHead, AuditRecord

GENESIS = "0" * 64


def _canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder,
                      ensure_ascii=False)


def record_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(fields)).encode("utf-8")).hexdigest()


def _jsonable(value: Any) -> Any:
    return None if value is None else json.loads(_canonical(value))


def lock_chain() -> None:
    """Take the chain's lock now, for a transaction that writes much before its audit record.

    The row lock serialises appenders on PostgreSQL; the UPDATE takes SQLite's write lock,
    which bulk writers that allocate ids themselves need before they read MAX(id).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.lock_chain() must be called inside transaction.atomic()")
    AuditChainHead.objects.select_for_update().get_or_create(id=1)
    AuditChainHead.objects.filter(id=1).update(last_hash=F("last_hash"))


def record(*, actor: Any, action: str, object_type: str, object_id: Any = "",
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           unit_id: int | None = None) -> AuditRecord:
    """Append one audit record. Must run inside the caller's transaction.atomic()."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic()")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    actor_obj = actor if getattr(actor, "pk", None) else None
    fields = {
        "at": timezone.now().isoformat(),
        "actor": actor_obj.get_username() if actor_obj else str(actor or "system"),
        "unit_id": unit_id,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before": _jsonable(before),
        "after": _jsonable(after),
    }
    digest = record_hash(head.last_hash, fields)
    rec = AuditRecord.objects.create(
        at=fields["at"], actor=actor_obj, actor_label=fields["actor"], unit_id=unit_id,
        action=action, object_type=object_type, object_id=fields["object_id"],
        before=fields["before"], after=fields["after"], prev_hash=head.last_hash, hash=digest)
    head.last_hash = digest
    head.save(update_fields=["last_hash"])
    return rec


def verify_chain() -> tuple[int, list[int]]:
    """Return (records checked, ids whose hash or link does not match)."""
    broken: list[int] = []
    prev = GENESIS
    count = 0
    for rec in AuditRecord.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        fields = {
            "at": rec.at.isoformat(), "actor": rec.actor_label, "unit_id": rec.unit_id,
            "action": rec.action, "object_type": rec.object_type, "object_id": rec.object_id,
            "before": rec.before, "after": rec.after,
        }
        if rec.prev_hash != prev or record_hash(prev, fields) != rec.hash:
            broken.append(rec.id)
        prev = rec.hash
    return count, broken

