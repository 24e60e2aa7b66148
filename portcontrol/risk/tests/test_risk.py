"""Risk pages and actions as analysts, supervisors and officers meet them."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from portcontrol.core.errors import InvalidValue, PermissionDenied
from portcontrol.generator import generate
from portcontrol.risk.actions import (
    do_backtest_rule,
    do_decide_rule,
    do_retire_rule,
    do_save_rule,
    do_submit_rule,
)
from portcontrol.risk.models import Assessment, Outcome, Rule, UnitRiskSettings
from portcontrol.testing.records import BAKU_CONTAINER

pytestmark = pytest.mark.django_db
DRAFT = {"code": "reefer-check", "description": "Reefer with dry goods",
         "description_ru": "Рефконтейнер с сухим грузом",
         "expression": "reefer and ind_reefer_non_perishable > 0", "weight": 0.6,
         "valid_from": None, "valid_to": None}


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    out = tmp_path_factory.mktemp("week")
    generate(out, containers=600, seed=5, start=date.today() - timedelta(days=3), days=7,
             destinations={"AZBAK": 0.5, "PKKHI": 0.5})
    return out


@pytest.fixture
def loaded(org, week, django_capture_on_commit_callbacks):
    # Intake announces stored manifests after commit; the risk app then scores them.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest", str(week / "containers.csv"), "--json", stdout=io.StringIO())
    return week


def baku(org):
    return org["baku.officer"].unit


def test_empty_containers_are_assessed_with_the_rest_of_their_ship(loaded):
    """Empties have no goods lines; a declared empty is still a box to look at."""
    from portcontrol.manifests.models import Container

    assessed = set(Assessment.objects.values_list("container_id", flat=True))
    ships = Container.objects.filter(id__in=assessed).values_list("voyage_id", flat=True)
    empties = set(Container.objects.filter(load="E", voyage_id__in=set(ships))
                  .values_list("id", flat=True))
    assert empties and empties <= assessed


@pytest.mark.parametrize("expression, fragment", [
    ("reefer and", "column"),
    ("valu_per_kg > 3", "unknown field 'valu_per_kg'"),
    ("__import__('os').system('id')", "column"),
    ("reefer.__class__", "column"),
])


def test_bad_expression_is_refused_with_its_position(org, expression, fragment):
    with pytest.raises(InvalidValue) as err:
        do_save_rule(acting_user=org["baku.analyst"], unit=baku(org),
                     data={**DRAFT, "expression": expression})
    assert err.value.field == "expression" and fragment in err.value.message


def test_four_eyes_life_cycle(org, loaded, login):
    analyst, supervisor = org["baku.analyst"], org["baku.supervisor"]
    client = login(analyst)

    def stage() -> str:
        page = client.get(reverse("rule_detail", args=[rule.pk])).content.decode()
        return page.split('id="rule-stage">', 1)[1].split("</p>", 1)[0]

    rule = do_save_rule(acting_user=analyst, unit=baku(org), data=DRAFT)
    assert stage().startswith("A draft: backtest it")
    with pytest.raises(InvalidValue, match="backtest"):
        do_submit_rule(acting_user=analyst, rule=rule)
    result = do_backtest_rule(acting_user=analyst, rule=rule, days=30)
    assert result["containers"] > 0 and result["hits"] <= result["containers"]
    page = client.get(reverse("rule_detail", args=[rule.pk])).content.decode()
    assert f"30 ({result['since']} – {result['until']})" in page
    do_submit_rule(acting_user=analyst, rule=rule)
    assert stage().startswith("Waiting for approval")
    with pytest.raises(PermissionDenied):
        do_decide_rule(acting_user=analyst, rule=rule, approve=True)
    with pytest.raises(InvalidValue, match="why"):
        do_decide_rule(acting_user=supervisor, rule=rule, approve=False, note="")
    do_decide_rule(acting_user=supervisor, rule=rule, approve=True)
    assert Rule.objects.get(pk=rule.pk).status == "active"
    assert stage().startswith("Active: every scoring")
    do_retire_rule(acting_user=supervisor, rule=rule)
    assert Rule.objects.get(pk=rule.pk).status == "retired"
    assert stage().startswith("Retired")


def test_author_cannot_approve_own_rule(org):
    supervisor = org["baku.supervisor"]
    rule = do_save_rule(acting_user=supervisor, unit=baku(org), data=DRAFT)
    Rule.objects.filter(pk=rule.pk).update(status="pending", last_backtest={"hits": 0})
    rule.refresh_from_db()
    with pytest.raises(PermissionDenied, match="Four eyes"):
        do_decide_rule(acting_user=supervisor, rule=rule, approve=True)
    with translation.override("ru"), pytest.raises(PermissionDenied,
                                                    match="Принцип двух ключей"):
        do_decide_rule(acting_user=supervisor, rule=rule, approve=True)


def test_officer_cannot_write_rules_and_other_country_cannot_see_them(login, org):
    rule = do_save_rule(acting_user=org["baku.analyst"], unit=baku(org), data=DRAFT)
    officer = login(org["baku.officer"])
    assert officer.get(reverse("rule_new")).status_code == 403
    assert officer.get(reverse("rule_detail", args=[rule.pk])).status_code == 200
    karachi = login(org["karachi.officer"])
    assert karachi.get(reverse("rule_detail", args=[rule.pk])).status_code == 404
    assert "reefer-check" not in karachi.get(reverse("rules")).content.decode()
    with pytest.raises(PermissionDenied):
        do_save_rule(acting_user=org["karachi.officer"], unit=baku(org),
                     data={**DRAFT, "code": "x"})


def test_the_rule_list_reads_in_the_language_chosen(login, org):
    do_save_rule(acting_user=org["baku.analyst"], unit=baku(org), data=DRAFT)
    do_save_rule(acting_user=org["baku.analyst"], unit=baku(org),
                 data={**DRAFT, "code": "english-only", "description": "Written in English",
                       "description_ru": ""})
    client = login(org["baku.analyst"])
    english = client.get(reverse("rules")).content.decode()
    assert "Reefer with dry goods" in english and "Рефконтейнер" not in english
    client.post(reverse("set_language"), {"language": "ru", "next": "/rules/"})
    russian = client.get(reverse("rules")).content.decode()
    assert "Рефконтейнер с сухим грузом" in russian and "Reefer with dry goods" not in russian
    assert "Written in English" in russian  # no Russian text: the English one, not nothing


@pytest.mark.parametrize("language", ["en", "ru"])
def test_dates_on_forms_are_written_as_a_date_picker_reads_them(login, org, language):
    """Django writes a date in the language's format (30.10.2026 in Russian); a browser date
    input shows that as empty, and saving the rule as it was shown lost its validity."""
    rule = do_save_rule(acting_user=org["baku.analyst"], unit=baku(org),
                        data={**DRAFT, "valid_from": date(2026, 12, 1),
                              "valid_to": date(2027, 3, 31)})
    client = login(org["baku.analyst"])
    client.post(reverse("set_language"), {"language": language, "next": "/rules/"})
    form = client.get(reverse("rule_edit", args=[rule.pk])).content.decode()
    assert 'value="2026-12-01"' in form and 'value="2027-03-31"' in form
    report = client.get(reverse("report_hit_rate"), {"since": "2026-10-30",
                                                     "until": "2026-11-28"}).content.decode()
    assert 'value="2026-10-30"' in report and 'value="2026-11-28"' in report
    targets = client.get(reverse("targets"), {"day": "2026-11-24"}).content.decode()
    assert 'value="2026-11-24"' in targets


def test_rule_form_shows_the_error_position(login, org):
    client = login(org["baku.analyst"])
    response = client.post(reverse("rule_new"), {**{k: v or "" for k, v in DRAFT.items()},
                                                 "expression": "reefer and and"})
    assert response.status_code == 400 and "column" in response.content.decode()
    # in Russian, the same error with its position in Russian
    client.post(reverse("set_language"), {"language": "ru", "next": "/rules/"})
    response = client.post(reverse("rule_new"), {**{k: v or "" for k, v in DRAFT.items()},
                                                 "expression": "reefer and unknown_thing"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "неизвестное поле &#x27;unknown_thing&#x27; в столбце 12" in page


def test_rule_form_lists_the_fields_a_rule_can_name(login, org):
    """Every field the form's validation accepts is listed under its kind, and each listed
    field validates: the reference cannot drift from the language."""
    import re

    from portcontrol.engine.rules import validate

    client = login(org["baku.analyst"])
    page = client.get(reverse("rule_new")).content.decode()
    listed = page[page.index('id="rule-fields"'):]
    numbers = listed[listed.index("<h3>Numbers</h3>"):listed.index("<h3>Text</h3>")]
    assert '<code class="mono">hub_dwell_days</code>' in numbers
    assert '<code class="mono">weighed_diff_pct</code>' in numbers
    names = re.findall(r'<code class="mono">([a-z0-9_]+)</code>', listed)
    assert len(names) > 100
    for name in names:
        validate(f"not is_null({name})")
    client.post(reverse("set_language"), {"language": "ru", "next": "/rules/"})
    page = client.get(reverse("rule_new")).content.decode()
    assert "Поля, которые может называть правило" in page and "<h3>Числа</h3>" in page



def test_the_rule_forms_example_is_a_valid_rule():
    from portcontrol.engine.rules import validate
    from portcontrol.risk.forms import EXAMPLE, RuleForm

    validate(EXAMPLE)
    assert EXAMPLE in str(RuleForm().fields["expression"].help_text)


def test_a_rule_is_backtested_as_written_before_it_is_saved(login, org, loaded):
    from portcontrol.audit.models import AuditRecord

    client = login(org["baku.analyst"])
    form = {**{k: v or "" for k, v in DRAFT.items()}, "days": "30", "try": "1"}
    audits = AuditRecord.objects.count()
    response = client.post(reverse("rule_new"), form)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="trial"' in page
    assert not Rule.objects.exists() and AuditRecord.objects.count() == audits
    # the same figures as the backtest of the saved draft
    rule = do_save_rule(acting_user=org["baku.analyst"], unit=baku(org), data=DRAFT)
    saved = do_backtest_rule(acting_user=org["baku.analyst"], rule=rule, days=30)
    assert f'id="bt-containers">{saved["containers"]}<' in page
    assert f'id="bt-hits">{saved["hits"]}<' in page and saved["containers"] > 0
    # what is wrong is said on the form, and still nothing is saved
    bad = client.post(reverse("rule_new"), {**form, "code": "other", "expression": "reefer and"})
    assert bad.status_code == 400 and "column" in bad.content.decode()
    far = client.post(reverse("rule_new"), {**form, "code": "other", "days": "5000"})
    assert far.status_code == 400 and 'id="trial"' not in far.content.decode()
    assert Rule.objects.count() == 1
    # an officer may not try rules either
    client.logout()
    officer = login(org["baku.officer"])
    assert officer.post(reverse("rule_new"), form).status_code == 403


def test_intake_scores_and_targets_respect_capacity_and_scope(login, org, loaded):
    settings_ = UnitRiskSettings.objects.get(unit=baku(org))
    red = Assessment.objects.filter(unit=baku(org), channel="red")
    assert Assessment.objects.filter(unit=baku(org)).exists()
    per_day = {}
    for a in red:
        per_day[a.arrival_date] = per_day.get(a.arrival_date, 0) + 1
    assert per_day and max(per_day.values()) <= settings_.red_capacity + 1
    top = Assessment.objects.filter(unit=baku(org)).exclude(reasons=[]).order_by("-risk").first()
    client = login(org["baku.officer"])
    page = client.get(reverse("targets"), {"day": top.arrival_date.isoformat()}).content.decode()
    upcoming = client.get(reverse("targets")).content.decode()
    assert "Targets arriving from" in upcoming
    assert top.container.number in page
    # the channel in one word; its full meaning as the tooltip
    assert (f'<span class="badge {top.channel}" title="{top.get_channel_display()}">'
            f'{top.channel.capitalize()}</span>') in page
    response = client.get(reverse("container_detail", args=[top.container_id]))
    assert response.status_code == 200
    detail = response.content.decode()
    assert 'id="assessment"' in detail and top.reasons[0]["text_en"][:30] in detail
    karachi_page = login(org["karachi.officer"]).get(
        reverse("targets"), {"day": top.arrival_date.isoformat()}).content.decode()
    assert top.container.number not in karachi_page


def test_every_selected_container_says_why(org, loaded, monkeypatch):
    """Scoring explains the top share of a run by risk; the selection, made day by day,
    reaches below it. Every container selected with some risk carries its reasons, the
    model's factors included (here the explained share is made small: 5 containers)."""
    from portcontrol.engine.scoring import ScoringConfig
    from portcontrol.risk import pipeline

    monkeypatch.setattr(pipeline, "ScoringConfig",
                        lambda: ScoringConfig(explain_share=0.0, explain_min=5))
    runs = [pipeline.score_unit(org[who].unit, since=date.today() - timedelta(days=3),
                                until=date.today() + timedelta(days=3))
            for who in ("baku.officer", "karachi.officer")]
    selected = Assessment.objects.filter(run__in=runs, channel__in=["red", "yellow"],
                                         risk__gt=0)
    assert selected.count() > 20
    assert not [a.container_id for a in selected if not a.reasons]
    for run in runs:  # the green ones: only the explained few
        assert Assessment.objects.filter(run=run, channel="green").exclude(reasons=[]) \
            .count() <= 5


