"""The patient-facing forms' errors in real headless Chromium (Debian package, Playwright) at a 390 px phone and
a 1280 px desktop: the questionnaire sent with bad answers and a patient link's consent sent without a signature
show each message right under its field (for the signature: under the pad the patient signs on, not at the
hidden input the pad's script fills), every link of the summary at the top leads to a visible element (the
message, or the signature pad) and scrolls it into view, nothing scrolls sideways, and axe-core 4.14.1 finds no serious or critical violation.
Set MN_SCREENSHOTS to a folder to keep screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from planner_support import PATIENT, chromium_page, login, served_planner, wait_until

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = os.environ.get("MN_SCREENSHOTS")
WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not AXE.exists():
        pytest.skip(f"{AXE} is absent (run npm ci --no-audit --no-fund, as make install does)")
    with served_planner(tmp_path_factory.mktemp("public-errors")) as base, httpx.Client(base_url=base) as http:
        headers = {"X-CSRF-Token": login(http, "dra")}
        pid = http.post("/api/patients", json=PATIENT, headers=headers).json()["id"]
        tokens = {}
        for day, width in enumerate(WIDTHS, start=3):
            appt = http.post(f"/api/patients/{pid}/appointments", json={"starts_at": f"2031-03-{day:02d}T10:00:00"},
                             headers=headers).json()[0]["id"]
            url = http.post(f"/api/patients/{pid}/links", json={"appointment_id": appt}, headers=headers).json()["url"]
            tokens[width] = url.rsplit("/", 1)[1]
        yield {"base": base, "tokens": tokens}


@pytest.fixture(scope="module")
def page(site):
    with chromium_page(bypass_csp=True) as pg:  # axe-core is added as a script tag
        yield pg


def beside(page, field: str, width: int) -> str:
    """The message of ``field`` (a selector): the field is aria-invalid, its first aria-describedby id is the
    message, which sits right under it (within 40 px) inside the window."""
    node = page.locator(field)
    assert node.get_attribute("aria-invalid") == "true", field
    note = page.locator("#" + node.get_attribute("aria-describedby").split()[0])
    box, under = node.bounding_box(), note.bounding_box()
    assert 0 <= under["y"] - (box["y"] + box["height"]) < 40, (field, box, under)
    assert under["x"] >= 0 and under["x"] + under["width"] <= width + 1, (field, under)
    return note.inner_text().strip()


def check_summary(page, name: str) -> list[str]:
    """Every summary link leads to a visible element, and following it brings that element into the window;
    no serious axe-core violation and no sideways scroll. Returns the link targets."""
    targets = page.eval_on_selector_all("#error-summary a", "links => links.map(a => a.getAttribute('href'))")
    assert targets, name
    for href in targets:
        target = page.locator(href)
        assert target.count() == 1 and target.is_visible(), (name, href)
        page.evaluate("window.scrollTo(0, 0)")
        page.click(f"#error-summary a[href='{href}']")
        wait_until(page, "h => { const b = document.querySelector(h).getBoundingClientRect();"
                         " return b.top > -2 && b.bottom < innerHeight + 2; }", href, timeout_s=5)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id)""")
    assert violations == [], (name, violations)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0, name
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
    return targets


@pytest.mark.parametrize("width", WIDTHS)
def test_public_forms_show_each_problem_under_its_field(site, page, width):
    base = site["base"]
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
    page.goto(f"{base}/questionnaire")
    page.fill("#age_years", "7")
    page.select_option("#scar1_zone", "cheek")
    page.fill("#scar1_count", "0")
    page.fill("#contact_name", "Ana")
    page.fill("#contact_reach", "ab")
    page.click("button:has-text('Send my answers')")
    page.wait_for_selector("#error-summary")
    assert beside(page, "#age_years", width) == "Age must be a number from 12 to 100 years"
    assert beside(page, "#scar1_count", width) == "Number of scars must be a whole number from 1 to 500"
    assert beside(page, "#contact_reach", width) == "Email address or phone number must be at least 5 characters"
    assert page.locator("fieldset.inline-choice[aria-invalid=true] .field-error").inner_text().endswith(
        "Sex is required")
    assert page.input_value("#contact_name") == "Ana"
    assert len(check_summary(page, f"questionnaire-errors-{width}")) == 5

    page.goto(f"{base}/p/{site['tokens'][width]}")
    page.fill("#typed-name", "Ana Lind")
    page.evaluate("document.getElementById('consent-form').submit()")  # past the pad's own check: no signature
    page.wait_for_selector("#error-summary")
    assert beside(page, "#signature-pad", width).startswith("Signature")
    assert page.get_attribute("#signature-pad", "aria-describedby").split()[1:] == ["signature-help"]
    assert page.input_value("#typed-name") == "Ana Lind"
    assert check_summary(page, f"link-consent-errors-{width}") == ["#signature-pad"]  # the pad, not the hidden input
