"""CSV and XLSX: the samples, mappings, the fast path against validate_record, batches."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from portcontrol.intake import IntakeError, read
from portcontrol.intake.csv_reader import detect_delimiter, detect_encoding, read_csv
from portcontrol.intake.mapping import FIELDS, load_mapping, mapping_from_dict
from portcontrol.intake.validate import validate_record
from portcontrol.intake.xlsx_reader import read_xlsx


def outcomes(path: Path, **kw: Any) -> tuple[list[Any], list[Any]]:
    sink: list[Any] = []
    reader = read_xlsx if path.suffix == ".xlsx" else read_csv
    return list(reader(path, file_findings=sink, **kw)), sink


@pytest.mark.parametrize("name, accepted, rejected, file_codes", [
    ("csv_generator_style.csv", 3, 0, []),
    ("csv_semicolon_bom.csv", 3, 0, []),
    ("csv_tab.csv", 3, 0, []),
    ("csv_extra_columns.csv", 3, 0, ["extra_column", "extra_column"]),
    ("csv_wrong_types.csv", 0, 3, []),
    ("csv_header_only.csv", 0, 0, []),
    ("csv_cp1251.csv", 2, 0, ["encoding"]),
    ("csv_latin1.csv", 1, 0, ["encoding"]),
])
def test_csv_samples(samples, name, accepted, rejected, file_codes):
    outs, sink = outcomes(samples / name)
    assert sum(o.accepted for o in outs) == accepted
    assert sum(not o.accepted for o in outs) == rejected
    assert [f.code for f in sink] == file_codes


def test_variants_of_one_file_give_the_same_records(samples):
    base, _ = outcomes(samples / "csv_generator_style.csv")
    for name in ("csv_semicolon_bom.csv", "csv_tab.csv", "csv_extra_columns.csv"):
        other, _ = outcomes(samples / name)
        assert [o.record for o in other] == [o.record for o in base]
    assert base[0].record["parties"]["shipper"]["name"] == "Frutas del Pacifico; S.A."
    assert base[0].record["transshipment_ports"] == ["ESALG", "TRMER"]
    two_boxes = base[1].record["containers"]
    assert [c["container_number"] for c in two_boxes] == ["MAEU7654320", "CMAU5550010"]
    assert two_boxes[1]["goods"] == [] and two_boxes[1]["full_empty"] == "E"


def test_wrong_types_are_record_errors_with_their_lines(samples):
    outs, _ = outcomes(samples / "csv_wrong_types.csv")
    found = [(f.location, f.field, f.code) for o in outs for f in o.findings]
    assert found == [
        ("line 2", "containers[0].gross_mass_kg", "type"),
        ("line 3", "containers[0].goods[0].packages", "type"),
        ("line 4", "containers[1].reefer", "type"),
        ("line 5", "voyage.eta", "date"),
    ]
    assert all(o.raw is not None and o.raw["bl_number"] for o in outs)


def test_missing_columns_and_empty_files_are_intake_errors(samples):
    with pytest.raises(IntakeError, match="bl_number.*container_number"):
        outcomes(samples / "csv_missing_columns.csv")
    with pytest.raises(IntakeError, match="empty"):
        outcomes(samples / "csv_empty.csv")


def test_encodings_are_read(samples):
    outs, _ = outcomes(samples / "csv_cp1251.csv")
    assert outs[0].record["parties"]["consignee"]["name"] == "ООО «Каспий Фреш»"
    outs, _ = outcomes(samples / "csv_latin1.csv")
    assert outs[0].record["parties"]["shipper"]["address"] == "Año 2026, Guayaquil"


@pytest.mark.parametrize("sample, expected", [
    (b"a,b\n1,2\n", "utf-8"), (b"\xef\xbb\xbfa;b\n", "utf-8-sig"),
    (b"\xff\xfea\x00", "utf-16"), ("имя;страна\nИван;RU\n".encode("cp1251"), "cp1251"),
    ("name\nCafé\n".encode("latin-1"), "latin-1"),
])
def test_detect_encoding(sample, expected):
    assert detect_encoding(sample, complete=True)[0] == expected


@pytest.mark.parametrize("line, expected", [
    ("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ('"a;b",c,d', ","), ("a|b", "|"),
    ("single", ","),
])
def test_detect_delimiter(line, expected):
    assert detect_delimiter(line) == expected


def test_a_utf16_file_is_transcoded(samples, tmp_path):
    text = (samples / "csv_generator_style.csv").read_text(encoding="utf-8")
    path = tmp_path / "utf16.csv"
    path.write_bytes(text.encode("utf-16"))
    outs, sink = outcomes(path)
    assert sum(o.accepted for o in outs) == 3 and sink == []


def test_agency_mapping_converts_units_dates_booleans_and_lists(samples):
    outs, sink = outcomes(samples / "agency_example.csv", mapping="example_agency")
    assert sink == []
    first, second = (o.record for o in outs)
    assert first["voyage"]["eta"] == "2026-11-23T08:30:00+04:00"
    assert first["voyage"]["port_of_call"] == "AZBAK"  # a default of the mapping
    box = first["containers"][0]
    assert box["gross_mass_kg"] == pytest.approx(22664.0)
    assert box["seals"] == ["CS9475506", "CS9475507"]
    assert box["goods"][0]["value"] == pytest.approx(54640.97)
    assert box["goods"][0]["gross_kg"] == pytest.approx(19043.5)
    assert second["containers"][0]["reefer"] is True
    assert (second["transshipment_arrival"], second["transshipment_departure"]) == (
        "2026-11-12", "2026-11-15")  # dd.mm.yyyy in the file
    assert (first["transshipment_arrival"], first["transshipment_departure"]) == ("", "")


@pytest.mark.parametrize("data, fragment", [
    ({"columns": {"nonsense": "x"}}, "unknown keys"),
    ({"columns": {"gross_mass_kg": {"column": "g", "unit": "stone"}}}, "Unit"),
    ({"columns": {"vessel_name": {"column": "v", "unit": "t"}}}, "Unit"),
    ({"columns": {"reefer": {"column": "r", "true_values": [True]}}}, "quotes"),
    ({"columns": {}, "delimiter": ";;"}, "delimiter"),
    ({"columns": {}, "decimal": ";"}, "decimal"),
    ({"name": "no columns"}, "columns"),
])
def test_bad_mappings_say_what_is_wrong(data, fragment):
    with pytest.raises(IntakeError, match=fragment) as caught:
        mapping_from_dict(data)
    assert caught.value.message_ru and caught.value.message_ru != caught.value.message


def test_unknown_mapping_name_lists_the_available_ones():
    with pytest.raises(IntakeError, match="example_agency"):
        load_mapping("no_such_mapping")


def test_mapping_fields_are_the_generator_columns():
    generator = pytest.importorskip("portcontrol.generator")
    assert FIELDS == tuple(generator.CSV_COLUMNS)


def _count_bills(path: Path) -> int:
    frame = pl.read_csv(path, infer_schema=False, columns=["voyage_id", "bl_number"])
    key = pl.col("voyage_id") + "|" + pl.col("bl_number")
    return frame.select((key != key.shift(1)).fill_null(True).sum()).item()


@pytest.mark.parametrize("block_bytes", [2000, 100_000, 16 << 20])
def test_generator_csv_equals_its_ndjson(generated, generated_records, block_bytes):
    """The CSV path (fast, vectorised) gives exactly what validate_record gives for the
    same bills of lading read from the generator's NDJSON, whatever the block size."""
    outs = list(read_csv(generated / "containers.csv", block_bytes=block_bytes))
    assert len(outs) == len(generated_records) == _count_bills(generated / "containers.csv")
    for outcome, rec in zip(outs, generated_records, strict=True):
        clean, findings = validate_record(rec)
        assert outcome.record == clean
        assert [(f.field, f.code) for f in outcome.findings] == \
            [(f.field, f.code) for f in findings]