@pytest.mark.parametrize("chunk", [None, 1])  # 1: every id in a query of its own
def test_rescoring_keeps_the_assessment_an_inspection_was_made_on(org, loaded, monkeypatch,
                                                                  chunk):
    """An inspected container's channel and selection probability are what its outcome is
    weighed with (hit rates, the model's calibration): a later run leaves them alone."""
    from portcontrol.risk import pipeline
    from portcontrol.risk.pipeline import score_unit

    if chunk:
        whole = pipeline.in_chunks
        monkeypatch.setattr(pipeline, "in_chunks", lambda ids: whole(ids, chunk))

    picked = Assessment.objects.filter(unit=baku(org), selection_reason="random").first() \
        or Assessment.objects.filter(unit=baku(org), channel="red").first()
    Outcome.objects.create(container_id=picked.container_id, unit=baku(org), inspected=True,
                           seizure=False)
    before = Assessment.objects.get(pk=picked.pk)
    UnitRiskSettings.objects.filter(unit=baku(org)).update(red_capacity=0, yellow_capacity=0)
    run = score_unit(baku(org), since=before.arrival_date, until=before.arrival_date, seed=99)
    after = Assessment.objects.get(container_id=picked.container_id)
    assert (after.pk, after.channel, after.selection_reason, after.selection_probability,
            after.run_id) == (before.pk, before.channel, before.selection_reason,
                              before.selection_probability, before.run_id)
    run.refresh_from_db()
    assert run.counts["kept_inspected"] == 1
    others = Assessment.objects.filter(unit=baku(org), arrival_date=before.arrival_date) \
        .exclude(pk=picked.pk)
    assert others.exists() and set(others.values_list("channel", flat=True)) == {"green"}
    # inspected before it was ever assessed (a tip-off): it gets its first assessment
    tipped = others.first()
    container_id = tipped.container_id
    tipped.delete()
    Outcome.objects.create(container_id=container_id, unit=baku(org), inspected=True,
                           seizure=True)
    score_unit(baku(org), since=before.arrival_date, until=before.arrival_date, seed=99)
    assert Assessment.objects.filter(container_id=container_id).exists()


