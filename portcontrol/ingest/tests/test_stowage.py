"""Stowage plans against manifests, as an officer meets them: kept, compared in either order
of arrival, only for the boxes of the unit's port, again without duplicates, shown on the
pages of the officer's unit and no other."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from portcontrol.core.containers import check_digit
from portcontrol.ingest import views
from portcontrol.ingest.models import IntakeJob, StowageDiscrepancy, StowagePlan
from portcontrol.intake.edifact_writer import write_baplie
from portcontrol.manifests.models import Container

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "intake" / "tests" / "samples"
CUSCAR = SAMPLES / "cuscar_d95b_una_lines.edi"  # voyage MSCU-9321483-001E at AZBAK
VOYAGE = "MSCU-9321483-001E"
NOT_MANIFESTED, NOT_ON_BOARD, _MASS, _TYPE = StowageDiscrepancy.Kind.values


def box(prefix: str) -> str:
    return prefix + check_digit(prefix)


UNDECLARED = box("TCLU123456")  # on board for Baku, on no manifest
FOR_ISTANBUL = box("TCLU765432")  # on board for another port: not Baku's business


def ingest(*paths: Path) -> dict:
    out = io.StringIO()
    call_command("ingest", *map(str, paths), "--json", stdout=out)
    return json.loads(out.getvalue())


def declared_mass(number: str) -> float:
    """The mass a loaded manifest declares for the box (VGM, else gross), else 20 t."""
    row = Container.objects.filter(number=number).values_list("vgm_kg", "gross_mass_kg").first()
    return float(row[0] or row[1]) if row and (row[0] or row[1]) else 20000.0


def declared_type(number: str) -> str:
    return Container.objects.filter(number=number).values_list("size_type", flat=True).first() \
        or "22G1"


def plan(tmp_path: Path, numbers: list[str], name: str = "plan.edi", *,
         extra: list[tuple[str, str]] = (), heavier: dict[str, float] | None = None,
         stowed_as: dict[str, str] | None = None) -> Path:
    """A BAPLIE of the sample voyage: `numbers` for Baku, `extra` (number, port) besides;
    each box weighs what its manifest declares, plus `heavier[number]` kg, and is of the
    size-type declared, or `stowed_as[number]`."""
    heavier, stowed_as = heavier or {}, stowed_as or {}
    slots = [{"position": f"01{i:05d}", "container_number": n, "port_of_loading": "ECGYE",
              "port_of_discharge": port, "gross_mass_kg": declared_mass(n) + heavier.get(n, 0),
              "size_type": stowed_as.get(n) or declared_type(n)}
             for i, (n, port) in enumerate([*[(n, "AZBAK") for n in numbers], *extra])]
    path = tmp_path / name
    write_baplie({"voyage_id": VOYAGE, "carrier": "MSCU", "vessel_name": "MSC ANNA",
                  "next_port": "AZBAK"}, slots, path)
    return path


def found() -> set[tuple[str, str]]:
    return set(StowageDiscrepancy.objects.values_list("kind", "container_number"))


@pytest.fixture
def declared(org) -> list[str]:
    ingest(CUSCAR)
    numbers = sorted(Container.objects.filter(voyage__voyage_ref=VOYAGE)
                     .values_list("number", flat=True))
    assert len(numbers) >= 3
    return numbers


def test_plan_after_manifest_flags_only_boxes_for_the_units_port(declared, tmp_path):
    on_board = declared[1:] + [UNDECLARED]  # declared[0] missing
    result = ingest(plan(tmp_path, on_board, extra=[(FOR_ISTANBUL, "TRIST")]))
    assert found() == {(NOT_MANIFESTED, UNDECLARED), (NOT_ON_BOARD, declared[0])}
    assert result["warnings"] == 2
    stored = StowagePlan.objects.get()
    assert stored.voyage.voyage_ref == VOYAGE and stored.unit.code == "pcu-baku"
    assert stored.next_port == "AZBAK" and len(stored.containers) == len(on_board) + 1


def test_same_plan_twice_changes_nothing(declared, tmp_path):
    path = plan(tmp_path, declared[1:] + [UNDECLARED])
    ingest(path)
    first = list(StowageDiscrepancy.objects.values_list("kind", "container_number"))
    ingest(path)
    assert sorted(StowageDiscrepancy.objects.values_list("kind", "container_number")) == \
        sorted(first) and len(first) == 2


def test_later_plan_replaces_the_earlier_ones_discrepancies(declared, tmp_path):
    ingest(plan(tmp_path, declared[1:] + [UNDECLARED], "first.edi"))
    ingest(plan(tmp_path, declared, "second.edi"))  # all declared boxes, nothing undeclared
    assert found() == set()
    assert StowagePlan.objects.count() == 2


def test_plan_before_its_manifest_is_compared_when_the_manifest_arrives(org, tmp_path):
    result = ingest(plan(tmp_path, [UNDECLARED]))
    assert result["warnings"] == 1 and not StowageDiscrepancy.objects.exists()
    waiting = StowagePlan.objects.get()
    assert waiting.voyage is None and waiting.unit.code == "pcu-baku"  # from LOC+61
    ingest(CUSCAR)
    declared = set(Container.objects.filter(voyage__voyage_ref=VOYAGE)
                   .values_list("number", flat=True))
    assert found() == {(NOT_MANIFESTED, UNDECLARED)} | {(NOT_ON_BOARD, n) for n in declared}
    waiting.refresh_from_db()
    assert waiting.voyage.voyage_ref == VOYAGE and waiting.compared_at is not None


def test_plan_waiting_for_its_manifest_is_said_in_report_and_pages(org, tmp_path, login,
                                                                    baku_officer, client):
    ingest(plan(tmp_path, [UNDECLARED], "early.edi"))
    job = IntakeJob.objects.get()
    assert "will be compared when it is" in Path(job.report_path).read_text(encoding="utf-8")
    job.unit = baku_officer.unit
    job.save(update_fields=["unit"])
    login(baku_officer)
    assert "waiting for the voyage" in client.get(
        reverse("intake_job", args=[job.pk])).content.decode()
    assert 'id="waiting-plans"' in client.get(reverse("intake_stowage")).content.decode()
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    assert "ждёт манифест рейса" in client.get(
        reverse("intake_job", args=[job.pk])).content.decode()


def test_officer_sees_the_discrepancies_of_the_unit_and_no_other(
        declared, tmp_path, login, baku_officer, karachi_officer, client):
    ingest(plan(tmp_path, declared[1:] + [UNDECLARED]))
    page = login(baku_officer).get(reverse("intake_stowage")).content.decode()
    assert UNDECLARED in page and declared[0] in page and VOYAGE in page
    # the declared box links to its container page, which carries the flag
    pk = Container.objects.get(number=declared[0]).pk
    assert reverse("container_detail", args=[pk]) in page
    box_page = client.get(reverse("container_detail", args=[pk])).content.decode()
    assert 'id="not-on-board"' in box_page
    other = Container.objects.get(number=declared[1]).pk
    assert 'id="not-on-board"' not in client.get(
        reverse("container_detail", args=[other])).content.decode()
    # filters
    only = client.get(reverse("intake_stowage"), {"kind": NOT_MANIFESTED}).content.decode()
    assert UNDECLARED in only and declared[0] not in only
    assert UNDECLARED not in client.get(reverse("intake_stowage"),
                                        {"voyage": "NO-SUCH"}).content.decode()
    # a search for the undeclared number says where it is on board
    search = client.get(reverse("search"), {"q": UNDECLARED}).content.decode()
    assert 'id="unmanifested"' in search and VOYAGE in search
    # in Russian
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    russian = client.get(reverse("intake_stowage")).content.decode()
    assert "На борту, не заявлен ни в одном манифесте" in russian
    # another country's officer sees none of it, by list, search or job
    client.logout()
    karachi = login(karachi_officer)
    page = karachi.get(reverse("intake_stowage")).content.decode()
    assert UNDECLARED not in page and declared[0] not in page
    assert 'id="unmanifested"' not in karachi.get(
        reverse("search"), {"q": UNDECLARED}).content.decode()
    job = StowagePlan.objects.get().job
    assert karachi.get(reverse("intake_job", args=[job.pk])).status_code == 404


def test_job_page_says_what_each_plan_found(declared, tmp_path, login, baku_officer):
    ingest(plan(tmp_path, declared[1:] + [UNDECLARED]))
    job = StowagePlan.objects.get().job
    job.unit = baku_officer.unit
    job.save(update_fields=["unit"])
    page = login(baku_officer).get(reverse("intake_job", args=[job.pk])).content.decode()
    assert 'id="stowage-plans"' in page and "2 discrepancies" in page


def test_hostile_voyage_filter_is_text(declared, tmp_path, login, baku_officer):
    ingest(plan(tmp_path, declared[1:] + [UNDECLARED]))
    client = login(baku_officer)
    response = client.get(reverse("intake_stowage"),
                          {"voyage": "<script>alert(1)</script>' OR 1=1 --", "kind": "bogus"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page and UNDECLARED not in page


def test_api_lists_the_units_discrepancies_and_no_other(declared, tmp_path, client,
                                                        baku_officer, karachi_officer):
    from portcontrol.accounts.actions import do_issue_api_token

    ingest(plan(tmp_path, declared[1:] + [UNDECLARED]))

    def get(user, **params):
        token = do_issue_api_token(user=user, name="t", acting_user=user)[1]
        return client.get("/api/intake/stowage", params,
                          headers={"Authorization": f"Bearer {token}"})

    body = get(baku_officer).json()
    assert body["total"] == 2 and not body["truncated"]
    by_kind = {r["kind"]: r for r in body["results"]}
    assert by_kind[NOT_MANIFESTED]["container_number"] == UNDECLARED
    assert by_kind[NOT_MANIFESTED]["container_id"] is None
    assert by_kind[NOT_MANIFESTED]["plan_mass_kg"] is None  # masses only where they differ
    assert by_kind[NOT_ON_BOARD]["declared_size_type"] is None
    assert by_kind[NOT_ON_BOARD]["container_id"] == Container.objects.get(
        number=declared[0]).pk
    assert [r["kind"] for r in get(baku_officer, kind=NOT_ON_BOARD).json()["results"]] == \
        [NOT_ON_BOARD]
    assert get(baku_officer, voyage="9321483").json()["total"] == 2
    assert get(karachi_officer).json() == {"total": 0, "truncated": False, "results": []}
    bad = get(baku_officer, kind="<script>")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "kind"
    assert "not_manifested" in bad.json()["error"]["message"]


def test_a_box_on_board_with_a_number_that_fails_iso_6346_is_listed_as_written(declared,
                                                                               tmp_path):
    wrong = "TCLU12345678901"  # fifteen characters, no valid check digit
    result = ingest(plan(tmp_path, [*declared, wrong]))
    assert found() == {(NOT_MANIFESTED, wrong)}
    assert result["warnings"] == 2  # the number's warning and the discrepancy


def test_targets_page_lists_undeclared_boxes_of_the_ships_arriving(declared, tmp_path, login,
                                                                   baku_officer,
                                                                   karachi_officer):
    from portcontrol.manifests.models import PortCall

    ingest(plan(tmp_path, declared[1:] + [UNDECLARED]))
    call = PortCall.objects.get(voyage__voyage_ref=VOYAGE, locode="AZBAK")
    day = call.eta.date().isoformat()
    client = login(baku_officer)
    page = client.get(reverse("targets"), {"day": day}).content.decode()
    section = page.split('id="undeclared"', 1)[1]
    assert UNDECLARED in section and declared[0] not in section  # not-on-board boxes: no
    other_day = (call.eta.date() - timedelta(days=3)).isoformat()
    assert 'id="undeclared"' not in client.get(reverse("targets"),
                                               {"day": other_day}).content.decode()
    client.logout()
    assert UNDECLARED not in login(karachi_officer).get(
        reverse("targets"), {"day": day}).content.decode()


def test_a_box_much_heavier_on_board_than_declared_is_flagged(declared, tmp_path, login,
                                                              baku_officer, client):
    light = declared_mass(declared[1])
    ingest(plan(tmp_path, declared, heavier={declared[1]: 3000, declared[2]: 100}))
    [row] = StowageDiscrepancy.objects.all()  # 100 kg is within what intake tolerates
    assert (row.kind, row.container_number) == ("mass_differs", declared[1])
    assert (row.plan_mass_kg, row.declared_mass_kg) == (light + 3000, light)
    login(baku_officer)
    page = client.get(reverse("container_detail", args=[
        Container.objects.get(number=declared[1]).pk])).content.decode()
    assert 'id="mass-differs"' in page and f"{light + 3000:,.0f} kg on the stowage plan" in page
    assert "kg declared" in client.get(reverse("intake_stowage")).content.decode()
    [row] = client.get("/api/intake/stowage", {"kind": "mass_differs"}).json()["results"]
    assert (row["plan_mass_kg"], row["declared_mass_kg"]) == (light + 3000, light)


def test_the_mass_weighed_at_the_terminal_is_a_reason_for_the_boxs_risk(declared, tmp_path,
                                                                      baku_officer):
    from datetime import date

    from portcontrol.risk.models import Assessment
    from portcontrol.risk.pipeline import score_unit

    light = declared_mass(declared[1])
    ingest(plan(tmp_path, declared, heavier={declared[1]: 0.3 * light}))
    score_unit(baku_officer.unit, since=date(2026, 11, 23), until=date(2026, 11, 25))
    heavy = Assessment.objects.get(container__number=declared[1])
    [reason] = [r for r in heavy.reasons if r["id"] == "weighed_mass"]
    assert reason["text_en"].startswith(f"weighed {1.3 * light:.0f} kg at the terminal "
                                        "(stowage plan), 30 % above")
    assert reason["text_ru"].startswith("при взвешивании в терминале")
    other = Assessment.objects.get(container__number=declared[2])
    assert not [r for r in other.reasons if r["id"] == "weighed_mass"]
    assert heavy.risk > other.risk


def test_a_plan_compared_sends_its_unit_to_be_scored_again(declared, tmp_path,
                                                            django_capture_on_commit_callbacks,
                                                            monkeypatch):
    from portcontrol.manifests.signals import manifests_stored

    sent = []
    monkeypatch.setattr(manifests_stored, "send",
                        lambda sender, unit_ids: sent.append(unit_ids))
    with django_capture_on_commit_callbacks(execute=True):
        ingest(plan(tmp_path, declared, heavier={declared[1]: 3000}))
    assert sent == [[Container.objects.get(number=declared[0]).unit_id]]


def test_a_box_stowed_as_another_kind_of_box_than_declared_is_flagged(declared, tmp_path,
                                                                     login, baku_officer,
                                                                     client):
    kind = declared_type(declared[1])
    other = "45R1" if not kind.startswith("45R") else "22G1"
    same_kind = declared_type(declared[2])[:3] + ("0" if declared_type(declared[2])[3] != "0"
                                                   else "1")
    ingest(plan(tmp_path, declared, stowed_as={declared[1]: other, declared[2]: same_kind}))
    [row] = StowageDiscrepancy.objects.all()  # the last character is no other kind of box
    assert (row.kind, row.container_number, row.plan_size_type, row.declared_size_type) == \
        ("type_differs", declared[1], other, kind)
    login(baku_officer)
    page = client.get(reverse("container_detail", args=[
        Container.objects.get(number=declared[1]).pk])).content.decode()
    assert 'id="type-differs"' in page and f"stowed as {other}, declared {kind}" in page
    assert f"{other} on the plan, {kind} declared" in client.get(
        reverse("intake_stowage")).content.decode()
    [row] = client.get("/api/intake/stowage").json()["results"]
    assert (row["plan_size_type"], row["declared_size_type"]) == (other, kind)
    assert row["plan_mass_kg"] is None


def test_csv_export_keeps_the_filters_and_the_scope_and_writes_formulas_as_text(
        declared, tmp_path, login, baku_officer, karachi_officer, client):
    import csv

    hostile = "=HYPERLINK(1)"  # a "box number" on a plan, as a spreadsheet would run it
    ingest(plan(tmp_path, [*declared[1:], UNDECLARED, hostile]))
    login(baku_officer)
    response = client.get(reverse("intake_stowage_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    numbers = {r["container_number"]: r for r in rows}
    assert set(numbers) == {UNDECLARED, "'" + hostile, declared[0]}
    assert numbers[declared[0]]["discrepancy"] == NOT_ON_BOARD
    only = client.get(reverse("intake_stowage_csv"), {"kind": NOT_ON_BOARD}).content.decode()
    assert declared[0] in only and UNDECLARED not in only
    client.logout()
    other = login(karachi_officer).get(reverse("intake_stowage_csv")).content.decode()
    assert other.strip().splitlines() == [",".join(views.STOWAGE_CSV_HEADER)]


def test_a_finished_job_polled_by_its_page_has_the_page_come_again_whole(
        declared, tmp_path, login, baku_officer, client):
    ingest(plan(tmp_path, declared))
    job = StowagePlan.objects.get().job
    job.unit = baku_officer.unit
    job.save(update_fields=["unit"])
    login(baku_officer)
    polled = client.get(reverse("intake_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"
    assert "HX-Refresh" not in client.get(reverse("intake_job", args=[job.pk]))
