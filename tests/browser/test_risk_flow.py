"""The risk engine in a real browser: a rule from draft to retirement under four eyes, a
watchlist uploaded and searched, and the unit's targets with their reasons after scoring."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.test_search_flow import browser_page, log_in, seeded  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID_EXPRESSION = 'reefer and origin_country in ["EC"]'
# "valu_per_kg" is not a field; it starts at column 12 of the expression.
INVALID_EXPRESSION = "reefer and valu_per_kg > 3"
WATCHLIST_CSV = (
    "id,name,kind,country,aliases\n"
    "W1,Caspian Fresh LLC,company,AZ,Caspian Fresh Trading;Каспиан Фреш\n"  # line 2
    "W2,Frutas Ltd,spaceship,EC,\n"  # line 3: unknown kind
    "W3,Indus Traders,company,PK,\n"  # line 4
)


def arrival_day() -> date:
    """The day the sample records' vessel arrives (their ETA)."""
    from portcontrol.testing.records import sample_records

    return date.fromisoformat(sample_records()[0]["voyage"]["eta"][:10])


def backtest_days() -> int:
    """Enough days of history, counted back from today, to include the sample arrival."""
    from django.utils import timezone

    return max(1, min(730, (timezone.localdate() - arrival_day()).days + 30))


def switch_user(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, live_server, username)


def status_of(page) -> str:
    return page.locator("#rule-status").inner_text().strip()


@pytest.fixture
def scored(seeded):  # noqa: F811
    """An active rule of PCU Baku (four eyes through the actions) and the unit scored on the
    sample arrival day."""
    from portcontrol.accounts.models import Unit, User
    from portcontrol.risk.actions import (do_backtest_rule, do_decide_rule, do_save_rule,
                                          do_submit_rule)
    from portcontrol.risk.models import Assessment
    from portcontrol.risk.pipeline import score_unit

    unit = Unit.objects.get(code="pcu-baku")
    analyst = User.objects.get(username="baku.analyst")
    supervisor = User.objects.get(username="baku.supervisor")
    rule = do_save_rule(acting_user=analyst, unit=unit, data={
        "code": "ec-reefer", "description": "Reefer from Ecuador", "description_ru": "",
        "expression": VALID_EXPRESSION, "weight": 0.8, "valid_from": None, "valid_to": None})
    do_backtest_rule(acting_user=analyst, rule=rule, days=backtest_days())
    do_submit_rule(acting_user=analyst, rule=rule)
    do_decide_rule(acting_user=supervisor, rule=rule, approve=True)
    score_unit(unit, since=arrival_day(), until=arrival_day())
    assert Assessment.objects.filter(unit=unit, channel__in=["red", "yellow"]).count() == 1
    return rule


def test_rule_is_drafted_backtested_approved_by_another_user_and_retired(
        live_server, seeded, browser_page):  # noqa: F811
    page = browser_page
    log_in(page, live_server, "baku.analyst")
    page.click("nav.mainnav a[href='/rules/']")
    page.wait_for_selector("#new-rule")
    assert page.locator("#rules").count() == 0  # nothing yet in this unit
    page.click("#new-rule")
    page.wait_for_selector("#rule-form")
    page.fill("#id_code", "ec-reefer")
    page.fill("#id_description", "Reefer from Ecuador")
    page.fill("#id_weight", "0.7")

    # A misspelt field is refused, and the message says where it is.
    page.fill("#id_expression", INVALID_EXPRESSION)
    page.click("#save-rule")
    error = page.locator("#rule-form .field-error")
    error.first.wait_for()
    message = error.first.inner_text()
    assert "unknown field 'valu_per_kg'" in message and "column 12" in message
    assert page.input_value("#id_expression") == INVALID_EXPRESSION

    page.fill("#id_expression", VALID_EXPRESSION)
    page.click("#save-rule")
    page.wait_for_url(re.compile(r".*/rules/\d+/$"))
    rule_url = page.url
    assert status_of(page) == "Draft"
    assert VALID_EXPRESSION in page.locator("dl.facts").first.inner_text()

    # Not without a backtest.
    page.click("#submit-rule")
    page.wait_for_selector(".messages .message.error")
    assert "Run a backtest" in page.inner_text(".messages")
    assert status_of(page) == "Draft"

    page.fill("#id_days", str(backtest_days()))
    page.click("#run-backtest")
    page.wait_for_selector("#bt-hits")
    assert int(page.inner_text("#bt-containers")) == 1  # the Baku sample container
    assert int(page.inner_text("#bt-hits")) == 1  # a reefer from Ecuador: hit
    assert int(page.inner_text("#bt-seizures")) == 0

    page.click("#submit-rule")
    page.wait_for_function(
        "document.querySelector('#rule-status').innerText.trim() !== 'Draft'")
    assert status_of(page) == "Waiting for approval"
    assert page.locator("#approve-rule").count() == 0  # the author cannot approve
    assert page.locator("#run-backtest").count() == 0  # nor change a pending rule

    # Four eyes: the unit's supervisor opens the rule from the list and approves it.
    switch_user(page, live_server, "baku.supervisor")
    page.click("nav.mainnav a[href='/rules/']")
    row = page.locator("#rules tbody tr", has_text="ec-reefer")
    row.wait_for()
    assert "Waiting for approval" in row.inner_text()
    row.locator("a").click()
    page.wait_for_selector("#approve-rule")
    assert page.url == rule_url
    page.fill("#id_note", "Checked the backtest")
    page.click("#approve-rule")
    page.wait_for_selector("#retire-rule")
    assert status_of(page) == "Active"
    decided = page.inner_text("#rule-decided-by")
    assert "baku.supervisor" in decided and "Checked the backtest" in decided

    page.click("nav.mainnav a[href='/rules/']")
    row = page.locator("#rules tbody tr", has_text="ec-reefer")
    row.wait_for()
    assert "Active" in row.inner_text()

    row.locator("a").click()
    page.wait_for_selector("#retire-rule")
    page.click("#retire-rule")
    page.wait_for_function(
        "document.querySelector('#rule-status').innerText.trim() === 'Retired'")
    assert page.locator("#retire-rule").count() == 0
    page.click("nav.mainnav a[href='/rules/']")
    row = page.locator("#rules tbody tr", has_text="ec-reefer")
    row.wait_for()
    assert "Retired" in row.inner_text()