def test_random_selections_record_their_probability(org, loaded):
    random = Assessment.objects.filter(selection_reason="random")
    for a in random:
        assert 0 < a.selection_probability < 1
    assert all(a.selection_probability == 1 for a in
               Assessment.objects.filter(selection_reason="risk"))


def test_imported_watchlist_raises_the_risk_of_a_listed_consignee(org, manifests, tmp_path):
    from portcontrol.risk.models import Watchlist
    from portcontrol.risk.pipeline import score_unit

    listed = tmp_path / "list.csv"
    listed.write_text("id,name,kind,country,aliases\n"
                      "W1,ООО Каспиан Фреш,company,AZ,Caspian Fresh Trading\n"
                      "W2,,company,AZ,\n", encoding="utf-8")
    out = io.StringIO()
    err = io.StringIO()
    call_command("import_watchlist", str(listed), "--unit", "pcu-baku", "--name", "national",
                 stdout=out, stderr=err)
    assert "1 entries" in out.getvalue() and "1 rows rejected" in out.getvalue()
    assert "line 3" in err.getvalue()
    assert Watchlist.objects.get(unit=baku(org)).entries_count == 1
    score_unit(baku(org), since=date(2026, 11, 23), until=date(2026, 11, 25))
    assessment = Assessment.objects.get(container__number=BAKU_CONTAINER)
    kinds = {r["kind"] for r in assessment.reasons}
    assert "watchlist" in kinds
    reason = next(r for r in assessment.reasons if r["kind"] == "watchlist")
    # which party, on which list and entry, why; in Russian too, with nothing left in English
    assert reason["text_en"].startswith("watchlist match: consignee on list 'national' "
                                        "(entry W1): name matches")
    assert reason["text_ru"].startswith("совпадение со списком наблюдения: получатель в списке "
                                        "«national» (запись W1): имя совпадает")
    assert "consignee" not in reason["text_ru"]


