import pytest

from portcontrol.accounts.actions import do_create_user, do_set_roles
from portcontrol.accounts.models import Role, Unit
from portcontrol.accounts.scoping import visible_unit_ids
from portcontrol.audit.models import AuditRecord
from portcontrol.core.errors import InvalidValue

pytestmark = pytest.mark.django_db


def unit(code):
    return Unit.objects.get(code=code)


@pytest.mark.parametrize("persona, visible", [
    ("baku.officer", {"pcu-baku"}),
    ("baku.supervisor", {"pcu-baku"}),
    ("karachi.officer", {"pcu-karachi"}),
    ("poti.officer", {"pcu-poti"}),
    ("az.coordinator", {"pcu-baku", "az-hq"}),
    ("programme.admin", set()),
])
def test_each_persona_sees_exactly_its_units(org, persona, visible):
    ids = visible_unit_ids(org[persona])
    assert {u.code for u in Unit.objects.filter(pk__in=ids)} == visible


def test_user_without_role_or_unit_sees_nothing(org):
    no_role = do_create_user(username="norole", password=None, unit=unit("pcu-baku"), roles=[],
                             acting_user=None)
    no_unit = do_create_user(username="nounit", password=None, unit=None,
                             roles=[Role.OFFICER], acting_user=None)
    assert visible_unit_ids(no_role) == frozenset()
    assert visible_unit_ids(no_unit) == frozenset()


def test_inactive_user_sees_nothing(baku_officer):
    baku_officer.is_active = False
    assert visible_unit_ids(baku_officer) == frozenset()


def test_role_changes_are_audited(baku_officer, baku_supervisor):
    do_set_roles(user=baku_officer, roles=[Role.OFFICER, Role.ANALYST], acting_user=baku_supervisor)
    rec = AuditRecord.objects.filter(action="user.set_roles").latest("id")
    assert rec.before == {"roles": ["officer"]}
    assert rec.after == {"roles": ["analyst", "officer"]}
    assert rec.actor == baku_supervisor


def test_unknown_role_is_refused(baku_officer):
    with pytest.raises(InvalidValue, match="Unknown role"):
        do_set_roles(user=baku_officer, roles=["admiral"], acting_user=None)


def test_refusals_of_the_account_actions_read_in_both_languages(baku_officer, karachi_officer):
    from portcontrol.accounts.actions import (do_create_agency, do_create_unit, do_create_user,
                                              do_issue_api_token)
    from portcontrol.core.errors import PermissionDenied

    attempts = [
        (lambda: do_set_roles(user=baku_officer, roles=["admiral"], acting_user=None),
         "Неизвестные роли: admiral"),
        (lambda: do_create_agency(country="QQ", name="X", kind="customs", acting_user=None),
         "Страны 'QQ' нет"),
        (lambda: do_create_agency(country="AZ", name="X", kind="navy", acting_user=None),
         "вид ведомства 'navy'"),
        (lambda: do_create_unit(agency=baku_officer.unit.agency, code="x", name="X",
                                kind="fleet", acting_user=None), "вид подразделения 'fleet'"),
        (lambda: do_create_user(username=baku_officer.username, password=None, unit=None,
                                roles=[], acting_user=None), "уже существует"),
        (lambda: do_issue_api_token(user=baku_officer, name="t", acting_user=karachi_officer),
         "API-токен"),
    ]
    for attempt, russian in attempts:
        with pytest.raises((InvalidValue, PermissionDenied)) as caught:
            attempt()
        assert russian in caught.value.message_ru and caught.value.message
