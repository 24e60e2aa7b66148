"""validate_record: each rule, table-driven, and the fast checks against python-stdnum."""

from __future__ import annotations

import copy
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iso6346

from portcontrol.intake.fastchecks import clean_container_numbers, is_clean_container_number
from portcontrol.intake.validate import Reference, validate_record
from portcontrol.testing.records import BAKU_CONTAINER, record


def base() -> dict[str, Any]:
    return record(bl="MSCUGYE000001", port="AZBAK", container=BAKU_CONTAINER)


def changed(path: str, value: Any) -> dict[str, Any]:
    """A copy of the base record with one field set; path like 'containers.0.vgm_kg'."""
    rec = base()
    *parents, last = path.split(".")
    target: Any = rec
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return rec


def test_valid_record_is_clean_and_normalised():
    clean, findings = validate_record(base())
    assert findings == []
    assert clean is not None
    box = clean["containers"][0]
    assert box["gross_mass_kg"] == 26500.0 and box["reefer"] is True
    assert clean["parties"]["notify"] is None


ERRORS = [
    ("containers.0.container_number", "MSCU1234567", "containers[0].container_number",
     "check_digit"),
    ("containers.0.container_number", "MSCX1234566", "containers[0].container_number",
     "format"),
    ("containers.0.container_number", "", "containers[0].container_number", "empty"),
    ("containers.0.size_type", "45X9", "containers[0].size_type", "unknown"),
    ("containers.0.size_type", "4", "containers[0].size_type", "format"),
    ("port_of_loading", "EC GY", "port_of_loading", "format"),
    ("voyage.port_of_call", "", "voyage.port_of_call", "missing"),
    ("voyage.vessel_imo", "9321484", "voyage.vessel_imo", "check_digit"),
    ("voyage.vessel_flag", "XX", "voyage.vessel_flag", "unknown"),
    ("voyage.eta", "24/11/2026", "voyage.eta", "date"),
    ("bl_number", "  ", "bl_number", "missing"),
    ("containers.0.goods.0.hs_code", "999999", "containers[0].goods[0].hs_code", "unknown"),
    ("containers.0.goods.0.hs_code", "99", "containers[0].goods[0].hs_code", "unknown"),
    ("containers.0.goods.0.hs_code", "08039", "containers[0].goods[0].hs_code", "format"),
    ("containers.0.goods.0.hs_code", "9999990000", "containers[0].goods[0].hs_code",
     "unknown"),
    ("containers.0.goods.0.currency", "DOLLARS", "containers[0].goods[0].currency", "format"),
    ("containers.0.goods.0.currency", "ABC", "containers[0].goods[0].currency", "unknown"),
    ("containers.0.goods.0.origin_country", "ZZ", "containers[0].goods[0].origin_country",
     "unknown"),
    ("containers.0.gross_mass_kg", 0, "containers[0].gross_mass_kg", "range"),
    ("containers.0.gross_mass_kg", -3, "containers[0].gross_mass_kg", "range"),
    ("containers.0.gross_mass_kg", "heavy", "containers[0].gross_mass_kg", "type"),
    ("containers.0.gross_mass_kg", "nan", "containers[0].gross_mass_kg", "range"),
    ("containers.0.goods.0.value", 0, "containers[0].goods[0].value", "range"),
    ("containers.0.goods.0.packages", 10.5, "containers[0].goods[0].packages", "type"),
    ("containers.0.reefer", "maybe", "containers[0].reefer", "type"),
    ("parties.shipper.country", "E", "parties.shipper.country", "format"),
    ("containers", "not a list", "containers", "type"),
]


@pytest.mark.parametrize("path, value, field, code", ERRORS)
def test_an_error_rejects_the_record_and_names_the_field(path, value, field, code):
    clean, findings = validate_record(changed(path, value), source="f", location="line 9")
    assert clean is None
    errors = [f for f in findings if f.is_error]
    assert [(f.field, f.code) for f in errors] == [(field, code)]
    assert errors[0].record_key == ("" if path == "bl_number" else "MSCUGYE000001")
    assert errors[0].location == "line 9"


WARNINGS = [
    ("port_of_loading", "ZZABC", "port_of_loading", "unknown_locode"),
    ("transshipment_ports", ["ESALG", "ZZABC"], "transshipment_ports", "unknown_locode"),
    ("containers.0.vgm_kg", 20000, "containers[0].vgm_kg", "vgm_far"),
    ("containers.0.goods.0.net_kg", 23000, "containers[0].goods[0].net_kg", "net_above_gross"),
    ("containers.0.goods.0.currency", "", "containers[0].goods[0].currency", "missing"),
    ("containers.0.full_empty", "X", "containers[0].full_empty", "unknown"),
    ("containers", [], "containers", "no_containers"),
]


@pytest.mark.parametrize("path, value, field, code", WARNINGS)
def test_a_warning_keeps_the_record(path, value, field, code):
    clean, findings = validate_record(changed(path, value))
    assert clean is not None
    assert [(f.field, f.code, f.severity) for f in findings] == [(field, code, "warning")]


@pytest.mark.parametrize("hs", ["08", "0803", "080390", "0803900010", "08039000"])
def test_hs_codes_at_every_level(hs):
    clean, findings = validate_record(changed("containers.0.goods.0.hs_code", hs))
    assert findings == [] and clean["containers"][0]["goods"][0]["hs_code"] == hs