@pytest.mark.parametrize(("row", "en", "ru"), [
    ("V1,MSC ANNA,vessel,,IMO 9321483", "vessel on list 'ships' (entry V1): IMO number 9321483",
     "судно в списке «ships» (запись V1): номер ИМО 9321483"),
    (f"C1,{BAKU_CONTAINER},container,,",
     f"container on list 'ships' (entry C1): container number {BAKU_CONTAINER}",
     f"контейнер в списке «ships» (запись C1): номер контейнера {BAKU_CONTAINER}"),
])
def test_a_listed_vessel_or_container_is_named_as_such_in_the_reason(org, manifests, tmp_path,
                                                                      row, en, ru):
    from portcontrol.risk.pipeline import score_unit

    listed = tmp_path / "list.csv"
    listed.write_text(f"id,name,kind,country,aliases\n{row}\n", encoding="utf-8")
    call_command("import_watchlist", str(listed), "--unit", "pcu-baku", "--name", "ships",
                 stdout=io.StringIO())
    score_unit(baku(org), since=date(2026, 11, 23), until=date(2026, 11, 25))
    assessment = Assessment.objects.get(container__number=BAKU_CONTAINER)
    reason = next(r for r in assessment.reasons if r["kind"] == "watchlist")
    assert reason["text_en"] == f"watchlist match: {en} matches exactly"
    assert reason["text_ru"] == f"совпадение со списком наблюдения: {ru} совпадает"


