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


def test_officer_uploads_a_stowage_plan_and_follows_it_to_the_undeclared_boxes(
        live_server, seeded, browser_page):  # noqa: F811
    """The sample plan puts four boxes on board for Baku; the seeded manifests declare one."""
    page = browser_page
    log_in(page, live_server, "baku.officer")
    page.click("nav.mainnav a[href='/intake/']")
    page.set_input_files("#id_files", str(SAMPLES / "baplie_d95b.edi"))
    page.click("#upload-form button[type=submit]")
    # when the job is done the page comes again whole, with the plans it read
    page.wait_for_selector("#stowage-plans", timeout=20000)
    page.click("#stowage-plans a")
    page.wait_for_selector("#discrepancies")
    boxes = page.locator("#discrepancies tr.not_manifested code").all_inner_texts()
    assert {"MAEU7654320", "CMAU5550010", "TGHU9876542"} <= set(boxes)
    assert "MSCU1234566" not in boxes  # declared on the seeded manifest
    page.select_option("#kind", "not_on_board")
    page.click("#stowage-filter button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#discrepancies tr.not_manifested").count() == 0
