"""Real headless Chromium (Debian package, driven by Playwright through its executable path; no browser
download) against a real uvicorn server: log in, create a patient, get a plan, schedule a session."""

import pytest
from planner_support import PASSWORD, chromium_page, served_planner


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served_planner(tmp_path_factory.mktemp("browser")) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def page(server):
    with chromium_page() as pg:
        yield pg


def test_login_create_patient_plan_and_schedule(server, page):
    page.goto(f"{server}/patients")
    assert "/login" in page.url
    page.fill("input[name=username]", "dra")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{server}/patients")

    page.click("text=New patient")
    page.fill("input[name=label]", "BR-1")
    page.fill("input[name=age_years]", "29")
    page.select_option("select[name=sex]", "F")
    page.select_option("select[name=fitzpatrick]", "III")
    page.select_option("select[name=scar0_zone]", "cheek")
    page.select_option("select[name=scar0_type]", "boxcar")
    page.fill("input[name=scar0_count]", "10")
    page.fill("input[name=scar0_depth_mm]", "0.4")
    page.fill("input[name=scar0_width_mm]", "2.5")
    page.select_option("select[name=scar1_zone]", "periorbital")
    page.select_option("select[name=scar1_type]", "rolling")
    page.fill("input[name=scar1_count]", "2")
    page.fill("input[name=scar1_depth_mm]", "0.2")
    page.fill("input[name=scar1_width_mm]", "4")
    page.click("button:has-text('Save patient')")
    page.wait_for_selector("h1:has-text('Patient BR-1')")
    assert "Candidacy" in page.content()

    page.click("#new-plan")
    page.fill("input[name=name]", "Browser plan")
    # the server's first plan compiles the prediction engine (about 11 s on an idle 2-core machine, several
    # times that on a shared one): wait for that navigation longer than for the others
    page.click("button:has-text('Make plan')", timeout=240_000)
    page.wait_for_selector("h2:has-text('Per-zone plan')", timeout=120_000)  # first prediction compiles
    needles = {row.query_selector("td").inner_text(): float(row.query_selector(".needle").inner_text())
               for row in page.query_selector_all("table.zone-plan tbody tr")}
    assert set(needles) == {"cheek", "periorbital"} and needles["periorbital"] <= needles["cheek"]

    page.click("a:has-text('BR-1')")
    page.fill("#schedule-form input[name=starts_at]", "2027-04-05T10:00")
    page.click("#schedule-form button:has-text('Schedule')")
    page.wait_for_selector("tr.appointment:has-text('2027-04-05 10:00')")
    page.goto(f"{server}/calendar?month=2027-04")
    assert "BR-1" in page.content()