@pytest.mark.parametrize(("row", "hit"), [
    ("A1,Neftchilar Avenue 5,address,AZ,", True),
    ("A1,\"пр. Нефтчиляр, 5\",address,AZ,", True),  # in Cyrillic
    ("A1,Caspian Fresh LLC,address,AZ,", False),  # the consignee's name, listed as an address
    ("A1,Neftchilar Avenue 7,address,AZ,", False),  # another house on the same street
    ("A1,Neftchilar Avenue 5,address,GE,", False),  # another country: another place
])
def test_a_listed_address_is_matched_with_the_parties_addresses_only(org, manifests, tmp_path,
                                                                    row, hit):
    from portcontrol.risk.pipeline import score_unit

    listed = tmp_path / "list.csv"
    listed.write_text(f"id,name,kind,country,aliases\n{row}\n", encoding="utf-8")
    call_command("import_watchlist", str(listed), "--unit", "pcu-baku", "--name", "places",
                 stdout=io.StringIO())
    score_unit(baku(org), since=date(2026, 11, 23), until=date(2026, 11, 25))
    assessment = Assessment.objects.get(container__number=BAKU_CONTAINER)
    reasons = [r for r in assessment.reasons if r["kind"] == "watchlist"]
    assert bool(reasons) == hit
    if hit:
        assert reasons[0]["text_en"].startswith(
            "watchlist match: consignee's address on list 'places' (entry A1): address "
            "matches listed address")
        assert reasons[0]["text_ru"].startswith(
            "совпадение со списком наблюдения: адрес получателя в списке «places» (запись A1): "
            "адрес совпадает с адресом из списка")


