"""A unit's selection settings: supervisors change them (audited), the unit reads them, other
units and roles cannot touch them, and the next scoring run uses them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portcontrol.audit.models import AuditRecord
from portcontrol.core.errors import InvalidValue, PermissionDenied
from portcontrol.risk.actions_settings import (RandomPicks, do_update_selection_settings,
                                               random_picks, settings_for)
from portcontrol.risk.models import UnitRiskSettings

pytestmark = pytest.mark.django_db

VALID = {"red_capacity": "12", "yellow_capacity": "40", "exploration_share": "0.1"}


def baku(org):
    return org["baku.officer"].unit


@pytest.mark.parametrize("red, yellow, share, picks", [
    (20, 60, 0.02, RandomPicks(0, 1)),  # the defaults: one random check a day
    (20, 60, 0.1, RandomPicks(2, 6)),
    (0, 0, 0.5, RandomPicks(0, 0)),
    (15, 45, 0.5, RandomPicks(8, 23)),  # halves round up
])
def test_random_checks_a_day(red, yellow, share, picks):
    settings = UnitRiskSettings(red_capacity=red, yellow_capacity=yellow,
                                exploration_share=share)
    assert random_picks(settings) == picks


def test_a_supervisor_changes_them_and_the_change_is_audited(org, login):
    client = login(org["baku.supervisor"])
    response = client.post(reverse("selection_settings"), VALID)
    assert response.status_code == 302
    stored = UnitRiskSettings.objects.get(unit=baku(org))
    assert (stored.red_capacity, stored.yellow_capacity, stored.exploration_share) == \
        (12, 40, 0.1)
    record = AuditRecord.objects.get(action="risk.settings")
    assert record.actor == org["baku.supervisor"] and record.unit_id == baku(org).pk
    assert record.before == {"red_capacity": 20, "yellow_capacity": 60,
                             "exploration_share": 0.02}
    assert record.after == {"red_capacity": 12, "yellow_capacity": 40,
                            "exploration_share": 0.1}
    page = client.get(reverse("selection_settings")).content.decode()
    assert 'id="random-picks">1 red, 4 yellow' in page
    assert 'id="few-random"' not in page
    targets = client.get(reverse("targets")).content.decode()
    assert "Each day: 12 red and 40 yellow places, 5 of them drawn at random." in targets


@pytest.mark.parametrize("who", ["baku.officer", "baku.analyst"])
def test_other_roles_read_but_cannot_change(org, login, who):
    client = login(org[who])
    page = client.get(reverse("selection_settings")).content.decode()
    assert 'id="red-capacity">20<' in page and 'id="settings-form"' not in page
    assert 'id="few-random"' in page  # the default 0.02 is below the advised share
    assert client.post(reverse("selection_settings"), VALID).status_code == 403
    assert not UnitRiskSettings.objects.filter(unit=baku(org)).exists()
    with pytest.raises(PermissionDenied):
        do_update_selection_settings(acting_user=org[who], unit=baku(org), red_capacity=1,
                                     yellow_capacity=1, exploration_share=0.1)


def test_a_supervisor_of_another_unit_cannot_change_them(org):
    with pytest.raises(PermissionDenied):
        do_update_selection_settings(acting_user=org["karachi.supervisor"], unit=baku(org),
                                     red_capacity=1, yellow_capacity=1,
                                     exploration_share=0.1)
    assert not AuditRecord.objects.filter(action="risk.settings").exists()


@pytest.mark.parametrize("who", ["az.coordinator", "programme.admin"])
def test_units_without_a_port_have_no_selection_settings(org, login, who):
    assert login(org[who]).get(reverse("selection_settings")).status_code == 404


@pytest.mark.parametrize("field, value, message", [
    ("red_capacity", "-1", "greater than or equal to 0"),
    ("red_capacity", "5001", "Red places a day must be from 0 to 5000."),
    ("yellow_capacity", "20001", "Yellow places a day must be from 0 to 20000."),
    ("exploration_share", "0.6", "The share drawn at random must be from 0 to 0.5."),
    ("exploration_share", "-0.1", "The share drawn at random must be from 0 to 0.5."),
    ("exploration_share", "nan", "Enter a number."),
    ("red_capacity", "ten", "Enter a whole number."),
])
def test_wrong_values_are_refused_naming_the_field(org, login, field, value, message):
    client = login(org["baku.supervisor"])
    response = client.post(reverse("selection_settings"), {**VALID, field: value})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert settings_for(baku(org)).red_capacity == 20  # nothing stored
    assert 'id="red-capacity">20<' in page  # the stored value, not the refused one
    assert not AuditRecord.objects.filter(action="risk.settings").exists()


def test_the_action_refuses_what_the_form_would(org):
    with pytest.raises(InvalidValue) as exc:
        do_update_selection_settings(acting_user=org["baku.supervisor"], unit=baku(org),
                                     red_capacity=10, yellow_capacity=10,
                                     exploration_share=float("nan"))
    assert exc.value.field == "exploration_share"
