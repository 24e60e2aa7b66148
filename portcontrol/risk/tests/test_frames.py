"""Container lines read from the database in the engine's shape: one row per container (its
first goods line), every column typed as the engine expects, and the arrival days inclusive."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from portcontrol.manifests.loading import do_load_records
from portcontrol.manifests.models import Container
from portcontrol.risk.frames import lines_for_units
from portcontrol.risk.models import Outcome
from portcontrol.testing.records import container_number, record

pytestmark = pytest.mark.django_db
FIRST = container_number("MSCU800001")
SECOND = container_number("MSCU800002")
HOSTILE = 'Bananas, "Cavendish"; 20\' \\ box\nsecond line\tend'


def _load(*records):
    result = do_load_records(list(records), acting_user=None, source="frames-test")
    assert result.rejected == 0, result.errors


def _arrival(bl: str, box: str, voyage: str, eta: str, **changes):
    rec = copy.deepcopy(record(bl=bl, port="AZBAK", container=box, voyage=voyage,
                               transshipment=["ESALG", "PAONX"]))
    rec["voyage"]["eta"] = eta
    rec.update(changes)
    return rec


@pytest.fixture
def baku(org):
    two_lines = _arrival("BL1", FIRST, "V-1", "2026-11-10T23:30:00Z")
    goods = two_lines["containers"][0]["goods"]
    goods.append({**goods[0], "hs_code": "090111", "description": "Coffee", "value": 99.5})
    second_bill = _arrival("BL2", FIRST, "V-1", "2026-11-10T23:30:00Z")
    second_bill["containers"][0]["goods"][0]["hs_code"] = "220300"
    two_lines["containers"][0]["goods"][0]["description"] = HOSTILE
    no_notify = _arrival("BL3", SECOND, "V-2", "2026-11-11T00:00:00Z")
    no_notify["containers"][0]["reefer"] = False
    no_notify["containers"][0]["size_type"] = "45G1"
    _load(two_lines, second_bill, no_notify)
    return org["baku.analyst"].unit


def test_one_row_per_container_from_its_first_line(baku):
    frame = lines_for_units([baku.pk])
    assert frame["container_number"].to_list() == [FIRST, SECOND]
    first = frame.row(0, named=True)
    # the first bill's first goods line, not the coffee nor the second bill's beer
    assert (first["bl_number"], first["hs_code"]) == ("BL1", "080390")
    assert first["goods_description"] == HOSTILE  # quotes, separators, a line break, a tab
    assert first["transshipment_ports"] == "ESALG;PAONX" and first["seals"] == "EC1234567"
    assert (first["reefer"], first["seals_changed"]) == ("1", 0)
    assert (first["gross_mass_kg"], first["value"], first["packages"]) == (26500.0, 15400.0,
                                                                           1080.0)
    assert first["eta"] == "2026-11-10T23:30:00Z" and first["arrival_date"] == date(2026, 11, 10)
    assert first["unit_code"] == "pcu-baku" and first["port_of_call"] == "AZBAK"
    assert (first["inspected"], first["seizure"]) == (False, False)
    second = frame.row(1, named=True)
    assert second["reefer"] == "0" and second["notify_name"] is None
    assert second["arrival_date"] == date(2026, 11, 11)


def test_outcomes_come_with_their_container(baku):
    box = Container.objects.get(number=SECOND)
    Outcome.objects.create(container=box, unit=baku, inspected=True, seizure=True)
    frame = lines_for_units([baku.pk])
    assert frame.select("inspected", "seizure").rows() == [(False, False), (True, True)]


@pytest.mark.parametrize("since, until, expected", [
    (date(2026, 11, 10), date(2026, 11, 10), [FIRST]),  # 23:30 is still the 10th
    (date(2026, 11, 11), date(2026, 11, 11), [SECOND]),  # midnight is the 11th
    (date(2026, 11, 10), None, [FIRST, SECOND]),
    (None, date(2026, 11, 9), []),
])
def test_arrival_days_are_inclusive(baku, since, until, expected):
    frame = lines_for_units([baku.pk], since=since, until=until)
    assert frame["container_number"].to_list() == expected


def test_another_units_lines_are_not_read(baku, org):
    assert lines_for_units([org["karachi.analyst"].unit.pk]).height == 0


@pytest.mark.parametrize("text", ["\\N", "NULL", "null", '""'])
def test_a_text_that_reads_like_a_null_marker_stays_text(org, text):
    """PostgreSQL's lines come as CSV: no description or name, whatever it reads, is taken
    for a missing value, and the missing notify party is still missing."""
    rec = _arrival("BL9", FIRST, "V-9", "2026-11-12T08:00:00Z")
    rec["containers"][0]["goods"][0]["description"] = text
    rec["parties"]["consignee"]["name"] = text
    _load(rec)
    row = lines_for_units([org["baku.analyst"].unit.pk]).row(0, named=True)
    assert (row["goods_description"], row["consignee_name"]) == (text, text)
    assert row["notify_name"] is None  # the record names none


def _empty_box(bl: str, serial: str, eta: str) -> dict:
    rec = _arrival(bl, container_number(serial), f"V-{bl}", eta)
    box = rec["containers"][0]
    box.update(full_empty="E", reefer=False, size_type="45G1", gross_mass_kg=3900,
               vgm_kg=3900, goods=[])
    return rec


def test_a_container_without_goods_lines_is_read_from_its_bill(baku):
    """Empties being repositioned have no goods lines; they are scored like any box."""
    _load(_empty_box("EMPTY1", "MSCU800003", "2026-11-10T12:00:00Z"))
    frame = lines_for_units([baku.pk], since=date(2026, 11, 10), until=date(2026, 11, 10))
    assert frame["container_number"].to_list() == [FIRST, container_number("MSCU800003")]
    empty = frame.row(1, named=True)
    assert (empty["full_empty"], empty["bl_number"], empty["gross_mass_kg"]) == ("E", "EMPTY1",
                                                                              3900.0)
    assert empty["consignee_name"] == "Caspian Fresh LLC" and empty["voyage_id"] == "V-EMPTY1"
    assert all(empty[c] is None for c in ("hs_code", "goods_description", "goods_gross_kg",
                                          "value", "packages", "origin_country"))
    assert empty["arrival_date"] == date(2026, 11, 10) and empty["inspected"] is False
    # the days filter it like any box
    assert lines_for_units([baku.pk], since=date(2026, 11, 11)).height == 1


def test_another_units_empties_are_not_read(baku, org):
    karachi = _empty_box("EMPTY2", "MSCU800004", "2026-11-10T12:00:00Z")
    karachi["voyage"]["port_of_call"] = karachi["port_of_discharge"] = "PKKHI"
    karachi["final_destination"] = "PKKHI"
    _load(karachi)
    assert container_number("MSCU800004") not in lines_for_units([baku.pk])["container_number"]
    khi = lines_for_units([org["karachi.analyst"].unit.pk])
    assert khi["container_number"].to_list() == [container_number("MSCU800004")]


@pytest.mark.parametrize("days, dwell", [
    (("2026-10-20", "2026-11-04"), 15.0),
    (("2026-11-03", "2026-11-03"), 0.0),
    (("2026-11-03", ""), None),
    (("", ""), None),
])
def test_the_dwell_at_transshipment_comes_from_the_bills_days(org, days, dwell):
    arrived, left = days
    _load(_arrival("BL9", FIRST, "V-9", "2026-11-10T06:00:00Z",
                   transshipment_arrival=arrived, transshipment_departure=left))
    [row] = lines_for_units([org["baku.analyst"].unit.pk]).rows(named=True)
    assert row["hub_dwell_days"] == dwell


def test_a_long_dwell_at_transshipment_is_a_reason_for_the_risk(org):
    from portcontrol.risk.models import Assessment
    from portcontrol.risk.pipeline import score_unit

    _load(_arrival("BL1", FIRST, "V-1", "2026-11-10T06:00:00Z",
                   transshipment_arrival="2026-10-20", transshipment_departure="2026-11-04"),
          _arrival("BL2", SECOND, "V-1", "2026-11-10T06:00:00Z",
                   transshipment_arrival="2026-11-02", transshipment_departure="2026-11-04"))
    score_unit(org["baku.analyst"].unit, since=date(2026, 11, 9), until=date(2026, 11, 11))
    long_stay = Assessment.objects.get(container__number=FIRST)
    [reason] = [r for r in long_stay.reasons if r["id"] == "hub_dwell"]
    assert reason["text_en"] == "15 days at transshipment in Colón"  # the last port's days
    assert reason["text_ru"] == "15 дн. на перевалке в порту Colón"
    short_stay = Assessment.objects.get(container__number=SECOND)
    assert not [r for r in short_stay.reasons if r["id"] == "hub_dwell"]
    assert long_stay.risk > short_stay.risk