def test_import_watchlist_on_the_command_line_records_the_time_but_no_user(org, tmp_path):
    from django.utils import timezone

    from portcontrol.risk.models import Watchlist

    listed = tmp_path / "list.csv"
    listed.write_text("id,name,kind,country,aliases\nW1,Acme,company,AZ,\n", encoding="utf-8")
    start = timezone.now()
    call_command("import_watchlist", str(listed), "--unit", "pcu-baku", "--name", "national",
                 stdout=io.StringIO(), stderr=io.StringIO())
    watchlist = Watchlist.objects.get(unit=baku(org), name="national")
    assert watchlist.imported_by is None and watchlist.created_by is None
    assert start <= watchlist.imported_at <= timezone.now()


def test_import_watchlist_on_the_command_line_checks_the_file_as_the_page_does(org, tmp_path):
    from portcontrol.risk.models import Watchlist

    listed = tmp_path / "list.csv"
    listed.write_bytes("id,name,kind,country,aliases\n"
                       "W1,ООО Каспиан Фреш,company,AZ,\n"
                       "W2,Bad\x00Name LLC,company,AZ,\n".encode())
    out, err = io.StringIO(), io.StringIO()
    call_command("import_watchlist", str(listed), "--unit", "pcu-baku", "--name", "national",
                 stdout=out, stderr=err)
    assert "1 entries" in out.getvalue() and "1 rows rejected" in out.getvalue()
    assert "line 3" in err.getvalue() and "NUL" in err.getvalue()
    assert Watchlist.objects.get(unit=baku(org), name="national").entries_count == 1
    # A file with no valid row leaves the list as it was; a UTF-16 file is refused.
    nothing = tmp_path / "nothing.csv"
    nothing.write_text("id,name,kind,country,aliases\nW9,,company,AZ,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no valid row"):
        call_command("import_watchlist", str(nothing), "--unit", "pcu-baku", "--name",
                     "national", stdout=io.StringIO(), stderr=io.StringIO())
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text("id,name,kind,country,aliases\nW1,Acme,company,AZ,\n", encoding="utf-16")
    with pytest.raises(CommandError, match="UTF-16"):
        call_command("import_watchlist", str(utf16), "--unit", "pcu-baku", "--name",
                     "national", stdout=io.StringIO(), stderr=io.StringIO())
    assert Watchlist.objects.get(unit=baku(org), name="national").entries_count == 1
