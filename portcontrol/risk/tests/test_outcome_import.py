"""Importing past inspection outcomes: the file's rows read (table-driven), matched to the
unit's own arrivals, stored once, audited, and every bad row reported with its line."""

from __future__ import annotations

import copy
import csv
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portcontrol.audit.models import AuditRecord
from portcontrol.core.errors import InvalidValue, PermissionDenied
from portcontrol.manifests.loading import do_load_records
from portcontrol.manifests.models import Container
from portcontrol.risk.actions_outcomes import do_upload_outcomes, import_outcomes
from portcontrol.risk.models import Outcome
from portcontrol.risk.outcome_files import OutcomeRow, read_outcomes
from portcontrol.testing.records import container_number, record

TODAY = date(2026, 11, 28)
BOX = container_number("MSCU700001")  # arrived at Baku twice
ONCE = container_number("MSCU700002")  # arrived at Baku once
POTI_BOX = container_number("CMAU700003")  # another unit's container
HEADER = "container_number,voyage_id,inspected_on,result,kind\n"


# --- reading the file (no database) ------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    (f"{BOX},V1,2026-11-02,found,cocaine", OutcomeRow(2, BOX, True, "cocaine", "V1",
                                                      date(2026, 11, 2))),
    (f"{BOX.lower()[:4]} {BOX[4:]},,,nothing,", OutcomeRow(2, BOX, False)),
    (f"{BOX},,02.11.2026,Yes,", OutcomeRow(2, BOX, True, "", "", date(2026, 11, 2))),
    (f"{BOX},,,найдено,кокаин", OutcomeRow(2, BOX, True, "кокаин")),
    (f"{BOX},,,0,", OutcomeRow(2, BOX, False)),
])
def test_rows_are_read(line, expected):
    parsed = read_outcomes(HEADER + line + "\n", today=TODAY)
    assert parsed.rows == [expected] and parsed.problems == []


@pytest.mark.parametrize("line, field, words", [
    (",,,found,", "container_number", "empty"),
    ("ABC123,,,found,", "container_number", "not a container number"),
    (f"{BOX},,,maybe,", "result", "not a result"),
    (f"{BOX},,,nothing,cocaine", "kind", "nothing was found"),
    (f"{BOX},,,found," + "x" * 41, "kind", "at most 40"),
    (f"{BOX},,2026-13-01,found,", "inspected_on", "not a date"),
    (f"{BOX},,31.02.2026,found,", "inspected_on", "not a date"),
    (f"{BOX},,2026-12-01,found,", "inspected_on", "in the future"),
    (f"{BOX},,,found,coca\x07ine", "kind", "control character"),
    (f"{BOX},,,found,=HYPERLINK(\"x\")", "kind", "formula"),
    (f"{BOX},,,found", "line", "4 fields; the header has 5"),
    (f"{BOX}," + "V" * 65 + ",,found,", "voyage_id", "at most 64"),
])
def test_bad_rows_are_reported_with_line_field_and_reason(line, field, words):
    parsed = read_outcomes(HEADER + f"{ONCE},,,found,\n" + line + "\n", today=TODAY)
    assert [r.container_number for r in parsed.rows] == [ONCE]  # the good row stands
    [problem] = parsed.problems
    assert (problem.line, problem.field) == (3, field)
    assert words in problem.message


def test_semicolons_a_bom_blank_lines_and_columns_in_any_order():
    text = "\ufeffResult; Kind; Container Number; Remarks\n\nfound;heroin;" + BOX + ";x\n"
    parsed = read_outcomes(text, today=TODAY)
    assert parsed.rows == [OutcomeRow(3, BOX, True, "heroin")]
    assert parsed.ignored_columns == ["remarks"]


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("\n  \n", "empty"),
    ("container,outcome\nX,found\n", "no column container_number, result"),
    ("container_number,result,result\n", "more than once"),
])
def test_a_file_without_the_columns_is_refused_whole(text, words):
    with pytest.raises(InvalidValue) as caught:
        read_outcomes(text, today=TODAY)
    assert words in caught.value.message


def test_a_broken_quote_is_reported_and_the_rows_before_it_kept():
    text = HEADER + f"{ONCE},,,found,\n" + f'{BOX},,,found,"coca\n'
    parsed = read_outcomes(text, today=TODAY)
    assert [r.container_number for r in parsed.rows] == [ONCE]
    assert parsed.problems[0].field == "file" and "not read" in parsed.problems[0].message


