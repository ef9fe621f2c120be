"""Errors beside their fields in real headless Chromium (Debian package through Playwright), at a 390 px phone
and a 1280 px desktop: a bad scar count on the new-patient form, a too-long session on the scheduling form and
a too-deep chart marker (whose message comes from the JSON API) each show their plain message right under the
field, which is marked aria-invalid and described by that message, inside the screen; the patient page's
candidacy table reads as stacked cards on the phone. Set MN_SCREENSHOTS to a folder to keep screenshots."""

from __future__ import annotations

import os

import pytest
from planner_support import chromium_page, log_in, served_planner

SHOTS = os.environ.get("MN_SCREENSHOTS")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served_planner(tmp_path_factory.mktemp("fielderrors")) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def page(server):
    with chromium_page(timeout_ms=180_000) as pg:  # the first chart score compiles the score model
        log_in(pg, server)
        yield pg


def shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def beside(page, field: str, width: int) -> str:
    """The message shown for ``field`` (a selector): it is marked invalid, described by the message, and the
    message sits right under it (within 40 px) inside the window."""
    node = page.locator(field)
    assert node.get_attribute("aria-invalid") == "true", field
    note = page.locator("#" + node.get_attribute("aria-describedby"))
    box, under = node.bounding_box(), note.bounding_box()
    assert 0 <= under["y"] - (box["y"] + box["height"]) < 40, (field, box, under)
    assert under["x"] >= 0 and under["x"] + under["width"] <= width + 1, (field, under)
    return note.inner_text().strip()


@pytest.mark.parametrize("width", [390, 1280])
def test_bad_values_show_their_message_beside_the_field(server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server}/patients/new")
    page.fill("input[name=label]", f"FE-{width}")
    page.fill("input[name=age_years]", "34")
    page.check("input[name=herpes_labialis]")  # a caution, so the candidacy table has a row
    page.select_option("select[name=scar0_zone]", "cheek")
    page.select_option("select[name=scar0_type]", "boxcar")
    page.fill("input[name=scar0_count]", "2.5")
    page.fill("input[name=scar0_depth_mm]", "0.4")
    page.fill("input[name=scar0_width_mm]", "2")
    page.click("button:has-text('Save patient')")
    page.wait_for_selector("#error-summary")
    assert beside(page, "input[name=scar0_count]", width) == "Scar count must be a whole number from 1 to 500"
    assert "1 problem to correct" in page.inner_text("#error-summary")
    assert page.input_value("input[name=scar0_depth_mm]") == "0.4"  # the rest of the form is kept
    shot(page, f"patient-form-error-{width}.png")

    page.fill("input[name=scar0_count]", "3")
    page.click("button:has-text('Save patient')")
    page.wait_for_url(f"{server}/patients/*")
    stacked = page.evaluate("""() => { const t = document.querySelector('table.candidacy');
        const row = t.tBodies[0].rows[0];
        return [getComputedStyle(row).display, t.scrollWidth <= t.clientWidth + 1]; }""")
    assert stacked == (["block", True] if width == 390 else ["table-row", True])

    page.fill("#schedule-form input[name=starts_at]", "2027-05-03T10:00")
    page.fill("#schedule-form input[name=duration_min]", "600")
    page.click("#schedule-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert beside(page, "#schedule-form input[name=duration_min]", width) == (
        "Duration must be a whole number from 5 to 480 minutes")
    assert page.input_value("#schedule-form input[name=starts_at]") == "2027-05-03T10:00"
    shot(page, f"patient-page-error-{width}.png")

    face = "#chart .chart-face svg.face"
    page.check("input[name=marker_type][value=boxcar]")
    page.fill("#marker-depth", "5")
    page.click(f"{face} [data-region=cheek_r]", position={"x": 40, "y": 60})
    page.click("#chart-save")
    page.wait_for_selector("#marker-depth-error")
    assert beside(page, "#marker-depth", width) == "Scar depth must be a number above 0 and up to 3 mm"
    assert "marker 1: Scar depth must be a number above 0 and up to 3 mm" in page.inner_text("#chart-status")
    if SHOTS:
        page.locator("#chart").screenshot(path=os.path.join(SHOTS, f"chart-error-{width}.png"))