def test_fast_path_records_are_already_clean(generated):
    """A record the fast path accepted without findings passes validate_record unchanged."""
    for outcome in read_csv(generated / "containers.csv"):
        if not outcome.findings:
            assert validate_record(outcome.record) == (outcome.record, [])


def test_damaged_generator_csv_counts_add_up(generated, tmp_path):
    frame = pl.read_csv(generated / "containers.csv", infer_schema=False)
    rows = frame.height
    damaged = frame.with_columns(
        container_number=pl.when(pl.int_range(rows) % 97 == 0).then(pl.lit("BAD1234567"))
        .otherwise(pl.col("container_number")),
        hs_code=pl.when(pl.int_range(rows) % 89 == 0).then(pl.lit("999999"))
        .otherwise(pl.col("hs_code")),
        vessel_flag=pl.when(pl.int_range(rows) % 83 == 0).then(pl.lit("xx"))
        .otherwise(pl.col("vessel_flag")))
    path = tmp_path / "damaged.csv"
    damaged.write_csv(path)
    intake = read(path)
    outs = list(intake)
    assert intake.summary.accepted + intake.summary.rejected == _count_bills(path) == len(outs)
    assert intake.summary.rejected > 20
    bad_lines = {f.location for o in outs for f in o.findings
                 if f.field.endswith("container_number")}
    assert "line 2" in bad_lines  # row 0 is line 2 (the header is line 1)


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])  # a blank first row: the header is found below it
    for row in rows:
        sheet.append(row)
    sheet.append([])
    book.save(path)
    return path


