"""Read side of intake, scoped to the user's units like every operational query."""

from __future__ import annotations

from django.db.models import QuerySet

from portcontrol.accounts.models import User
from portcontrol.accounts.scoping import scope, visible_unit_ids

from .models import IntakeJob, QuarantinedRecord


def can_ingest(user: User) -> bool:
    return bool(visible_unit_ids(user))


def jobs_for(user: User) -> QuerySet[IntakeJob]:
    return scope(IntakeJob.objects.all(), user)


def quarantine_for(user: User) -> QuerySet[QuarantinedRecord]:
    return scope(QuarantinedRecord.objects.select_related("job", "unit"), user)
