"""Every change to organisations, people, roles and tokens: audited, in one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from portcontrol.audit.log import record
from portcontrol.core.errors import InvalidValue, PermissionDenied
from portcontrol.reference.models import Country

from .models import Agency, ApiToken, Role, Unit, User, UserRole

ROLE_VALUES = frozenset(Role.values)


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in ROLE_VALUES]
    if unknown:
        raise InvalidValue(f"Unknown role(s): {', '.join(unknown)}. Known roles: "
                           f"{', '.join(sorted(ROLE_VALUES))}.", field="roles",
                           message_ru=f"Неизвестные роли: {', '.join(unknown)}. Роли: "
                           f"{', '.join(sorted(ROLE_VALUES))}.")
    return roles


def do_create_agency(*, country: str, name: str, kind: str, acting_user: User | None) -> Agency:
    if kind not in Agency.Kind.values:
        raise InvalidValue(f"Unknown agency kind {kind!r}.", field="kind",
                           message_ru=f"Неизвестный вид ведомства {kind!r}.")
    if not Country.objects.filter(code=country).exists():
        raise InvalidValue(f"Country {country!r} is not in ISO 3166-1.", field="country",
                           message_ru=f"Страны {country!r} нет в ISO 3166-1.")
    with transaction.atomic():
        agency, created = Agency.objects.get_or_create(country_id=country, name=name,
                                                       defaults={"kind": kind})
        if created:
            record(actor=acting_user, action="agency.create", object_type="agency",
                   object_id=agency.pk, after={"country": country, "name": name, "kind": kind})
    return agency


def do_create_unit(*, agency: Agency, code: str, name: str, kind: str, ports: str = "",
                   acting_user: User | None) -> Unit:
    if kind not in Unit.Kind.values:
        raise InvalidValue(f"Unknown unit kind {kind!r}.", field="kind",
                           message_ru=f"Неизвестный вид подразделения {kind!r}.")
    with transaction.atomic():
        unit, created = Unit.objects.get_or_create(
            code=code, defaults={"agency": agency, "name": name, "kind": kind, "ports": ports})
        if created:
            record(actor=acting_user, action="unit.create", object_type="unit", object_id=unit.pk,
                   unit_id=unit.pk,
                   after={"agency": agency.pk, "code": code, "name": name, "kind": kind,
                          "ports": ports})
    return unit


def do_create_user(*, username: str, password: str | None, unit: Unit | None,
                   roles: Iterable[str], acting_user: User | None, email: str = "",
                   is_staff: bool = False) -> User:
    roles = _check_roles(roles)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise InvalidValue(f"User {username!r} already exists.", field="username",
                               message_ru=f"Пользователь {username!r} уже существует.")
        user = User(username=username, email=email, unit=unit, is_staff=is_staff)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles])
        record(actor=acting_user, action="user.create", object_type="user", object_id=user.pk,
               unit_id=unit.pk if unit else None,
               after={"username": username, "unit": unit.pk if unit else None, "roles": roles,
                      "is_staff": is_staff})
    return user


def do_set_roles(*, user: User, roles: Iterable[str], acting_user: User | None) -> None:
    roles = _check_roles(roles)
    with transaction.atomic():
        before = sorted(UserRole.objects.filter(user=user).values_list("role", flat=True))
        if before == roles:
            return
        UserRole.objects.filter(user=user).delete()
        UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles])
        record(actor=acting_user, action="user.set_roles", object_type="user", object_id=user.pk,
               unit_id=user.unit_id, before={"roles": before}, after={"roles": roles})
    user.__dict__.pop("_role_cache", None)
    user.__dict__.pop("_visible_units", None)


def do_issue_api_token(*, user: User, name: str, acting_user: User) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns (token row, clear token shown once)."""
    if acting_user.pk != user.pk and not acting_user.is_superuser:
        raise PermissionDenied("Only the user or a superuser may issue the user's API token.",
                               message_ru="Выпустить API-токен пользователя может только он "
                               "сам или суперпользователь.")
    clear = "pc_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:80], prefix=clear[3:11],
                                        digest=ApiToken.digest_of(clear))
        record(actor=acting_user, action="api_token.issue", object_type="api_token",
               object_id=token.pk, unit_id=user.unit_id,
               after={"user": user.pk, "name": token.name, "prefix": token.prefix})
    return token, clear


def do_revoke_api_token(*, token: ApiToken, acting_user: User) -> None:
    if acting_user.pk != token.user_id and not acting_user.is_superuser:
        raise PermissionDenied("Only the token's user or a superuser may revoke it.",
                               message_ru="Отозвать токен может только его пользователь или "
                               "суперпользователь.")
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=acting_user, action="api_token.revoke", object_type="api_token",
               object_id=token.pk, unit_id=token.user.unit_id,
               before={"revoked": False}, after={"revoked": True})