def test_xlsx_reads_like_csv(samples, tmp_path):
    frame = pl.read_csv(samples / "csv_generator_style.csv", infer_schema=False)
    rows = [list(frame.columns)] + [[_typed(c, v) for c, v in zip(frame.columns, row)]
                                    for row in frame.iter_rows()]
    utc = load_mapping("generator")
    utc = type(utc)(**{**utc.__dict__, "timezone": "Z"})  # spreadsheet dates carry no zone
    outs, sink = outcomes(_xlsx(tmp_path / "m.xlsx", rows), mapping=utc)
    csv_outs, _ = outcomes(samples / "csv_generator_style.csv")
    assert [o.record for o in outs] == [o.record for o in csv_outs] and sink == []


def _typed(column: str, value: str | None) -> Any:
    """What a spreadsheet would hold: numbers as numbers (the HS code too, losing its
    leading zero), the ETA as a date."""
    if value is None:
        return None
    if column in ("gross_mass_kg", "vgm_kg", "packages", "goods_gross_kg", "goods_net_kg",
                  "value", "hs_code", "reefer"):
        return float(value)
    if column == "eta":
        return datetime.fromisoformat(value.replace("Z", ""))
    return value


def test_xlsx_locations_are_rows_and_errors_are_per_record(tmp_path):
    header = list(FIELDS)
    good = dict.fromkeys(FIELDS, None) | {
        "voyage_id": "V1", "port_of_call": "GEPTI", "bl_number": "B1",
        "container_number": "MSCU1234566", "size_type": "22G1", "gross_mass_kg": 1000}
    bad = good | {"bl_number": "B2", "container_number": "MSCU1234567"}
    path = _xlsx(tmp_path / "two.xlsx", [header, [good[f] for f in header],
                                         [bad[f] for f in header]])
    outs, _ = outcomes(path)
    assert [o.accepted for o in outs] == [True, False]
    assert outs[1].findings[0].location == "row 4"
    assert outs[0].record["voyage"]["eta"] == ""


@pytest.mark.parametrize("mapping, left", [
    (None, datetime(2026, 11, 9, 14, 30)),  # a date cell: its day
    ({"transshipment_departure": {"column": "transshipment_departure",
                                  "date_format": "%d.%m.%Y"}}, "09.11.2026"),  # or text
])
def test_xlsx_date_cells_of_transshipment_days_are_days(tmp_path, mapping, left):
    header = list(FIELDS)
    row = dict.fromkeys(FIELDS, None) | {
        "voyage_id": "V1", "port_of_call": "GEPTI", "eta": datetime(2026, 11, 24, 6),
        "bl_number": "B1", "transshipment_ports": "ESALG",
        "transshipment_arrival": datetime(2026, 11, 3), "transshipment_departure": left,
        "container_number": "MSCU1234566", "size_type": "22G1", "gross_mass_kg": 1000}
    rules = load_mapping("generator")
    if mapping:
        data = {"columns": {**{f: f for f in FIELDS}, **mapping}}
        rules = mapping_from_dict(data)
    outs, sink = outcomes(_xlsx(tmp_path / "days.xlsx", [header, [row[f] for f in header]]),
                          mapping=rules)
    assert sink == [] and outs[0].findings == []
    assert (outs[0].record["transshipment_arrival"],
            outs[0].record["transshipment_departure"]) == ("2026-11-03", "2026-11-09")


