"""EDIFACT: CUSCAR in several directories and carrier styles, malformed interchanges,
the pydifact engine as a reference, writer round trips, BAPLIE and the stowage check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydifact.control import Characters

from portcontrol.intake import IntakeError, compare_stowage, read
from portcontrol.intake.baplie import (
    boxes_on_board,
    containers_by_voyage,
    containers_on_board,
    mass_differences,
    read_baplie,
    type_differences,
)
from portcontrol.intake.cuscar import dtm_iso, read_cuscar
from portcontrol.intake.edifact import segments, split_elements
from portcontrol.intake.edifact_writer import write_baplie, write_cuscar
from portcontrol.intake.profiles import load_profile
from portcontrol.intake.validate import validate_record
from portcontrol.testing.records import sample_records


def cuscar(path: Path, **kw: Any) -> tuple[list[Any], list[Any]]:
    sink: list[Any] = []
    return list(read_cuscar(path, file_findings=sink, **kw)), sink


@pytest.mark.parametrize("name, profile, bills, containers", [
    ("cuscar_d95b_una_lines.edi", None, ["MSCUGYE000001", "MSCUGYE000002"], [1, 2]),
    ("cuscar_d00b_oneline.edi", None, ["ONEY7557922172", "ONEY0212357933"], [2, 1]),
    ("cuscar_d21a_utf8.edi", None, ["CMAUPTI000001"], [1]),
    ("cuscar_rff_c058.edi", "rff_containers", ["HLCUNLR000001", "HLCUNLR000002"], [1, 2]),
    ("cuscar_d95b_transshipment_days.edi", None, ["MSCUGYE000001", "MSCUGYE000002"], [1, 2]),
])
def test_valid_cuscar_samples(samples, name, profile, bills, containers):
    outs, sink = cuscar(samples / name, profile=profile)
    assert sink == []
    assert [o.record["bl_number"] for o in outs] == bills
    assert [len(o.record["containers"]) for o in outs] == containers
    assert all(o.findings == [] for o in outs)


def test_the_transshipment_days_sample_gives_the_last_ports_actual_days(samples):
    """Two ports dated (Balboa, then Algeciras with an estimated and an actual arrival and a
    departure with its hour): the last port's actual days."""
    first, second = (o.record for o in cuscar(samples / "cuscar_d95b_transshipment_days.edi")[0])
    assert first["transshipment_ports"] == ["PAMIT", "ESALG"]
    assert (first["transshipment_arrival"], first["transshipment_departure"]) == (
        "2026-11-05", "2026-11-12")
    assert (second["transshipment_arrival"], second["transshipment_departure"]) == ("", "")


def test_release_characters_and_latin1_names(samples):
    outs, _ = cuscar(samples / "cuscar_d95b_una_lines.edi")
    first = outs[0].record
    assert first["parties"]["consignee"]["name"] == "CASPIAN'S BEST + CO: FRESH FRUIT"
    assert first["parties"]["shipper"]["name"] == "FRUTAS DEL PACÍFICO S.A."
    assert first["parties"]["shipper"]["address"] == "AV. 9 DE OCTUBRE 100, GUAYAQUIL, 090313"
    box = first["containers"][0]
    assert box["reefer"] is True and box["vgm_kg"] == 26550.0 and box["seals"] == ["EC1234567"]
    goods = box["goods"][0]
    assert (goods["hs_code"], goods["packages"], goods["package_type"]) == ("080390", 1080, "CT")
    assert goods["description"] == "FRESH BANANAS CAVENDISH GRADE A"
    assert (goods["value"], goods["currency"], goods["origin_country"]) == (15400.0, "USD", "EC")
    assert first["voyage"] == {"voyage_id": "MSCU-9321483-001E", "vessel_imo": "9321483",
                               "vessel_name": "MSC ANNA", "vessel_flag": "PA",
                               "carrier": "MSCU", "port_of_call": "AZBAK",
                               "eta": "2026-11-24T06:00:00Z"}
    assert first["transshipment_ports"] == ["ESALG"] and first["freight_terms"] == "PREPAID"
    empty = outs[1].record["containers"][1]
    assert empty["full_empty"] == "E" and empty["goods"] == []


def test_goods_go_to_the_container_their_sgp_names(samples):
    outs, _ = cuscar(samples / "cuscar_d00b_oneline.edi")
    boxes = outs[0].record["containers"]
    assert [g["hs_code"] for g in boxes[0]["goods"]] == ["870830"]
    assert [g["hs_code"] for g in boxes[1]["goods"]] == ["841370"]
    assert outs[0].record["voyage"]["eta"] == "2026-11-25"


