"""Read side of intake, scoped to the user's units like every operational query."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from portcontrol.accounts.models import User
from portcontrol.accounts.scoping import scope, visible_unit_ids
from portcontrol.manifests.models import Container

from .models import IntakeJob, QuarantinedRecord, StowageDiscrepancy, StowagePlan


def can_ingest(user: User) -> bool:
    return bool(visible_unit_ids(user))


def jobs_for(user: User) -> QuerySet[IntakeJob]:
    return scope(IntakeJob.objects.all(), user)


def quarantine_for(user: User) -> QuerySet[QuarantinedRecord]:
    return scope(QuarantinedRecord.objects.select_related("job", "unit"), user)


def discrepancies_for(user: User, *, kind: str = "", voyage: str = ""
                      ) -> QuerySet[StowageDiscrepancy]:
    """The current stowage discrepancies of the user's units, each with the id of the
    declared container (`container_pk`, for a box on a manifest but not on board); of one
    `kind` (a StowageDiscrepancy.Kind value; the caller checks it) and on voyages whose
    reference contains `voyage`, when given."""
    declared = Container.objects.filter(voyage_id=OuterRef("voyage_id"),
                                        number=OuterRef("container_number")).values("pk")[:1]
    rows = scope(StowageDiscrepancy.objects.select_related("plan", "job"), user).annotate(
        container_pk=Subquery(declared))
    if kind:
        rows = rows.filter(kind=kind)
    if voyage:
        rows = rows.filter(voyage_ref__icontains=voyage)
    return rows


def plans_for(user: User) -> QuerySet[StowagePlan]:
    return scope(StowagePlan.objects.all(), user)