def test_analyst_uploads_watchlist_sees_report_and_searches_entries(
        live_server, seeded, browser_page):  # noqa: F811
    page = browser_page
    log_in(page, live_server, "baku.analyst")
    page.click("nav.mainnav a[href='/watchlists/']")
    page.wait_for_selector("#watchlist-upload-form")
    page.fill("#id_name", "national sanctions")
    page.set_input_files("#id_file", files=[{
        "name": "national.csv", "mimeType": "text/csv",
        "buffer": WATCHLIST_CSV.encode("utf-8")}])
    page.click("#watchlist-upload-form button[type=submit]")

    page.wait_for_selector("#import-report")
    assert page.locator("h1").inner_text() == "national sanctions"
    assert int(page.inner_text("#rows-accepted")) == 2
    assert int(page.inner_text("#rows-rejected")) == 1
    rejected = page.locator("#rejected-rows tbody tr")
    assert rejected.count() == 1
    cells = rejected.first.locator("td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == "kind" and "spaceship" in cells[2]
    assert int(page.inner_text("#entries-count")) == 2

    # The list as anyone of the unit finds it later: listed, then opened and searched.
    page.click("nav.mainnav a[href='/watchlists/']")
    row = page.locator("#watchlists tbody tr", has_text="national sanctions")
    row.wait_for()
    assert "national.csv" in row.inner_text()
    row.locator("a").click()
    page.wait_for_selector("#entries-table")
    assert page.locator("#import-report").count() == 0  # the report is shown once
    assert page.locator("#entries-table tbody tr").count() == 2

    page.fill("#id_q", "каспиан")  # an alias, in another script and case
    page.click("#entries-search button[type=submit]")
    page.wait_for_url(re.compile(r".*\?q=.*"))
    rows = page.locator("#entries-table tbody tr")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "W1" in text and "Caspian Fresh LLC" in text and "Каспиан Фреш" in text

    page.fill("#id_q", "no such trader")
    page.click("#entries-search button[type=submit]")
    page.wait_for_selector("#entries .empty")
    assert page.locator("#entries-table").count() == 0


def test_officer_sees_targets_with_reasons_after_scoring(
        live_server, scored, browser_page):  # noqa: F811
    from portcontrol.testing.records import BAKU_CONTAINER, KARACHI_CONTAINER

    page = browser_page
    log_in(page, live_server, "baku.officer")
    page.click("nav.mainnav a[href='/targets/']")
    page.wait_for_selector("#targets-form")
    day = arrival_day().isoformat()
    page.fill("#id_day", day)
    page.click("#targets-form button[type=submit]")
    page.wait_for_selector("#targets")
    assert page.locator("h1").inner_text() == f"Targets for {day}"
    rows = page.locator("#targets tbody tr")
    assert rows.count() == 1
    row = rows.first
    assert row.locator("code", has_text=BAKU_CONTAINER).count() == 1
    assert KARACHI_CONTAINER not in page.inner_text("#targets")  # another country's box
    assert "PCU Baku" in row.inner_text()
    assert row.locator(".badge.red").count() == 1
    assert float(row.locator("td").nth(2).inner_text()) > 0.5
    reasons = row.locator("ul.reasons li").all_inner_texts()
    assert any("ec-reefer" in r and "Reefer from Ecuador" in r for r in reasons), reasons
    assert any("Ecuador" in r and "Algeciras" in r for r in reasons), reasons

    # The container's page is one click away.
    row.locator(f"a:has-text('{BAKU_CONTAINER}')").click()
    page.wait_for_url(re.compile(r".*/containers/.+"))
    assert BAKU_CONTAINER in page.locator("h1").inner_text()

    # Upcoming days without the arrival: the list says so rather than showing it.
    next_day = (arrival_day() + timedelta(days=1)).isoformat()
    page.goto(f"{live_server.url}/targets/?day={next_day}")
    page.wait_for_selector("p.empty")
    assert page.locator("#targets").count() == 0


def test_supervisor_sets_the_daily_capacity_that_the_next_scoring_uses(
        live_server, seeded, browser_page):  # noqa: F811
    from portcontrol.accounts.models import Unit
    from portcontrol.risk.pipeline import score_unit

    page = browser_page
    log_in(page, live_server, "baku.supervisor")
    page.click("nav.mainnav a[href='/targets/']")
    page.wait_for_selector("#capacity")
    assert "20 red and 60 yellow places, 1 of them drawn at random" in page.inner_text(
        "#capacity")
    page.click("#capacity a")
    page.wait_for_selector("#settings-form")
    assert page.locator("#few-random").count() == 1  # the default share is below advice

    # A share above one half is refused by the browser before it is sent (the server
    # refuses it too: test_selection_settings); nothing is stored.
    page.fill("#id_red_capacity", "0")
    page.fill("#id_yellow_capacity", "5")
    page.fill("#id_exploration_share", "0.9")
    page.click("#save-settings")
    assert page.eval_on_selector("#id_exploration_share", "e => e.validity.rangeOverflow")
    assert page.locator(".messages .message").count() == 0
    assert page.inner_text("#red-capacity") == "20"

    page.fill("#id_exploration_share", "0.2")
    page.click("#save-settings")
    page.wait_for_selector(".messages .message")
    assert "Selection settings saved" in page.inner_text(".messages")
    assert page.inner_text("#red-capacity") == "0"
    assert page.inner_text("#random-picks") == "0 red, 1 yellow"
    assert page.locator("#few-random").count() == 0

    # The next scoring uses them: no red place, so the sample container is not red.
    score_unit(Unit.objects.get(code="pcu-baku"), since=arrival_day(), until=arrival_day())
    switch_user(page, live_server, "baku.officer")
    page.goto(f"{live_server.url}/targets/?day={arrival_day().isoformat()}")
    page.wait_for_selector("#capacity")
    assert page.locator("#targets .badge.red").count() == 0
    page.click("#capacity a")
    page.wait_for_selector("#selection-settings")
    assert page.locator("#settings-form").count() == 0  # an officer reads them only


def test_analyst_imports_past_inspections_and_sees_them_counted(
        live_server, seeded, browser_page):  # noqa: F811
    from portcontrol.testing.records import BAKU_CONTAINER

    page = browser_page
    log_in(page, live_server, "baku.analyst")
    page.click("nav.mainnav a[href='/models/']")
    page.click("#history-link")
    page.wait_for_selector("#outcome-upload-form")
    assert page.locator("#recorded-outcomes").count() == 0
    page.set_input_files("#id_file", files=[{
        "name": "inspections-2026.csv", "mimeType": "text/csv",
        "buffer": ("container_number;inspected_on;result;kind\n"
                   f"{BAKU_CONTAINER};{arrival_day().isoformat()};found;cocaine\n"  # line 2
                   "MSCU0000000;2026-11-01;found;\n").encode("utf-8")}])  # line 3: unknown
    page.click("#outcome-upload-form button[type=submit]")

    page.wait_for_selector("#import-report")
    assert int(page.inner_text("#rows-read")) == 2
    assert int(page.inner_text("#rows-new")) == 1
    assert int(page.inner_text("#rows-rejected")) == 1
    cells = page.locator("#rejected-rows tbody tr").first.locator("td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == "container_number" and "PCU Baku" in cells[2]
    counts = page.locator("#recorded-outcomes tbody tr").first.locator("td").all_inner_texts()
    assert counts[:3] == ["PCU Baku", "1", "1"]