# --- matching and storing ----------------------------------------------------------------

def _arrive(port: str, bl: str, box: str, voyage: str, eta: str) -> None:
    rec = copy.deepcopy(record(bl=bl, port=port, container=box, voyage=voyage))
    rec["voyage"]["eta"] = eta
    result = do_load_records([rec], acting_user=None, source="outcomes-fixture")
    assert result.rejected == 0, result.errors


@pytest.fixture
def arrivals(org):
    _arrive("AZBAK", "BL1", BOX, "MSCU-9321483-001E", "2026-09-01T06:00:00Z")
    _arrive("AZBAK", "BL2", BOX, "MSCU-9321483-002E", "2026-11-01T06:00:00Z")
    _arrive("AZBAK", "BL3", ONCE, "MSCU-9321483-002E", "2026-11-01T06:00:00Z")
    _arrive("GEPTI", "BL4", POTI_BOX, "CMAU-9299343-112E", "2026-11-01T06:00:00Z")
    return {(c.number, c.voyage.voyage_ref): c.pk
            for c in Container.objects.select_related("voyage")}


def baku(org):
    return org["baku.analyst"].unit


def test_each_row_finds_the_arrival_it_names(org, arrivals):
    text = HEADER + "\n".join([
        f"{BOX},MSCU-9321483-001E,,found,cocaine",  # by voyage
        f"{ONCE},,,nothing,",  # the only arrival
    ]) + "\n"
    report = import_outcomes(text, unit=baku(org), source="history.csv", acting_user="cli")
    assert (report.rows, report.new, report.rejected, report.finds) == (2, 2, 0, 1)
    stored = {(o.container_id, o.seizure, o.kind) for o in Outcome.objects.all()}
    assert stored == {(arrivals[(BOX, "MSCU-9321483-001E")], True, "cocaine"),
                      (arrivals[(ONCE, "MSCU-9321483-002E")], False, "")}


@pytest.mark.parametrize("day, voyage", [
    ("2026-09-03", "MSCU-9321483-001E"),
    ("2026-11-20", "MSCU-9321483-002E"),  # the later arrival: the one before the inspection
    ("2026-10-30", "MSCU-9321483-002E"),  # an ETA may be a day or two late
])
def test_the_inspection_day_picks_the_arrival_before_it(org, arrivals, day, voyage):
    report = import_outcomes(HEADER + f"{BOX},,{day},found,\n", unit=baku(org), source="f",
                             acting_user="cli")
    assert report.new == 1
    assert Outcome.objects.get().container_id == arrivals[(BOX, voyage)]


@pytest.mark.parametrize("line, field, words", [
    (f"{BOX},,,found,", "container_number", "arrived at PCU Baku 2 times"),
    (f"{BOX},MSCU-0000000-999E,,found,", "voyage_id", "did not arrive at PCU Baku on voyage"),
    (f"{BOX},,2026-08-20,found,", "inspected_on", "in the 60 days before 2026-08-20"),
    (f"{container_number('MSCU799999')},,,found,", "container_number", "no container"),
    # another unit's container reads as one that never arrived: nothing about it leaks
    (f"{POTI_BOX},,,found,", "container_number", "no container"),
])
def test_rows_that_match_no_single_arrival_are_rejected(org, arrivals, line, field, words):
    report = import_outcomes(HEADER + f"{ONCE},,,found,\n{line}\n", unit=baku(org),
                             source="f", acting_user="cli")
    assert (report.rows, report.new, report.rejected) == (2, 1, 1)
    [problem] = report.problems
    assert (problem.line, problem.field) == (3, field)
    assert words in problem.message
    assert "Poti" not in problem.message and "CMAU-9299343" not in problem.message
    assert not Outcome.objects.filter(container_id=arrivals[(POTI_BOX, "CMAU-9299343-112E")])