def test_values_are_normalised():
    rec = changed("containers.0.container_number", "mscu 123456-6")
    rec["voyage"]["vessel_imo"] = "IMO 9321483"
    rec["port_of_loading"] = " ec gye "
    rec["containers"][0]["goods"][0]["hs_code"] = "0803.90"
    rec["containers"][0]["seals"] = "A1; B2 ;"
    clean, findings = validate_record(rec)
    assert findings == []
    assert clean["containers"][0]["container_number"] == "MSCU1234566"
    assert clean["voyage"]["vessel_imo"] == "9321483"
    assert clean["port_of_loading"] == "ECGYE"
    assert clean["containers"][0]["goods"][0]["hs_code"] == "080390"
    assert clean["containers"][0]["seals"] == ["A1", "B2"]


def test_every_error_is_reported_not_only_the_first():
    rec = changed("containers.0.container_number", "MSCU1234567")
    rec["containers"][0]["goods"][0]["hs_code"] = "999999"
    _, findings = validate_record(rec, locations={"containers[0]": "line 4"}, location="line 3")
    assert {f.field for f in findings} == {"containers[0].container_number",
                                           "containers[0].goods[0].hs_code"}
    assert {f.location for f in findings} == {"line 4"}


@pytest.mark.parametrize("junk", [None, 7, "text", [], {"voyage": "x", "containers": [1]},
                                  {"parties": {"shipper": "x"}}, {"bl_number": {"a": 1}}])
def test_junk_records_are_rejected_without_exceptions(junk):
    clean, findings = validate_record(copy.deepcopy(junk))
    assert clean is None and any(f.is_error for f in findings)


def test_reference_check_remembers_and_never_raises():
    ref = Reference.load()
    assert ref.check("locode", "GEPTI") == ("GEPTI", None)
    _value, problem = ref.check("locode", "??")
    assert problem is not None and problem[0] == "error"
    assert ref.is_clean("hs", "080390") and not ref.is_clean("hs", "0803.90")


ALNUM = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -", max_size=13)
NUMBERS = st.builds(lambda owner, cat, serial: owner + cat + serial,
                    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
                    st.sampled_from("UJZ"), st.text(alphabet="0123456789", min_size=7,
                                                    max_size=7))


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.one_of(NUMBERS, ALNUM), max_size=30))
def test_fast_container_checks_agree_with_stdnum(numbers):
    expected = [iso6346.is_valid(n) and n == iso6346.compact(n) for n in numbers]
    assert [is_clean_container_number(n) for n in numbers] == expected
    assert clean_container_numbers(pl.Series(numbers, dtype=pl.String)).tolist() == expected


# (arrival, departure, transshipment ports, clean days or None when rejected, findings)
TRANSSHIPMENT_DAYS = [
    ("2026-11-03", "2026-11-09", ["ESALG"], ("2026-11-03", "2026-11-09"), []),
    ("", "", ["ESALG"], ("", ""), []),
    (None, None, [], ("", ""), []),
    ("2026-11-03T22:15:00Z", " 2026-11-09 ", ["ESALG"], ("2026-11-03", "2026-11-09"), []),
    ("2026-11-09", "2026-11-09", ["ESALG"], ("2026-11-09", "2026-11-09"), []),
    ("2026-11-03", "", ["ESALG"], ("2026-11-03", ""), []),
    ("03.11.2026", "2026-11-09", ["ESALG"], None,
     [("transshipment_arrival", "date", "error")]),
    ("2026-02-30", "", ["ESALG"], None, [("transshipment_arrival", "date", "error")]),
    ("2026-11-09", "2026-11-03", ["ESALG"], None,
     [("transshipment_departure", "transshipment_order", "error")]),
    ("2026-11-20", "2026-11-25", ["ESALG"], ("2026-11-20", "2026-11-25"),
     [("transshipment_departure", "transshipment_after_arrival", "warning")]),
    ("2026-11-25", "", ["ESALG"], ("2026-11-25", ""),
     [("transshipment_arrival", "transshipment_after_arrival", "warning")]),
    ("2026-11-03", "2026-11-09", [], ("2026-11-03", "2026-11-09"),
     [("transshipment_ports", "transshipment_dates_without_port", "warning")]),
    ("20261103", "", ["ESALG"], ("2026-11-03", ""), []),  # ISO 8601's basic form
    (1103, "", ["ESALG"], None, [("transshipment_arrival", "date", "error")]),
    (["2026-11-03"], "", ["ESALG"], None, [("transshipment_arrival", "type", "error")]),
]


@pytest.mark.parametrize("arrived, left, ports, days, found", TRANSSHIPMENT_DAYS)
def test_transshipment_days(arrived, left, ports, days, found):
    """The days a bill's boxes spent at their last transshipment port (the ship arrives here
    on 2026-11-24): ISO days, in order, before this port's arrival, with a port to go with."""
    rec = base() | {"transshipment_ports": ports}
    if arrived is not None:
        rec |= {"transshipment_arrival": arrived, "transshipment_departure": left}
    clean, findings = validate_record(rec)
    assert [(f.field, f.code, f.severity) for f in findings] == found
    if days is None:
        assert clean is None
    else:
        assert clean is not None
        assert (clean["transshipment_arrival"], clean["transshipment_departure"]) == days


def test_transshipment_day_findings_speak_russian():
    rec = base() | {"transshipment_arrival": "2026-11-09", "transshipment_departure": "2026-11-03"}
    _clean, findings = validate_record(rec)
    assert "раньше прибытия" in findings[0].message_ru
    assert "2026-11-03" in findings[0].message and "2026-11-09" in findings[0].message
