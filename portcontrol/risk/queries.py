"""Read side of risk results and rules, scoped to the user's units."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from portcontrol.accounts.models import Role, User
from portcontrol.accounts.scoping import scope
from portcontrol.ingest import queries as intake_queries
from portcontrol.ingest.models import StowageDiscrepancy
from portcontrol.web.language import in_reader_language

from .frames import arriving
from .models import Assessment, Rule

CHANNEL_ORDER = {"red": 0, "yellow": 1, "green": 2}


def localized_reasons(reasons: list[dict]) -> list[dict]:
    return [{**r, "text": in_reader_language(r.get("text_en", ""), r.get("text_ru"))}
            for r in reasons or []]


def targets(user: User, since: date, until: date,
            channels: tuple[str, ...] = ("red", "yellow")) -> list[Assessment]:
    """Selected containers arriving from `since` to `until`, by day, red first, riskiest first."""
    rows = list(scope(Assessment.objects.all(), user)
                .filter(arrival_date__range=(since, until), channel__in=channels)
                .select_related("container", "container__voyage", "unit")
                .order_by("arrival_date", "-risk")[:1000])
    rows.sort(key=lambda a: (a.arrival_date, CHANNEL_ORDER[a.channel], -a.risk))
    for a in rows:
        a.localized = localized_reasons(a.reasons)
    return rows


def undeclared_on_board(user: User, since: date, until: date) -> list[StowageDiscrepancy]:
    """Boxes that a stowage plan puts on board of a ship arriving from `since` to `until`
    and that no manifest declares: no container record, so no assessment, yet the classic
    sign of an undeclared box (ingest.stowage)."""
    undeclared = intake_queries.discrepancies_for(
        user, kind=StowageDiscrepancy.Kind.NOT_MANIFESTED)
    return list(undeclared.filter(arriving(since, until, "voyage__"))
                .select_related("voyage").distinct()
                .order_by("voyage_ref", "container_number")[:UNDECLARED_SHOWN])


UNDECLARED_SHOWN = 200


def rules_for(user: User) -> QuerySet[Rule]:
    return scope(Rule.objects.select_related("unit", "created_by", "decided_by"), user)


def can_write_rules(user: User) -> bool:
    return user.has_role(Role.ANALYST, Role.SUPERVISOR)


def can_approve_rules(user: User) -> bool:
    return user.has_role(Role.SUPERVISOR)
