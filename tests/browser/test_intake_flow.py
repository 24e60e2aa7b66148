"""Intake in a real browser: an officer uploads a CUSCAR file and sees what was loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_search_flow import browser_page, log_in, seeded  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SAMPLES = Path(__file__).resolve().parents[2] / "portcontrol" / "intake" / "tests" / "samples"


def test_officer_uploads_cuscar_and_sees_the_result(live_server, seeded, browser_page):  # noqa: F811
    page = browser_page
    log_in(page, live_server, "baku.officer")
    page.click("nav.mainnav a[href='/intake/']")
    page.set_input_files("#id_files", str(SAMPLES / "cuscar_d95b_una_lines.edi"))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#job-status")
    page.wait_for_function(
        "document.querySelector('#containers-accepted') !== null", timeout=20000)
    assert int(page.inner_text("#records-rejected")) == 0
    assert page.locator("#job-status h2").inner_text().startswith("Done")
    page.goto(f"{live_server.url}/containers/?q=MSCU1234566")
    assert page.locator("#results tbody tr").count() == 1
