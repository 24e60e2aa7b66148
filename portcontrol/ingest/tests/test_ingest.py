"""The three doors of intake, as an operator, an officer and a client program meet them."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from portcontrol.generator import generate
from portcontrol.ingest.models import IntakeJob, QuarantinedRecord, StowageDiscrepancy
from portcontrol.manifests.models import Consignment, Container
from portcontrol.testing.records import BAKU_CONTAINER

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "intake" / "tests" / "samples"
SUMMARY_KEYS = {"files", "consignments", "containers_accepted", "containers_updated",
                "records_rejected", "warnings", "seconds"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    generate(out, containers=400, seed=11, destinations={"AZBAK": 0.5, "PKKHI": 0.5})
    return out


def ingest_json(*args) -> dict:
    buf = io.StringIO()
    call_command("ingest", *map(str, args), "--json", stdout=buf)
    return json.loads(buf.getvalue())


def test_cli_json_summary_and_idempotence(org, generated):
    first = ingest_json(generated / "containers.csv")
    assert set(first) == SUMMARY_KEYS
    assert first["files"] == 1 and first["records_rejected"] == 0
    assert first["containers_accepted"] == Container.objects.count() == 400
    again = ingest_json(generated / "containers.csv")
    assert again["consignments"] == again["containers_accepted"] == 0
    assert Container.objects.count() == 400


def test_cli_rejects_bad_lines_reports_and_quarantines(org, generated, tmp_path):
    rows = list(csv.DictReader(open(generated / "containers.csv", encoding="utf-8")))[:20]
    rows[3]["container_number"] = rows[3]["container_number"][:10] + "X"
    bad = tmp_path / "bad.csv"
    with open(bad, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    report = tmp_path / "report.csv"
    result = ingest_json(bad, "--report", report)
    assert result["records_rejected"] == 1
    reported = [r for r in csv.DictReader(open(report, encoding="utf-8"))
                if r["severity"] == "error"]
    assert reported[0]["field"].endswith("container_number")
    assert reported[0]["location"] == "line 5" and reported[0]["source_file"] == "bad.csv"
    q = QuarantinedRecord.objects.get()
    assert q.record_key == rows[3]["bl_number"] and q.findings[0]["field"]
    stored = Consignment.objects.count() + 1  # the rejected B/L is the only one missing
    assert stored == len({r["bl_number"] for r in rows})


def test_report_writes_input_that_a_spreadsheet_would_run_as_text(org, generated, tmp_path):
    rows = list(csv.DictReader(open(generated / "containers.csv", encoding="utf-8")))[:5]
    first = rows[0]["bl_number"]
    for row in rows:  # one bill of lading, with a hostile number and a bad container
        if row["bl_number"] == first:
            row["bl_number"] = "=HYPERLINK(1)"
            row["container_number"] = row["container_number"][:10] + "X"
    bad = tmp_path / "=bad.csv"
    with open(bad, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    report = tmp_path / "report.csv"
    ingest_json(bad, "--report", report)
    reported = [r for r in csv.DictReader(open(report, encoding="utf-8"))
                if r["severity"] == "error"]
    assert reported and all(r["record_key"] == "'=HYPERLINK(1)" for r in reported)
    assert all(r["source_file"] == "'=bad.csv" for r in reported)
    # what is stored keeps the value as read
    assert QuarantinedRecord.objects.get().record_key == "=HYPERLINK(1)"


def test_cli_unreadable_file_exits_2(org, tmp_path):
    junk = tmp_path / "junk.edi"
    junk.write_bytes(b"\x00\x01 not edifact at all")
    with pytest.raises(SystemExit) as exit_:
        call_command("ingest", str(junk), "--format", "cuscar", stdout=io.StringIO(),
                     stderr=io.StringIO())
    assert exit_.value.code == 2


def test_why_a_file_could_not_be_read_is_said_in_the_readers_language(login, baku_officer,
                                                                       tmp_path):
    junk = tmp_path / "junk.edi"
    junk.write_bytes(b"\x00\x01 not edifact at all")
    client = login(baku_officer)
    upload(client, junk, format="cuscar")
    job = IntakeJob.objects.get()
    assert job.error.startswith("junk.edi: ") and job.counts["unreadable_ru"]
    english = client.get(reverse("intake_job", args=[job.pk])).content.decode()
    assert job.error.split(": ", 1)[1][:30] in english
    client.post(reverse("set_language"), {"language": "ru", "next": "/intake/"})
    russian = client.get(reverse("intake_job", args=[job.pk])).content.decode()
    assert job.counts["unreadable_ru"][0].split(": ", 1)[1][:30] in russian
    assert job.error.split(": ", 1)[1][:30] not in russian


def test_cuscar_sample_and_baplie_stowage_check(org, tmp_path):
    result = ingest_json(SAMPLES / "cuscar_d95b_una_lines.edi")
    assert result["records_rejected"] == 0 and result["containers_accepted"] >= 1
    assert Container.objects.filter(number=BAKU_CONTAINER, unit__code="pcu-baku").exists()
    ingest_json(SAMPLES / "baplie_d95b.edi")
    kinds = set(StowageDiscrepancy.objects.values_list("kind", flat=True))
    assert "not_manifested" in kinds


def upload(client, path: Path, **extra):
    with open(path, "rb") as fh:
        return client.post(reverse("intake"), {"files": [fh], "format": "auto", **extra})


def test_officer_uploads_and_cannot_write_into_another_countrys_port(login, baku_officer,
                                                                     karachi_officer,
                                                                     generated):
    client = login(baku_officer)
    response = upload(client, generated / "containers.csv")
    assert response.status_code == 302
    job = IntakeJob.objects.get()
    assert job.status == "done" and job.unit.code == "pcu-baku"
    assert not Container.objects.filter(unit__code="pcu-karachi").exists()
    assert job.counts["records_rejected"] > 0  # the Karachi bills of lading
    q = QuarantinedRecord.objects.filter(job=job).first()
    assert q.unit.code == "pcu-baku" and q.findings[-1]["code"] == "not_your_port"
    page = client.get(reverse("intake_job", args=[job.pk])).content.decode()
    assert "Records rejected" in page and f"<td>{q.location}</td>" in page
    # where in the file, in the reader's language
    client.post(reverse("set_language"), {"language": "ru", "next": "/intake/"})
    number = q.location.removeprefix("line ")
    for name, args in (("intake_job", [job.pk]), ("intake_quarantine", []),
                       ("intake_record", [q.pk])):
        page = client.get(reverse(name, args=args)).content.decode()
        assert f"строка {number}<" in page
        assert "обслуживает подразделение, манифесты которого вам загружать нельзя" in page
    other = login(karachi_officer)
    assert other.get(reverse("intake_job", args=[job.pk])).status_code == 404
    assert other.get(reverse("intake_record", args=[q.pk])).status_code == 404
    assert q.record_key not in other.get(reverse("intake_quarantine")).content.decode()


def test_replay_a_corrected_record_and_discard_needs_a_reason(login, baku_officer, tmp_path):
    src = SAMPLES / "cuscar_d95b_una_lines.edi"
    text = src.read_text(encoding="latin-1").replace("MSCU1234566", "MSCU1234567")
    bad = tmp_path / "bad.edi"
    bad.write_text(text, encoding="latin-1")
    client = login(baku_officer)
    upload(client, bad)
    rec = QuarantinedRecord.objects.filter(status="pending").first()
    assert rec is not None and "check digit" in json.dumps(rec.findings)
    response = client.post(reverse("intake_discard", args=[rec.pk]), {"reason": ""})
    assert response.status_code == 400
    fixed = json.loads(json.dumps(rec.raw).replace("MSCU1234567", "MSCU1234566"))
    still_bad = json.loads(json.dumps(rec.raw).replace("MSCU1234567", "MSCU1234568"))
    response = client.post(reverse("intake_replay", args=[rec.pk]),
                           {"record": json.dumps(still_bad)})
    assert response.status_code == 400 and "check digit" in response.content.decode()
    response = client.post(reverse("intake_replay", args=[rec.pk]), {"record": json.dumps(fixed)})
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.status == "replayed" and Container.objects.filter(number="MSCU1234566").exists()


def test_programme_admin_cannot_ingest(login, programme_admin, generated):
    response = upload(login(programme_admin), generated / "containers.csv")
    assert response.status_code == 403


def test_api_submit_and_status_scoped(client, baku_officer, karachi_officer, generated):
    from portcontrol.accounts.actions import do_issue_api_token

    token = do_issue_api_token(user=baku_officer, name="t", acting_user=baku_officer)[1]
    with open(generated / "containers.csv", "rb") as fh:
        response = client.post("/api/intake/jobs", {"file": fh, "format": "csv"},
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "done" and body["counts"]["containers_accepted"] > 0
    status = client.get(f"/api/intake/jobs/{body['id']}",
                        headers={"Authorization": f"Bearer {token}"}).json()
    assert status["id"] == body["id"]
    other = do_issue_api_token(user=karachi_officer, name="t", acting_user=karachi_officer)[1]
    response = client.get(f"/api/intake/jobs/{body['id']}",
                          headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_api_bad_format_is_a_clear_error(client, baku_officer, tmp_path):
    from portcontrol.accounts.actions import do_issue_api_token

    token = do_issue_api_token(user=baku_officer, name="t", acting_user=baku_officer)[1]
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n")
    with open(f, "rb") as fh:
        response = client.post("/api/intake/jobs", {"file": fh, "format": "pdf"},
                               headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "format"


def test_large_upload_goes_to_a_task(login, baku_officer, generated, settings):
    settings.INTAKE_INLINE_BYTES = 10
    upload(login(baku_officer), generated / "containers.csv")
    job = IntakeJob.objects.get()
    assert job.status == "done"  # the immediate task backend ran it
    shutil.rmtree(Path(job.files[0]["path"]).parent)


def test_file_level_findings_reach_the_report(org, tmp_path):
    report = tmp_path / "report.csv"
    result = ingest_json(SAMPLES / "bad_unt_count.edi", "--report", report)
    rows = list(csv.DictReader(open(report, encoding="utf-8")))
    assert result["warnings"] >= 1 and any("UNT" in r["message"] for r in rows)


def _planner_rows(table: str) -> int | None:
    """The row count the query planner holds for `table` (None: no statistics)."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            value = cur.fetchone()[0]
            return None if value < 0 else int(value)
        cur.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cur.fetchone() is None:
            return None
        cur.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
        row = cur.fetchone()
        return int(row[0].split()[0]) if row else None


@pytest.mark.parametrize("threshold, refreshed", [(400, True), (401, False)])
def test_a_large_job_refreshes_the_planner_statistics(org, generated, monkeypatch, threshold,
                                                      refreshed):
    import portcontrol.ingest.runner as runner

    calls = []

    def spy(tables_of):
        calls.append(tables_of)
        runner_refresh(tables_of)
    runner_refresh = runner.refresh_statistics
    monkeypatch.setattr(runner, "refresh_statistics", spy)
    monkeypatch.setattr(runner, "ANALYZE_AFTER", threshold)  # the job stores 400 containers
    ingest_json(generated / "containers.csv")
    assert bool(calls) is refreshed
    if refreshed:  # and the planner now counts what the job stored
        assert _planner_rows(Container._meta.db_table) == 400