def test_the_same_file_twice_changes_nothing_and_a_correction_is_audited(org, arrivals):
    text = HEADER + f"{ONCE},,,nothing,\n{ONCE},,,nothing,\n"
    first = import_outcomes(text, unit=baku(org), source="f.csv", acting_user="cli")
    assert (first.new, first.unchanged) == (1, 1)  # the repeated line is a duplicate
    again = import_outcomes(text, unit=baku(org), source="f.csv", acting_user="cli")
    assert (again.new, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0)
    assert AuditRecord.objects.filter(action="risk.outcomes_import").count() == 1
    fixed = import_outcomes(HEADER + f"{ONCE},,,found,precursors\n", unit=baku(org),
                            source="fix.csv", acting_user="cli")
    assert fixed.updated == 1 and fixed.finds == 1
    outcome = Outcome.objects.get()
    assert (outcome.seizure, outcome.kind) == (True, "precursors")
    record = AuditRecord.objects.filter(action="risk.outcomes_import").latest("id")
    assert record.before == {str(outcome.container_id): {"inspected": True, "seizure": False,
                                                         "kind": "", "inspected_on": None}}
    assert record.after["updated"] == 1 and record.unit_id == baku(org).pk


def test_the_inspection_day_is_kept_and_corrected_like_the_result(org, arrivals):
    dated = HEADER + f"{ONCE},,2026-11-03,nothing,\n"
    assert import_outcomes(dated, unit=baku(org), source="f", acting_user="cli").new == 1
    assert Outcome.objects.get().inspected_on == date(2026, 11, 3)
    # the same day again, or no day at all: nothing changes, the day stays
    for text in (dated, HEADER + f"{ONCE},,,nothing,\n"):
        again = import_outcomes(text, unit=baku(org), source="g", acting_user="cli")
        assert (again.updated, again.unchanged) == (0, 1)
        assert Outcome.objects.get().inspected_on == date(2026, 11, 3)
    moved = import_outcomes(HEADER + f"{ONCE},,04.11.2026,nothing,\n", unit=baku(org),
                            source="h", acting_user="cli")
    assert moved.updated == 1 and Outcome.objects.get().inspected_on == date(2026, 11, 4)
    record = AuditRecord.objects.filter(action="risk.outcomes_import").latest("id")
    assert next(iter(record.before.values()))["inspected_on"] == "2026-11-03"


def test_two_lines_that_disagree_keep_the_first_and_report_the_second(org, arrivals):
    text = HEADER + f"{ONCE},,,nothing,\n{ONCE},,,found,cocaine\n"
    report = import_outcomes(text, unit=baku(org), source="f", acting_user="cli")
    assert (report.new, report.rejected) == (1, 1)
    assert "line 2 already gives another outcome" in report.problems[0].message
    assert Outcome.objects.get().seizure is False


def test_an_upload_needs_an_analyst_or_supervisor_of_the_unit(org, arrivals):
    data = (HEADER + f"{ONCE},,,found,\n").encode()
    for who in ("baku.officer", "karachi.analyst", "karachi.supervisor", "az.coordinator",
                "programme.admin"):
        with pytest.raises(PermissionDenied):
            do_upload_outcomes(acting_user=org[who], unit=baku(org), filename="f.csv",
                               data=data)
    assert not Outcome.objects.exists()
    report = do_upload_outcomes(acting_user=org["baku.supervisor"], unit=baku(org),
                                filename="../../etc/f.csv", data=data)
    assert report.new == 1 and report.source_file == "f.csv"
    assert AuditRecord.objects.get(action="risk.outcomes_import").actor == \
        org["baku.supervisor"]


def test_an_upload_that_is_not_utf8_is_refused(org, arrivals):
    with pytest.raises(InvalidValue) as caught:
        do_upload_outcomes(acting_user=org["baku.analyst"], unit=baku(org), filename="f.csv",
                           data=HEADER.encode() + "MSCU,,,found,café\n".encode("latin-1"))
    assert "not UTF-8" in caught.value.message


# --- the command line --------------------------------------------------------------------

def test_the_command_prints_one_json_object_and_writes_the_report(org, arrivals, tmp_path,
                                                                  capsys):
    path = tmp_path / "history.csv"
    path.write_text(HEADER + f"{ONCE},,,found,cocaine\n{BOX},,,found,\n", encoding="utf-8")
    out = tmp_path / "rejected.csv"
    call_command("import_outcomes", str(path), "--unit", "pcu-baku", "--json",
                 "--report", str(out))
    summary = json.loads(capsys.readouterr().out)
    assert summary == {"source_file": "history.csv", "rows": 2, "new": 1, "updated": 0,
                       "unchanged": 0, "rejected": 1, "finds": 1, "ignored_columns": []}
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["line", "field", "message"] and rows[1][:2] == ["3", "container_number"]