def test_utf8_interchange_keeps_its_scripts(samples):
    outs, _ = cuscar(samples / "cuscar_d21a_utf8.edi")
    rec = outs[0].record
    assert rec["parties"]["consignee"]["name"] == "ქუთაისი ტრეიდ შპს"
    assert rec["containers"][0]["goods"][0]["description"].startswith("МЕБЕЛЬ ОФИСНАЯ")
    assert rec["final_destination"] == "AZBAK" and rec["voyage"]["eta"] == "2026-11-24T08:15:00Z"
    assert rec["containers"][0]["goods"][0]["hs_code"] == "9403300000"


def test_rff_profile_takes_equipment_from_the_header_and_names_from_c058(samples):
    outs, _ = cuscar(samples / "cuscar_rff_c058.edi", profile="rff_containers")
    reefer = outs[0].record["containers"][0]
    assert reefer["container_number"] == "GESU1231230" and reefer["reefer"] is True
    assert reefer["vgm_kg"] == 28000.0 and reefer["seals"] == ["HL100202"]
    shipper = outs[0].record["parties"]["shipper"]
    assert shipper == {"name": "HOLLAND HARBOUR FOODS BV", "address": "KADE 3 3011 ROTTERDAM",
                       "country": "NL"}
    # With the generic profile only the goods' SGP name the containers: no type, no VGM.
    generic, _ = cuscar(samples / "cuscar_rff_c058.edi")
    boxes = [c for o in generic for c in o.record["containers"]]
    assert len(boxes) == 3 and all(c["size_type"] == "" and c["vgm_kg"] is None for c in boxes)


@pytest.mark.parametrize("name, file_codes, accepted, rejected", [
    ("bad_truncated.edi", ["truncated", "unclosed", "unz_missing"], 1, 0),
    ("bad_unt_count.edi", ["count", "reference", "count", "reference"], 2, 0),
    ("bad_unknown_segments.edi", ["unknown_segment", "unknown_segment", "syntax"], 2, 0),
    ("bad_release.edi", ["release"], 2, 0),
    ("bad_non_utf8.edi", ["charset"], 1, 0),
    ("bad_no_unz.edi", ["unz_missing"], 2, 0),
    ("bad_no_unt_unz.edi", ["unclosed", "unz_missing"], 2, 0),
    ("bad_records.edi", [], 1, 3),
])
def test_malformed_interchanges_give_findings_and_keep_records(samples, name, file_codes,
                                                               accepted, rejected):
    outs, sink = cuscar(samples / name)
    assert [f.code for f in sink] == file_codes
    assert all(f.location.startswith("segment ") for f in sink if f.location)
    assert (sum(o.accepted for o in outs), sum(not o.accepted for o in outs)) == \
        (accepted, rejected)


def test_record_errors_point_at_segments(samples):
    outs, _ = cuscar(samples / "bad_records.edi")
    found = {(o.findings[0].record_key, f.field, f.code, f.location)
             for o in outs for f in o.findings if f.is_error}
    assert ("BADCHECKDIGIT01", "containers[0].container_number", "check_digit",
            "segment 10") in found
    assert ("UNKNOWNHS02", "containers[0].goods[0].hs_code", "unknown", "segment 22") in found
    assert ("BADNUMBERS04", "containers[0].goods[0].gross_kg", "type", "segment 42") in found
    warned = outs[2]
    assert warned.accepted and {f.code for f in warned.findings} == \
        {"unknown_locode", "vgm_far", "net_above_gross"}
    assert outs[0].raw["bl_number"] == "BADCHECKDIGIT01"


def test_truncated_file_keeps_the_complete_bills(samples):
    outs, _ = cuscar(samples / "bad_truncated.edi")
    assert outs[0].record["bl_number"] == "ONEY7557922172"
    assert [f.code for f in outs[0].findings] == ["incomplete"]


def test_bad_release_is_read_as_the_character(samples):
    outs, _ = cuscar(samples / "bad_release.edi")
    assert outs[1].record["parties"]["consignee"]["name"] == "ABSHERON X TRADE MMC"


VALID = ["cuscar_d95b_una_lines.edi", "cuscar_d00b_oneline.edi", "cuscar_d21a_utf8.edi",
         "cuscar_rff_c058.edi", "baplie_d95b.edi", "bad_unt_count.edi", "bad_no_unz.edi"]


