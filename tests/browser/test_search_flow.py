"""The main flow in a real browser: log in, switch to Russian, search a container, open it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


@pytest.fixture
def seeded(transactional_db):
    from portcontrol.accounts.demo import ensure_demo_organisation
    from portcontrol.manifests.loading import do_load_records
    from portcontrol.reference.loading import load_reference_data
    from portcontrol.testing.records import sample_records

    load_reference_data()  # a transactional test may have emptied the tables before us
    ensure_demo_organisation(password="correct-horse-42")
    do_load_records(sample_records(), acting_user=None, source="browser-test")


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-42")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/containers/")


def test_login_switch_to_russian_search_and_open_container(live_server, seeded, browser_page):
    from portcontrol.testing.records import BAKU_CONTAINER, KARACHI_CONTAINER

    page = browser_page
    log_in(page, live_server, "baku.officer")

    page.select_option("#language-select", "ru")
    page.click("#language-apply")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Поиск контейнеров"

    page.fill("#q", KARACHI_CONTAINER)  # another country's container: nothing
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("#results").count() == 0

    page.fill("#q", BAKU_CONTAINER[:6].lower())
    page.keyboard.press("Enter")
    page.wait_for_selector("#results")
    page.click(f"#results a:has-text('{BAKU_CONTAINER}')")
    page.wait_for_selector(".route-map canvas", timeout=15000)
    assert BAKU_CONTAINER in page.locator("h1").inner_text()
    assert page.locator("text=MSCUGYE000001").count() >= 1
    assert page.locator("#route-legs code", has_text="ESALG").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "container-page-ru.png"), full_page=True)