@pytest.mark.parametrize("content", [b"PK\x03\x04 not really a zip", b"plain text"])
def test_damaged_xlsx_is_an_intake_error(tmp_path, content):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(IntakeError):
        outcomes(path)


def test_generator_ndjson_round_trips_through_json_too(generated, generated_records):
    from portcontrol.intake.json_reader import read_json

    outs = list(read_json(generated / "manifests.ndjson"))
    assert [o.record for o in outs] == [validate_record(r)[0] for r in generated_records]
    assert json.loads(json.dumps(outs[0].record)) == outs[0].record


def test_line_numbers_count_lines_inside_quoted_fields(samples, tmp_path):
    text = (samples / "csv_generator_style.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[1] = lines[1].replace('"Av. 9 de Octubre 100, Guayaquil"',
                                '"Av. 9 de Octubre 100\nsecond floor\nGuayaquil"')
    lines[4] = lines[4].replace("TGHU9876542", "TGHU9876543")  # bad check digit
    path = tmp_path / "multiline.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for block_bytes in (300, 1 << 20):
        outs, _ = outcomes(path, block_bytes=block_bytes)
        assert outs[0].record["parties"]["shipper"]["address"].count("\n") == 2
        bad = next(f for o in outs for f in o.findings)
        assert bad.location == "line 7" and bad.code == "check_digit"


def test_frames_for_bulk_loaders_hold_the_same_bills(generated, tmp_path):
    from portcontrol.intake import read_csv_frames

    frame = pl.read_csv(generated / "containers.csv", infer_schema=False)
    damaged = frame.with_columns(hs_code=pl.when(pl.int_range(frame.height) % 50 == 0)
                                 .then(pl.lit("999999")).otherwise(pl.col("hs_code")))
    path = tmp_path / "d.csv"
    damaged.write_csv(path)
    records = list(read_csv(path, block_bytes=100_000))
    clean_bills, outcomes, numbers = 0, [], []
    for clean, flagged in read_csv_frames(path, block_bytes=100_000):
        clean_bills += clean.get_column("_g").n_unique()
        numbers += clean.get_column("container_number").to_list()
        outcomes += flagged
    assert clean_bills + len(outcomes) == len(records)
    assert len(outcomes) == sum(1 for o in records if o.findings)
    assert numbers == [c["container_number"] for o in records if not o.findings
                       for c in o.record["containers"]]


def _one_bill_two_lines(generated: Path, tmp_path: Path, changes: dict[str, str | None],
                        *, same_container: bool = False) -> tuple[Path, str]:
    """The generator's first bill with at least two lines, its second line changed, written
    with the three bills after it (which stay clean)."""
    frame = pl.read_csv(generated / "containers.csv", infer_schema=False)
    frame = frame.with_columns(_bl=pl.col("voyage_id") + "/" + pl.col("bl_number"))
    sizes = frame.group_by("_bl", maintain_order=True).len()
    bl = sizes.filter(pl.col("len") >= 2).get_column("_bl")[0]
    start = int(frame.with_row_index("i").filter(pl.col("_bl") == bl).get_column("i")[0])
    part = frame.slice(start, 30).with_row_index("i")
    second = (pl.col("i") == 1)
    if same_container:  # the second line: another goods line of the first line's box
        part = part.with_columns(pl.when(second).then(pl.col(c).first()).otherwise(pl.col(c))
                                 .alias(c) for c in ("container_number", "size_type",
                                                     "seals", "gross_mass_kg", "vgm_kg",
                                                     "full_empty", "reefer"))
    part = part.with_columns(pl.when(second).then(pl.lit(v)).otherwise(pl.col(c)).alias(c)
                             for c, v in changes.items())
    path = tmp_path / "lines.csv"
    part.drop("i", "_bl").write_csv(path)
    return path, bl.split("/", 1)[1]