@pytest.mark.parametrize("name", VALID)
def test_fast_engine_agrees_with_pydifact(samples, name):
    fast_sink: list[Any] = []
    slow_sink: list[Any] = []
    _, fast = segments(samples / name, findings=fast_sink)
    _, slow = segments(samples / name, findings=slow_sink, engine="pydifact")
    assert list(fast) == list(slow)
    assert fast_sink == slow_sink == []


@pytest.mark.parametrize("body, elements, odd", [
    ("NAD+CZ++A?'B?+C?:D", [["NAD"], ["CZ"], [""], ["A'B+C:D"]], []),
    ("FTX+AAA+++X:Y::", [["FTX"], ["AAA"], [""], [""], ["X", "Y"]], []),
    ("LOC+9+:139", [["LOC"], ["9"], ["", "139"]], []),
    ("NAD+CN+??A?B", [["NAD"], ["CN"], ["?AB"]], ["B"]),
])
def test_split_elements(body, elements, odd):
    assert split_elements(body, Characters.from_str(":+.? '")) == (elements, odd)


@pytest.mark.parametrize("value, fmt, expected", [
    ("202611240600", "203", "2026-11-24T06:00:00Z"), ("20261124", "102", "2026-11-24"),
    ("20261124061530", "204", "2026-11-24T06:15:30Z"), ("261124", "101", "2026-11-24"),
    ("202611240600", "", "2026-11-24T06:00:00Z"), ("2026-13-99", "203", "2026-13-99"),
])
def test_dtm_to_iso(value, fmt, expected):
    assert dtm_iso(value, fmt, "Z") == expected


@pytest.mark.parametrize("directory", ["95B", "00B", "21A"])
@pytest.mark.parametrize("una, one_per_line", [(True, True), (False, False)])
def test_writer_round_trip(tmp_path, generated_records, directory, una, one_per_line):
    records = [validate_record(r)[0] for r in generated_records[:400]]
    path = tmp_path / "out.edi"
    assert write_cuscar(records, path, directory=directory, una=una,
                        one_per_line=one_per_line) == 400
    outs, sink = cuscar(path)
    assert sink == []
    assert [o.record for o in outs] == records


def test_writer_round_trip_with_release_characters_and_rff_style(tmp_path):
    records = [validate_record(r)[0] for r in sample_records()]
    records[0]["parties"]["shipper"]["name"] = "AEGEAN'S + CO: EXPORT ?"
    path = tmp_path / "rff.edi"
    write_cuscar(records, path, style="rff_containers", directory="00B", charset="UNOC")
    outs, sink = cuscar(path, profile="rff_containers")
    assert sink == [] and [o.record for o in outs] == records


def test_other_message_types_are_refused_or_skipped(samples, tmp_path):
    with pytest.raises(IntakeError, match="BAPLIE messages, not CUSCAR"):
        cuscar(samples / "baplie_d95b.edi")
    with pytest.raises(IntakeError, match="CUSCAR messages, not BAPLIE"):
        list(read_baplie(samples / "cuscar_d00b_oneline.edi"))


def test_not_edifact_is_an_intake_error(samples):
    with pytest.raises(IntakeError, match="UNA or UNB"):
        cuscar(samples / "csv_generator_style.csv")


def test_profiles_extend_and_fail_clearly(tmp_path):
    assert load_profile("rff_containers")["containers"]["references"] == ["AAQ"]
    assert load_profile("rff_containers")["goods"]["segment"] == "GID"  # from generic
    loop = tmp_path / "loop.yaml"
    loop.write_text(f"extends: {loop}\nname: loop\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    for spec, english, russian in [("no_such_profile", "generic", "Нет профиля сообщений"),
                                   (loop, "circle", "по кругу"),
                                   ({"name": "empty"}, "sections", "нет разделов"),
                                   (broken, "not valid YAML", "недопустимый YAML"),
                                   (tmp_path / "absent.yaml", "Cannot read", "Не удаётся")]:
        with pytest.raises(IntakeError, match=english) as caught:
            load_profile(spec)
        assert russian in caught.value.message_ru  # an upload's failed job reads in Russian


def test_a_new_profile_needs_no_code(samples, tmp_path):
    """A carrier sending house B/Ls as RFF+BH and names in C058: a three-line profile."""
    profile = tmp_path / "house.yaml"
    profile.write_text("extends: generic\nname: house\nconsignment:\n"
                       "  bill_of_lading: [{segment: RFF, qualifiers: [BH], path: '0.1'}]\n")
    text = (samples / "cuscar_d95b_una_lines.edi").read_bytes().replace(b"RFF+BM:", b"RFF+BH:")
    path = tmp_path / "house.edi"
    path.write_bytes(text)
    outs, _ = cuscar(path, profile=profile)
    assert [o.record["bl_number"] for o in outs] == ["MSCUGYE000001", "MSCUGYE000002"]


