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
    with pytest.raises(IntakeError, match=fragment):
        mapping_from_dict(data)


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