@pytest.mark.parametrize("changes, same_container, field", [
    # the lines of one bill must agree on what the bill holds once...
    ({"port_of_loading": "CNSHA"}, False, "port_of_loading"),
    ({"consignee_name": "SOMEONE ELSE LLC"}, False, "parties.consignee.name"),
    ({"eta": "2030-01-01T00:00:00Z"}, False, "voyage.eta"),
    ({"freight_terms": "COLLECT", "shipper_country": "PA"}, False, "freight_terms"),
    # ... and the lines of one container on what the container holds once
    ({"gross_mass_kg": "99999"}, True, "containers[0].gross_mass_kg"),
    ({"size_type": "22R1"}, True, "containers[0].size_type"),
    # no disagreement: an empty cell, case and spacing, 5 and 5.0, seals in another order
    ({f: None for f in ("place_of_receipt", "port_of_loading", "transshipment_ports",
                        "port_of_discharge", "final_destination", "freight_terms",
                        "shipper_name", "shipper_address", "shipper_country",
                        "consignee_name", "consignee_address", "consignee_country",
                        "notify_name", "notify_address", "notify_country")}, False, None),
    ({"vessel_name": None}, False, None),
    ({"gross_mass_kg": None, "size_type": None}, True, None),
])
@pytest.mark.parametrize("bulk", [False, True])
def test_lines_of_one_bill_that_disagree_reject_it_naming_both_lines(
        generated, tmp_path, changes, same_container, field, bulk):
    """A record takes the bill's fields from its first line (and a container's from its
    first line): a later line that says otherwise would be dropped unseen. The bill is
    rejected instead, the finding naming the field and both lines; the other bills load."""
    from portcontrol.intake import read_csv_frames

    path, bl = _one_bill_two_lines(generated, tmp_path, changes, same_container=same_container)
    if bulk:
        results = [o for _clean, flagged in read_csv_frames(path) for o in flagged]
        loaded = {b for clean, _ in read_csv_frames(path)
                  for b in clean.get_column("bl_number").unique().to_list()}
        loaded |= {o.record["bl_number"] for o in results if o.record is not None}
    else:
        everything = list(read_csv(path))
        results = [o for o in everything if o.findings]
        loaded = {o.record["bl_number"] for o in everything if o.record is not None}
    disagreeing = [f for o in results for f in o.findings if f.code == "lines_disagree"]
    if field is None:
        assert not disagreeing and bl in loaded
        return
    assert bl not in loaded and len(loaded) >= 3
    (finding,) = [f for f in disagreeing if f.field == field]
    assert finding.record_key == bl and finding.location == "line 3"
    assert "line 2 has" in finding.message and "line 3 has" in finding.message
    rejected = next(o for o in results if o.record is None)
    assert rejected.raw["bl_number"] == bl  # kept for the quarantine


def test_the_same_value_written_differently_is_no_disagreement(generated, tmp_path):
    path, bl = _one_bill_two_lines(generated, tmp_path, {})
    part = pl.read_csv(path, infer_schema=False).with_row_index("i")
    first = part.row(0, named=True)
    part = part.with_columns(
        vessel_name=pl.when(pl.col("i") == 1).then(pl.lit(
            "  " + first["vessel_name"].lower().replace(" ", "   ") + " ")).otherwise(
            pl.col("vessel_name")))
    part.drop("i").write_csv(path)
    outcomes = list(read_csv(path))
    assert not [f for o in outcomes for f in o.findings if f.code == "lines_disagree"]
    assert any(o.record is not None and o.record["bl_number"] == bl for o in outcomes)


@pytest.mark.parametrize("bulk", [False, True])
def test_a_first_line_left_empty_takes_the_bills_values_from_the_next(generated, tmp_path,
                                                                       bulk):
    from portcontrol.intake import read_csv_frames

    path, bl = _one_bill_two_lines(generated, tmp_path, {})
    part = pl.read_csv(path, infer_schema=False).with_row_index("i")
    shipper = part.row(1, named=True)["shipper_name"]
    part = part.with_columns(pl.when(pl.col("i") == 0).then(None).otherwise(pl.col(c)).alias(c)
                             for c in ("shipper_name", "shipper_address", "shipper_country",
                                       "freight_terms"))
    part.drop("i").write_csv(path)
    if bulk:
        records = [o.record for _c, flagged in read_csv_frames(path) for o in flagged]
    else:
        records = [o.record for o in read_csv(path)]
    (record,) = [r for r in records if r is not None and r["bl_number"] == bl]
    assert record["parties"]["shipper"]["name"] == shipper and record["freight_terms"]