def test_baplie_lists_what_is_on_board(samples):
    sink: list[Any] = []
    outs = list(read_baplie(samples / "baplie_d95b.edi", file_findings=sink))
    assert sink == [] and len(outs) == 1
    plan = outs[0].record
    assert plan["kind"] == "stowage" and plan["voyage"]["voyage_id"] == "MSCU-9321483-001E"
    assert plan["voyage"]["vessel_imo"] == ""  # the TDT carries a call sign, not an IMO
    assert plan["voyage"]["next_port"] == "AZBAK"  # LOC+61
    assert [c["position"] for c in plan["containers"]][:2] == ["0120482", "0140284"]
    assert containers_on_board(plan, "AZBAK") == {"MSCU1234566", "MAEU7654320",
                                                  "CMAU5550010", "TGHU9876542"}
    assert containers_by_voyage(samples / "baplie_d95b.edi") == {
        "MSCU-9321483-001E": containers_on_board(plan)}
    vgm = next(c for c in plan["containers"] if c["container_number"] == "TGHU9876542")
    assert vgm["vgm_kg"] == 24500.0


def test_compare_stowage_against_the_manifest(samples):
    plan = next(iter(read_baplie(samples / "baplie_d95b.edi"))).record
    manifest = [c["container_number"] for o in read(samples / "cuscar_d95b_una_lines.edi")
                for c in o.record["containers"]] + ["SEGU300100-0"]
    result = compare_stowage(boxes_on_board(plan), manifest, {"AZBAK"})
    assert result.on_board_not_manifested == ["TGHU9876542"]
    assert result.manifested_not_on_board == ["SEGU3001000"]
    on_board, _declared = result  # it unpacks as a pair
    assert on_board == ["TGHU9876542"]


@pytest.mark.parametrize(("boxes", "declared", "ports", "expected"), [
    # a box for another port is not this port's business; a declared one may be anywhere
    ([("MSCU1234566", "AZBAK"), ("TCLU1234560", "TRIST")], ["MSCU1234566"], {"AZBAK"},
     ([], [])),
    ([("MSCU1234566", "TRIST")], ["MSCU 123456-6"], {"AZBAK"}, ([], [])),
    # no port given: expected; no ports to compare with: every box expected
    ([("TCLU1234560", "")], [], {"AZBAK"}, (["TCLU1234560"], [])),
    ([("TCLU1234560", "TRIST")], [], None, (["TCLU1234560"], [])),
    ([], ["mscu1234566"], {"AZBAK"}, ([], ["MSCU1234566"])),
    ([("", "AZBAK")], [""], {"AZBAK"}, ([], [])),
])
def test_compare_stowage_expects_only_the_boxes_for_the_ports(boxes, declared, ports,
                                                              expected):
    assert tuple(compare_stowage(boxes, declared, ports)) == expected


@pytest.mark.parametrize(("box", "stated", "expected"), [
    (("MSCU1234566", "AZBAK", 26000.0), 20000.0, [("MSCU1234566", 26000.0, 20000.0)]),
    (("MSCU1234566", "AZBAK", 20400.0), 20000.0, []),  # within 500 kg
    (("MSCU1234566", "AZBAK", 30900.0), 30000.0, []),  # within 5 % of a heavy box
    (("MSCU1234566", "AZBAK", 28000.0), 30000.0, [("MSCU1234566", 28000.0, 30000.0)]),
    (("mscu 123456-6", "", 26000.0), 20000.0, [("MSCU1234566", 26000.0, 20000.0)]),
    (("MSCU1234566", "AZBAK", None), 20000.0, []),  # the plan gives no mass
    (("MSCU1234566", "AZBAK", 26000.0), None, []),  # the manifest gives none
    (("MSCU1234566", "AZBAK"), 20000.0, []),  # a box without its mass at all
])
def test_mass_on_board_against_the_mass_declared(box, stated, expected):
    assert mass_differences([box], {"MSCU1234566": stated}) == expected


