"""The hit-rate report: its numbers against a hand computation on small fixtures, its CSV, and
who may see which unit's figures."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from portcontrol.manifests.loading import do_load_records
from portcontrol.manifests.models import Container
from portcontrol.risk.models import Assessment, Outcome
from portcontrol.risk.reports import hit_rate_report
from portcontrol.testing.records import container_number, record

pytestmark = pytest.mark.django_db
SINCE, UNTIL = date(2026, 11, 1), date(2026, 11, 30)
IN_PERIOD, BEFORE = date(2026, 11, 24), date(2026, 10, 15)

# A container: (channel, selection_reason, selection_probability, outcome), where outcome is
# None (nothing recorded), "found", "nothing" (inspected, nothing found) or "not inspected".
SCENARIOS = {
    # Hand computation: 12 scored. Risk picks R1..R4: 3 inspected (R4 awaits), 2 found ->
    # naive 2/3. Random X1 (p=1/4, found), X2 (p=1/4), X3 (p=1/10): 3 inspected, 1 found.
    # Green G1 inspected outside the design (found) and G2 "not inspected": not estimated.
    # IPW: sum(y/p) = 1 + 1 + 4 = 6 -> 6/12 = 0.5; self-normalised 6 / (1+1+1+4+4+10) = 6/21.
    "targeting and random checks": (
        [("red", "risk", 1.0, "found"), ("red", "risk", 1.0, "nothing"),
         ("yellow", "risk", 1.0, "found"), ("yellow", "risk", 1.0, None),
         ("red", "random", 0.25, "found"), ("yellow", "random", 0.25, "nothing"),
         ("yellow", "random", 0.1, "nothing"),
         ("green", "", None, "found"), ("green", "", None, "not inspected"),
         ("green", "", None, None), ("green", "", None, None), ("green", "", None, None)],
        {"scored": 12, "risk": (4, 3, 2), "random": (3, 3, 1), "not_selected": (5, 1, 1),
         "awaiting": 1, "naive": 2 / 3, "ipw_inspected": 6, "ipw_hits": 3,
         "estimated": 6.0, "ht": 0.5, "hajek": 6 / 21, "lower_bound_only": False}),
    # No random check: only what targeting found is known: 1 of 10, a lower bound.
    "no random check": (
        [("red", "risk", 1.0, "found"), ("red", "risk", 1.0, "nothing")]
        + [("green", "", None, None)] * 8,
        {"scored": 10, "risk": (2, 2, 1), "random": (0, 0, 0), "not_selected": (8, 0, 0),
         "awaiting": 0, "naive": 0.5, "ipw_inspected": 2, "ipw_hits": 1, "estimated": 1.0,
         "ht": 0.1, "hajek": 0.5, "lower_bound_only": True}),
    # Targeting found nothing; one random pick drawn with p=1/2 found something: it stands
    # for 2 containers -> 2/4; self-normalised 2 / (1 + 2).
    "only the random check finds": (
        [("red", "risk", 1.0, "nothing"), ("yellow", "random", 0.5, "found"),
         ("green", "", None, None), ("green", "", None, None)],
        {"scored": 4, "risk": (1, 1, 0), "random": (1, 1, 1), "not_selected": (2, 0, 0),
         "awaiting": 0, "naive": 0.0, "ipw_inspected": 2, "ipw_hits": 1, "estimated": 2.0,
         "ht": 0.5, "hajek": 2 / 3, "lower_bound_only": False}),
    "nothing scored": (
        [],
        {"scored": 0, "risk": (0, 0, 0), "random": (0, 0, 0), "not_selected": (0, 0, 0),
         "awaiting": 0, "naive": None, "ipw_inspected": 0, "ipw_hits": 0, "estimated": 0.0,
         "ht": None, "hajek": None, "lower_bound_only": True}),
}


def _containers(port: str, prefix: str, n: int) -> list[Container]:
    records = [record(bl=f"{prefix}BL{i:05}", port=port,
                      container=container_number(f"{prefix}U{i:06}"),
                      voyage=f"{prefix}-9321483-001E") for i in range(n)]
    result = do_load_records(records, acting_user=None, source="hit-rate-fixture")
    assert result.rejected == 0, result.errors
    return list(Container.objects.filter(number__startswith=f"{prefix}U").order_by("number"))


def _assess(container: Container, day: date, channel: str, reason: str, p: float | None,
            outcome: str | None) -> None:
    Assessment.objects.update_or_create(container=container, defaults={
        "unit_id": container.unit_id, "arrival_date": day, "risk": 0.5, "channel": channel,
        "selection_reason": reason, "selection_probability": p, "reasons": []})
    if outcome is not None:
        Outcome.objects.create(container=container, unit_id=container.unit_id,
                               inspected=outcome != "not inspected", seizure=outcome == "found")


def build(specs) -> None:
    """The scenario's containers at PCU Baku in the period, plus decoys that must not count: a
    Baku seizure before the period and a Karachi seizure in it."""
    boxes = _containers("AZBAK", "BAK", len(specs) + 1)
    for box, spec in zip(boxes, specs, strict=False):
        _assess(box, IN_PERIOD, *spec)
    _assess(boxes[-1], BEFORE, "red", "random", 0.01, "found")
    karachi = _containers("PKKHI", "KHI", 1)[0]
    _assess(karachi, IN_PERIOD, "red", "random", 0.01, "found")


def baku_unit(org):
    return org["baku.analyst"].unit


def approx(value):
    return None if value is None else pytest.approx(value)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_numbers_match_the_hand_computation(org, name):
    specs, expected = SCENARIOS[name]
    build(specs)
    report = hit_rate_report([baku_unit(org).pk], SINCE, UNTIL)
    assert report.scored == expected["scored"]
    for group in ("risk", "random", "not_selected"):
        counts = getattr(report, group)
        assert (counts.containers, counts.inspected, counts.seizures) == expected[group], group
    assert report.awaiting == expected["awaiting"]
    assert report.risk.hit_rate == approx(expected["naive"])
    assert (report.ipw.inspected, report.ipw.hits) == (expected["ipw_inspected"],
                                                       expected["ipw_hits"])
    assert report.ipw.estimated_hits == pytest.approx(expected["estimated"])
    assert report.ipw.ht_rate == approx(expected["ht"])
    assert report.ipw.hajek_rate == approx(expected["hajek"])
    assert report.lower_bound_only is expected["lower_bound_only"]


def csv_measures(response) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["unit", "since", "until", "measure", "value"]
    assert {tuple(r[:3]) for r in rows[1:]} == {("pcu-baku", SINCE.isoformat(),
                                                 UNTIL.isoformat())}
    return {r[3]: r[4] for r in rows[1:]}


def as_float(text: str) -> float | None:
    return float(text) if text else None


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_csv_export_carries_the_same_numbers(org, login, name):
    specs, expected = SCENARIOS[name]
    build(specs)
    response = login(org["baku.analyst"]).get(reverse("report_hit_rate_csv"), {
        "unit": baku_unit(org).pk, "since": SINCE.isoformat(), "until": UNTIL.isoformat()})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "hit-rate-pcu-baku-2026-11-01-2026-11-30.csv" in response["Content-Disposition"]
    got = csv_measures(response)
    assert int(got["containers_scored"]) == expected["scored"]
    for group in ("risk", "random", "not_selected"):
        assert tuple(int(got[f"{group}_{k}"]) for k in ("containers", "inspected",
                                                          "seizures")) == expected[group]
    assert int(got["selected_awaiting_outcome"]) == expected["awaiting"]
    assert as_float(got["naive_hit_rate_risk_selected"]) == approx(expected["naive"])
    assert as_float(got["ipw_estimated_seizures_all_containers"]) == \
        pytest.approx(expected["estimated"])
    assert as_float(got["ipw_hit_rate_all_containers"]) == approx(expected["ht"])
    assert as_float(got["ipw_hit_rate_self_normalised"]) == approx(expected["hajek"])


def report_page(client, **params):
    query = {"since": SINCE.isoformat(), "until": UNTIL.isoformat(), **params}
    return client.get(reverse("report_hit_rate"), query)


def test_page_shows_the_numbers_and_explains_them(org, login):
    build(SCENARIOS["targeting and random checks"][0])
    response = report_page(login(org["baku.supervisor"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="scored">12<' in page and 'id="naive">66.7 %<' in page
    assert 'id="ipw"><strong>50.00 %</strong>' in page and 'id="hajek">28.57 %<' in page
    assert 'id="estimated-seizures">6.0<' in page and 'id="awaiting">1<' in page
    random_row = page.split('id="row-random"')[1].split("</tr>")[0]
    assert "<td>3</td><td>3</td><td>1</td>" in random_row and "33.3 %" in random_row
    assert "What the numbers mean" in page and "selection bias" in page
    assert 'id="few-random"' in page and 'id="lower-bound"' not in page
    assert reverse("report_hit_rate_csv") + f"?unit={baku_unit(org).pk}" in page


def test_without_random_checks_the_page_says_the_estimate_is_a_lower_bound(org, login):
    build(SCENARIOS["no random check"][0])
    page = report_page(login(org["baku.analyst"])).content.decode()
    assert 'id="lower-bound"' in page and 'id="ipw"><strong>10.00 %</strong>' in page


def test_default_period_is_the_last_thirty_days_of_the_users_unit(org, login):
    response = login(org["baku.officer"]).get(reverse("report_hit_rate"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "PCU Baku" in page and 'id="scored">0<' in page


def test_other_countries_get_404_and_see_only_their_own_unit(org, login):
    build(SCENARIOS["targeting and random checks"][0])
    baku = baku_unit(org).pk
    client = login(org["karachi.officer"])
    assert report_page(client, unit=baku).status_code == 404
    assert client.get(reverse("report_hit_rate_csv"), {
        "unit": baku, "since": SINCE.isoformat(), "until": UNTIL.isoformat()}).status_code == 404
    own = report_page(client).content.decode()
    assert "PCU Karachi" in own and 'id="scored">1<' in own and "PCU Baku" not in own


def test_the_national_coordinator_chooses_among_the_units_of_the_country(org, login):
    build(SCENARIOS["targeting and random checks"][0])
    client = login(org["az.coordinator"])
    page = report_page(client, unit=baku_unit(org).pk).content.decode()
    assert 'id="scored">12<' in page and "Customs HQ Azerbaijan" in page
    assert "PCU Karachi" not in page
    karachi = org["karachi.officer"].unit.pk
    assert report_page(client, unit=karachi).status_code == 404
    # without a choice: a unit that works a port (the headquarters works none), not the HQ
    first = report_page(client).content.decode()
    assert f'<option value="{baku_unit(org).pk}" selected>' in first
    assert 'id="scored">12<' in first


def test_the_programme_administrator_sees_no_figures(org, login):
    build(SCENARIOS["targeting and random checks"][0])
    client = login(org["programme.admin"])
    response = report_page(client, unit=baku_unit(org).pk)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="scored"' not in page
    assert "no access to the operational data" in page
    assert client.get(reverse("report_hit_rate_csv"), {"unit": baku_unit(org).pk}
                      ).status_code == 404


@pytest.mark.parametrize("params", [
    {"since": "2026-11-30", "until": "2026-11-01"},
    {"since": "not-a-date"},
    {"unit": "abc"},
])
def test_a_bad_period_or_unit_is_a_clear_error(org, login, params):
    client = login(org["baku.analyst"])
    response = report_page(client, **params)
    if "unit" in params:
        assert response.status_code == 404
        return
    assert response.status_code == 400 and 'class="field-error"' in response.content.decode()
    csv_response = client.get(reverse("report_hit_rate_csv"),
                              {"since": SINCE.isoformat(), "until": UNTIL.isoformat(),
                               **params})
    assert csv_response.status_code == 400 and csv_response.content


def test_pages_need_a_login(client):
    response = client.get(reverse("report_hit_rate"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