@pytest.mark.parametrize("args, words", [
    (["--unit", "pcu-nowhere"], "No unit"),
    (["--unit", "pcu-baku"], "no column container_number"),
])
def test_the_command_refuses_what_it_cannot_read(org, tmp_path, args, words):
    path = tmp_path / "f.csv"
    path.write_text("number,outcome\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_outcomes", str(path), *args)
    assert words in str(caught.value)


# --- the page ----------------------------------------------------------------------------

def _upload(client, text: str, name: str = "history.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    return client.post(reverse("outcome_upload"),
                       {"file": SimpleUploadedFile(name, text.encode("utf-8"))})


def test_an_analyst_imports_from_the_page_and_reads_the_report(org, arrivals, login):
    from django.urls import reverse
    client = login(org["baku.analyst"])
    hostile = "<script>alert(1)</script>"
    response = _upload(client, HEADER + f"{ONCE},,,found,cocaine\n{BOX},,,found,{hostile}\n")
    assert response.status_code == 302 and response["Location"] == reverse("outcome_history")
    page = client.get(reverse("outcome_history")).content.decode()
    assert 'id="rows-new">1<' in page and 'id="rows-rejected">1<' in page
    assert "arrived at PCU Baku 2 times" in page
    assert 'id="outcome-upload-form"' in page
    assert 'href="/models/" class="active" aria-current="page"' in page  # under Models
    # the report is shown once; the counts stay
    again = client.get(reverse("outcome_history")).content.decode()
    assert 'id="import-report"' not in again and "<td>PCU Baku</td><td>1</td><td>1</td>" in again
    assert hostile not in page


def test_an_officer_reads_the_counts_but_cannot_import(org, arrivals, login):
    from django.urls import reverse
    import_outcomes(HEADER + f"{ONCE},,,found,\n", unit=baku(org), source="f",
                    acting_user="cli")
    client = login(org["baku.officer"])
    page = client.get(reverse("outcome_history")).content.decode()
    assert "<td>PCU Baku</td><td>1</td><td>1</td>" in page
    assert 'id="outcome-upload-form"' not in page
    assert _upload(client, HEADER + f"{ONCE},,,nothing,\n").status_code == 403
    assert Outcome.objects.get().seizure is True


def test_another_units_history_is_not_shown(org, arrivals, login):
    from django.urls import reverse
    import_outcomes(HEADER + f"{ONCE},,,found,\n", unit=baku(org), source="f",
                    acting_user="cli")
    page = login(org["karachi.analyst"]).get(reverse("outcome_history")).content.decode()
    assert "PCU Baku" not in page and "No inspection outcome is recorded yet." in page


def test_a_file_without_its_columns_is_refused_on_the_page(org, arrivals, login):
    client = login(org["baku.supervisor"])
    response = _upload(client, "number;outcome\nX;found\n")
    assert response.status_code == 400
    assert "no column container_number, result" in response.content.decode()
    assert not Outcome.objects.exists()


def test_the_export_reads_back_as_already_recorded_and_shows_only_visible_units(
        org, arrivals, login):
    from django.urls import reverse
    import_outcomes(HEADER + f"{BOX},MSCU-9321483-001E,,found,cocaine\n"
                    f"{ONCE},,2026-11-02,nothing,\n",
                    unit=baku(org), source="f", acting_user="cli")
    poti = org["poti.officer"].unit
    Outcome.objects.create(container_id=arrivals[(POTI_BOX, "CMAU-9299343-112E")], unit=poti,
                           inspected=True, seizure=True, kind="heroin")
    response = login(org["baku.officer"]).get(reverse("outcome_history_csv"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["unit", "container_number", "voyage_id", "arrival_date", "inspected_on",
                       "result", "kind", "recorded_at"]
    assert [r[:7] for r in rows[1:]] == [
        ["pcu-baku", BOX, "MSCU-9321483-001E", "2026-09-01", "", "found", "cocaine"],
        ["pcu-baku", ONCE, "MSCU-9321483-002E", "2026-11-01", "2026-11-02", "nothing", ""]]
    again = import_outcomes(text, unit=baku(org), source="export.csv", acting_user="cli")
    assert (again.rows, again.unchanged, again.rejected) == (2, 2, 0)
    assert again.ignored_columns == ["unit", "arrival_date", "recorded_at"]


def test_roles_without_units_have_no_export(org, login):
    from django.urls import reverse
    response = login(org["programme.admin"]).get(reverse("outcome_history_csv"))
    assert response.status_code == 404
