"""read(): detection by content, a named format that does not fit, the counts."""

from __future__ import annotations

import json

import openpyxl
import pytest

from portcontrol.intake import FORMATS, IntakeError, detect_format, read
from portcontrol.testing.records import sample_records

SAMPLE_FORMATS = {
    "cuscar_d95b_una_lines.edi": "cuscar", "cuscar_d00b_oneline.edi": "cuscar",
    "cuscar_d21a_utf8.edi": "cuscar", "cuscar_rff_c058.edi": "cuscar",
    "baplie_d95b.edi": "baplie", "bad_records.edi": "cuscar", "bad_truncated.edi": "cuscar",
    "csv_generator_style.csv": "csv", "csv_semicolon_bom.csv": "csv",
    "csv_cp1251.csv": "csv", "agency_example.csv": "csv",
}


@pytest.mark.parametrize("name, expected", sorted(SAMPLE_FORMATS.items()))
def test_detect_by_content(samples, name, expected):
    assert detect_format(samples / name) == expected


def test_detect_json_and_xlsx(tmp_path):
    (tmp_path / "a.txt").write_text(json.dumps(sample_records()))
    assert detect_format(tmp_path / "a.txt") == "json"
    (tmp_path / "b.txt").write_text("\n" + json.dumps(sample_records()[0]) + "\n")
    assert detect_format(tmp_path / "b.txt") == "json"
    book = openpyxl.Workbook()
    book.save(tmp_path / "c.bin")
    assert detect_format(tmp_path / "c.bin") == "xlsx"


@pytest.mark.parametrize("name, named", [
    ("cuscar_d95b_una_lines.edi", "baplie"), ("baplie_d95b.edi", "cuscar"),
    ("csv_generator_style.csv", "cuscar"), ("csv_generator_style.csv", "xlsx"),
    ("csv_generator_style.csv", "json"), ("cuscar_d95b_una_lines.edi", "csv"),
    ("cuscar_d95b_una_lines.edi", "json"), ("cuscar_d95b_una_lines.edi", "xlsx"),
])
def test_a_file_that_is_not_the_format_named(samples, name, named):
    with pytest.raises(IntakeError):
        list(read(samples / name, format=named))


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(IntakeError, match="Unknown format"):
        read(tmp_path / "x", format="pdf")
    with pytest.raises(IntakeError, match="Cannot read"):
        read(tmp_path / "missing.csv")
    assert "auto" in FORMATS


EXPECTED_RECORDS = {
    "cuscar_d95b_una_lines.edi": 2, "cuscar_d00b_oneline.edi": 2, "cuscar_d21a_utf8.edi": 1,
    "bad_records.edi": 4, "bad_truncated.edi": 1, "bad_unknown_segments.edi": 2,
    "bad_unt_count.edi": 2, "bad_release.edi": 2, "bad_non_utf8.edi": 1, "bad_no_unz.edi": 2,
    "bad_no_unt_unz.edi": 2, "baplie_d95b.edi": 1, "csv_generator_style.csv": 3,
    "csv_wrong_types.csv": 3, "csv_header_only.csv": 0, "csv_extra_columns.csv": 3,
}


@pytest.mark.parametrize("name, count", sorted(EXPECTED_RECORDS.items()))
def test_accepted_plus_rejected_is_the_records_in_the_input(samples, name, count):
    intake = read(samples / name)
    outs = list(intake)
    summary = intake.summary
    assert summary.accepted + summary.rejected == summary.seen == len(outs) == count
    assert summary.accepted == sum(1 for record, _ in outs if record is not None)
    assert summary.errors == sum(f.is_error for o in outs for f in o.findings)
    assert str(count) in summary.line() and summary.as_dict()["seen"] == count


def test_kind_and_profile_and_mapping_pass_through(samples):
    intake = read(samples / "baplie_d95b.edi")
    assert intake.kind == "stowage" and next(iter(intake)).record["kind"] == "stowage"
    intake = read(samples / "cuscar_rff_c058.edi", profile="rff_containers")
    assert [len(o.record["containers"]) for o in intake] == [1, 2]
    intake = read(samples / "agency_example.csv", mapping="example_agency")
    assert intake.kind == "manifest" and intake.summary.seen == 0
    assert sum(1 for _ in intake) == 2


def test_engine_option_reaches_the_edifact_reader(samples):
    fast = [o.record for o in read(samples / "cuscar_d00b_oneline.edi")]
    slow = [o.record for o in read(samples / "cuscar_d00b_oneline.edi", engine="pydifact")]
    assert fast == slow


def test_outcome_unpacks_as_a_pair(samples):
    for record, findings in read(samples / "csv_generator_style.csv"):
        assert record is not None and findings == []