@pytest.mark.parametrize(("on_plan", "stated", "expected"), [
    ("45R1", "22G1", [("MSCU1234566", "45R1", "22G1")]),  # another length and type
    ("22R1", "22G1", [("MSCU1234566", "22R1", "22G1")]),  # a reefer declared as dry
    ("42G1", "45G1", [("MSCU1234566", "42G1", "45G1")]),  # a high cube declared standard
    ("22G0", "22G1", []),  # one kind of box
    ("", "22G1", []),  # the plan gives no type
    ("22G1", None, []),  # the manifest gives none
])
def test_size_type_on_board_against_the_size_type_declared(on_plan, stated, expected):
    box = ("mscu 123456-6", "AZBAK", None, on_plan)
    assert type_differences([box], {"MSCU1234566": stated}) == expected


def test_baplie_writer_round_trip(tmp_path):
    slots = [{"position": "0010082", "container_number": "MSCU1234566", "size_type": "22G1",
              "gross_mass_kg": 12000, "port_of_loading": "TRMER",
              "port_of_discharge": "GEPTI"},
             {"position": "0010084", "container_number": "MSCU1234567", "size_type": "22G1"}]
    path = tmp_path / "b.edi"
    write_baplie({"voyage_id": "V1", "carrier": "MSCU", "vessel_name": "X"}, slots, path)
    outs = list(read_baplie(path))
    plan = outs[0].record
    assert [c["container_number"] for c in plan["containers"]] == ["MSCU1234566",
                                                                   "MSCU1234567"]
    assert [f.code for f in outs[0].findings] == ["container_number"]  # kept, with a warning


def test_message_date_comes_from_dtm_137_else_unb(samples):
    from datetime import UTC, datetime

    outs, _ = cuscar(samples / "cuscar_d95b_una_lines.edi")
    assert outs[0].message_date == datetime(2026, 11, 20, 6, 0, tzinfo=UTC)  # DTM+137
    outs, _ = cuscar(samples / "cuscar_d00b_oneline.edi")
    assert outs[0].message_date == datetime(2026, 11, 21, 10, 30, tzinfo=UTC)  # UNB


@pytest.mark.parametrize("route, days", [
    # the days after the transshipment port's LOC; 203 dates give their day
    ("LOC+13+ESALG:139:6'DTM+178:20261103:102'DTM+186:202611091430:203'",
     ("2026-11-03", "2026-11-09")),
    # two ports: the last one's days count; an actual day wins over an estimated one
    (("LOC+13+PAMIT:139:6'DTM+178:20261020:102'DTM+186:20261025:102'LOC+13+ESALG:139:6'"
      "DTM+132:20261103:102'DTM+178:20261104:102'DTM+133:20261110:102'"
      "DTM+186:20261109:102'"), ("2026-11-04", "2026-11-09")),
    # the first port had days, the last has none: none
    ("LOC+13+PAMIT:139:6'DTM+178:20261020:102'LOC+5+PAMIT:139:6'LOC+13+ESALG:139:6'",
     ("", "")),
    # a date after another port's LOC is not a transshipment day
    ("LOC+13+ESALG:139:6'LOC+12+AZBAK:139:6'DTM+178:20261103:102'", ("", "")),
])
def test_cuscar_reads_the_days_at_the_last_transshipment_port(samples, tmp_path, route, days):
    text = (samples / "cuscar_d95b_una_lines.edi").read_bytes().decode("latin-1")
    added = route.count("'") - 1
    text = text.replace("LOC+13+ESALG:139:6'", route, 1).replace(
        "UNT+51+M1'", f"UNT+{51 + added}+M1'")
    path = tmp_path / "days.edi"
    path.write_bytes(text.encode("latin-1"))
    outs, sink = cuscar(path)
    assert sink == []
    first = outs[0]
    assert first.record is not None, first.findings
    assert (first.record["transshipment_arrival"],
            first.record["transshipment_departure"]) == days
    assert (outs[1].record["transshipment_arrival"],
            outs[1].record["transshipment_departure"]) == ("", "")


def test_cuscar_transshipment_days_out_of_order_reject_the_bill(samples, tmp_path):
    text = (samples / "cuscar_d95b_una_lines.edi").read_bytes().decode("latin-1")
    text = text.replace("LOC+13+ESALG:139:6'", "LOC+13+ESALG:139:6'DTM+178:20261109:102'"
                        "DTM+186:20261103:102'", 1).replace("UNT+51+M1'", "UNT+53+M1'")
    path = tmp_path / "order.edi"
    path.write_bytes(text.encode("latin-1"))
    outs, _sink = cuscar(path)
    assert outs[0].record is None
    assert [(f.field, f.code, f.location) for f in outs[0].findings] == [
        ("transshipment_departure", "transshipment_order", "segment 8")]  # the bill
    assert outs[1].record is not None  # the next bill is still loaded
