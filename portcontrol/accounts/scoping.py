"""Who may see which unit's operational data. Every query for manifests, targets, cases or
messages goes through `scope()`: there is no other way to list them.

- officer, analyst, supervisor: their own unit;
- national coordinator: every unit of their country;
- programme administrator: no operational records at all (aggregates only, in reports);
- a user without a unit, or without a role, sees nothing (superusers included: the admin
  site does not expose operational tables).
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import UNIT_ROLES, Role, Unit, User


def visible_unit_ids(user: User) -> frozenset[int]:
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.unit_id is None:
        return frozenset()
    cached = getattr(user, "_visible_units", None)
    if cached is not None:
        return cached
    roles = user.role_set
    ids: set[int] = set()
    if roles & UNIT_ROLES:
        ids.add(user.unit_id)
    if Role.NATIONAL_COORDINATOR in roles:
        country = Unit.objects.filter(pk=user.unit_id).values_list("agency__country_id",
                                                                   flat=True).first()
        ids.update(Unit.objects.filter(agency__country_id=country).values_list("pk", flat=True))
    result = frozenset(ids)
    user._visible_units = result
    return result


def scope(queryset: QuerySet, user: User, *, unit_field: str = "unit") -> QuerySet:
    """Restrict `queryset` to rows whose `unit_field` is a unit the user may see."""
    ids = visible_unit_ids(user)
    if not ids:
        return queryset.none()
    return queryset.filter(**{f"{unit_field}_id__in": ids})


def can_see_operational_data(user: User) -> bool:
    return bool(visible_unit_ids(user))