def _flat(rec: dict[str, Any]) -> dict[str, str]:
    """A one-container, one-goods-line record as a line of the generator's CSV."""
    box, parties = rec["containers"][0], rec["parties"]
    goods = box["goods"][0]
    row = {**rec["voyage"], **{k: rec.get(k) for k in (
        "bl_number", "place_of_receipt", "port_of_loading", "transshipment_arrival",
        "transshipment_departure", "port_of_discharge", "final_destination",
        "freight_terms")}, "transshipment_ports": ";".join(rec["transshipment_ports"])}
    for role in ("shipper", "consignee", "notify"):
        for part in ("name", "address", "country"):
            row[f"{role}_{part}"] = (parties[role] or {}).get(part)
    row |= {"container_number": box["container_number"], "size_type": box["size_type"],
            "seals": ";".join(box["seals"]), "gross_mass_kg": box["gross_mass_kg"],
            "vgm_kg": box["vgm_kg"], "full_empty": box["full_empty"],
            "reefer": "1" if box["reefer"] else "0", "hs_code": goods["hs_code"],
            "goods_description": goods["description"], "packages": goods["packages"],
            "package_type": goods["package_type"], "goods_gross_kg": goods["gross_kg"],
            "goods_net_kg": goods["net_kg"], "value": goods["value"],
            "currency": goods["currency"], "origin_country": goods["origin_country"]}
    return {f: "" if row.get(f) is None else str(row[f]) for f in FIELDS}


@pytest.mark.parametrize("bulk", [False, True])
def test_transshipment_days_in_a_csv_judged_as_validate_record_judges_them(tmp_path, bulk):
    """Clean days take the fast path; every odd one is flagged and worded by validate_record
    exactly as for the same record given whole (the ship arrives on 2026-11-24)."""
    from portcontrol.intake.csv_reader import read_csv_frames
    from portcontrol.intake.tabular import records_of
    from portcontrol.testing.records import container_number, record
    cases = [("2026-11-03", "2026-11-09", ["ESALG"]), ("", "", ["ESALG"]),
             ("2026-11-03", "", ["ESALG"]), ("2026-11-03T10:00:00Z", "2026-11-09", ["ESALG"]),
             ("03.11.2026", "2026-11-09", ["ESALG"]), ("2026-11-09", "2026-11-03", ["ESALG"]),
             ("2026-11-20", "2026-11-25", ["ESALG"]), ("2026-11-03", "2026-11-09", []),
             (" 2026-11-03", "2026-11-09", ["ESALG"])]
    recs = []
    for i, (arrived, left, ports) in enumerate(cases):
        rec = record(bl=f"MSCUGYE{i:06d}", port="AZBAK",
                     container=container_number(f"MSCU{100000 + i}"), transshipment=ports)
        recs.append(rec | {"transshipment_arrival": arrived, "transshipment_departure": left})
    path = tmp_path / "days.csv"
    pl.DataFrame([_flat(r) for r in recs]).write_csv(path)
    if bulk:
        clean_records: list[Any] = []
        checked: list[Any] = []
        for frame, flagged in read_csv_frames(path):
            clean_records += records_of(frame)
            checked += flagged
        fast = {r["bl_number"] for r in clean_records}
        assert fast == {"MSCUGYE000000", "MSCUGYE000001", "MSCUGYE000002"}
        got = {o.record["bl_number"] if o.record else o.raw["bl_number"]: o for o in checked}
        for r in clean_records:
            assert validate_record(r) == (r, [])
    else:
        got = {o.record["bl_number"] if o.record else o.raw["bl_number"]: o
               for o in outcomes(path)[0]}
    for rec in recs:
        if rec["bl_number"] not in got:
            continue
        clean, findings = validate_record(rec)
        outcome = got[rec["bl_number"]]
        assert outcome.record == clean
        assert [(f.field, f.code) for f in outcome.findings] == \
            [(f.field, f.code) for f in findings]
