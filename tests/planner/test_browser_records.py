"""Real headless Chromium (Debian package through Playwright) against a real uvicorn server, at 1280 and
390 px wide: sign a consent by dragging the mouse on the signature pad, download the signed PDF, record a
session with its cartridge lot, and see a needle above the zone cap refused with its message until a reason
is given. At either width nothing on these pages (on the patient page: its consent and sessions sections)
reaches past the window's right edge."""

import os

import httpx
import pytest
from planner_support import (
    PATIENT,
    chromium_page,
    log_in,
    login,
    served_planner,
)

from microneedling.clinic.zone_plan import zone_caps
from microneedling.patient import Zone

SHOTS = os.environ.get("MN_SCREENSHOTS")  # a folder to keep screenshots in (for looking at the pages)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served_planner(tmp_path_factory.mktemp("recordbrowser")) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server, timeout=120) as client:
        client.headers["X-CSRF-Token"] = login(client, "dra")
        yield client


@pytest.fixture(scope="module")
def browser(server):
    with chromium_page(60_000, accept_downloads=True) as pg:
        log_in(pg, server)
        yield pg


def fits(page, scope: str = "body") -> bool:
    """Nothing in ``scope`` reaches past the window's right edge (tables in a horizontal scroller aside)."""
    return page.evaluate("""scope => Array.from(document.querySelectorAll(scope + ' *')).every(
        e => e.closest('.table-scroll') || e.getBoundingClientRect().right <= window.innerWidth + 0.5)""", scope)


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_sign_download_and_record_with_lot(server, api, browser, width, tmp_path):
    page = browser
    page.set_viewport_size({"width": width, "height": 900})
    pid = api.post("/api/patients", json={**PATIENT, "label": f"BR-{width}"}).json()["id"]
    aid = api.post(f"/api/patients/{pid}/appointments",
                   json={"starts_at": f"2026-0{1 if width == 1280 else 2}-05T10:00:00"}).json()[0]["id"]

    page.goto(f"{server}/patients/{pid}")
    page.click("#sign-consent")
    page.wait_for_selector("#signature-pad")
    page.wait_for_load_state("load")  # consent.js (deferred) has set the pad up
    assert fits(page), f"consent page wider than {width} px"
    page.locator("#signature-pad").scroll_into_view_if_needed()
    box = page.locator("#signature-pad").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for k in range(1, 13):  # a zigzag across the pad
        page.mouse.move(box["x"] + 20 + k * (box["width"] - 40) / 12,
                        box["y"] + box["height"] * (0.3 if k % 2 else 0.7), steps=4)
    page.mouse.up()
    assert page.input_value("#signature-data").startswith("data:image/png;base64,")
    page.fill("#typed-name", f"Browser Signer {width}")
    shot(page, f"consent-{width}.png")
    page.click("#consent-form button[type=submit]")
    page.wait_for_selector(f"tr.consent:has-text('Browser Signer {width}')")
    with page.expect_download() as download:
        page.click("a.consent-pdf")
    pdf = open(download.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000

    page.goto(f"{server}/appointments/{aid}/record")
    page.wait_for_selector("#record-form")
    page.wait_for_load_state("load")
    assert fits(page), f"record page wider than {width} px"
    cap = zone_caps()[Zone.cheek]
    page.fill("input[name=cheek_needle_length_mm]", f"{cap + 0.5:g}")
    page.fill("input[name=cheek_passes]", "3")
    page.fill("input[name=periorbital_needle_length_mm]", "0.5")
    page.fill("input[name=periorbital_passes]", "2")
    page.fill("input[name=cartridge_lot]", f"LOT-B{width}")
    page.fill("input[name=cartridge_expiry]", "2030-06-30")
    page.fill("input[name=anaesthetic_product]", "lidocaine/prilocaine cream")
    page.fill("input[name=anaesthetic_concentration_pct]", "5")
    page.fill("input[name=anaesthetic_minutes]", "30")
    page.click("button.note-template:has-text('Routine session')")
    assert "Skin cleansed" in page.input_value("#record-note")
    page.click("#record-form button[type=submit]")
    error = page.wait_for_selector(".errors")  # the summary at the top, announced by screen readers
    assert f"Cheek: {cap + 0.5:g} mm is deeper than the zone cap" in error.inner_text()
    reason = page.locator("input[name=cheek_over_depth_reason]")  # and the message beside its field
    assert reason.get_attribute("aria-invalid") == "true"
    beside = page.locator("#" + reason.get_attribute("aria-describedby"))
    assert beside.inner_text().startswith(f"Cheek: {cap + 0.5:g} mm is deeper than the zone cap")
    field_box, note_box = reason.bounding_box(), beside.bounding_box()
    assert 0 <= note_box["y"] - (field_box["y"] + field_box["height"]) < 40  # right under the field
    assert page.input_value("input[name=cartridge_lot]") == f"LOT-B{width}"  # the form keeps what was typed
    assert fits(page)
    shot(page, f"record-refused-{width}.png")
    page.fill("input[name=cheek_over_depth_reason]", "deep boxcar floors on palpation")
    page.click("#record-form button[type=submit]")
    page.wait_for_selector(f"tr.appointment:has-text('lot LOT-B{width}')")
    assert fits(page, "#consent") and fits(page, "#sessions"), f"patient page wider than {width} px"
    shot(page, f"patient-{width}.png")
    page.click("a:has-text('aftercare sheet')")
    page.wait_for_selector("h1:has-text('After your microneedling session')")
    assert fits(page)
    shot(page, f"aftercare-{width}.png")
    page.goto(f"{server}/recall?lot=lot-b{width}")
    assert f"BR-{width}" in page.inner_text("table.recall")
    assert fits(page)
    shot(page, f"recall-{width}.png")
