"""Real headless Chromium (Debian package through Playwright) against a real uvicorn server, at 1280 and
390 px wide: chart scars by clicking the face drawing, remove one, save and see the Goodman & Baron score,
save a later visit and see the two charts side by side;
upload two photos, see them in the gallery, open the before/after page and move the overlay's opacity
slider. One server for the module; at either width nothing of the chart, the gallery or the comparison page
reaches past the window's right edge."""

import os

import httpx
import pytest
from PIL import Image
from planner_support import (
    PATIENT,
    chromium_page,
    log_in,
    login,
    served_planner,
    wait_until,
)

SHOTS = os.environ.get("MN_SCREENSHOTS")  # a folder to keep screenshots in (for looking at the pages)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served_planner(tmp_path_factory.mktemp("chartbrowser")) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server, timeout=180) as client:  # the first score compiles the score model
        csrf = login(client, "dra")
        client.headers["X-CSRF-Token"] = csrf
        yield client


@pytest.fixture(scope="module")
def page(server):
    with chromium_page() as pg:
        log_in(pg, server)
        yield pg


def photo_file(tmp_path, name, colour) -> str:
    path = tmp_path / name
    img = Image.new("RGB", (480, 360), colour)
    img.paste((240, 220, 200), (120, 60, 360, 300))
    img.save(path, "JPEG")
    return str(path)


WIDE = """scope => [...document.querySelectorAll(scope)].filter(e => e.getBoundingClientRect().right >
    document.documentElement.clientWidth + 1).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' +
    e.className).slice(0, 8)"""


def fits(page, scope: str = "body") -> bool:
    """Nothing in ``scope`` reaches past the right edge of the window (the elements that do are named)."""
    wide = page.evaluate(WIDE, f"{scope}, {scope} *")
    assert not wide, wide
    return True


def shot(page, name, scope: str | None = None):
    if SHOTS:
        target = page.locator(scope) if scope else page
        target.screenshot(path=os.path.join(SHOTS, name), **({} if scope else {"full_page": True}))


@pytest.mark.parametrize("width", [1280, 390])
def test_chart_and_photos_in_the_browser(server, api, page, tmp_path, width):
    pid = api.post("/api/patients", json={**PATIENT, "label": f"CH-{width}"}).json()["id"]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server}/patients/{pid}")
    face = "#chart .chart-face svg.face"
    page.wait_for_selector(f"{face} [data-region=cheek_r]")

    page.check("input[name=marker_type][value=boxcar]")
    for dx in (30, 45, 60):
        page.click(f"{face} [data-region=cheek_r]", position={"x": dx, "y": 60})
    page.check("input[name=marker_type][value=icepick]")
    page.select_option("#marker-size", "large")
    page.click(f"{face} [data-region=forehead]")
    page.check("input[name=marker_type][value=macular]")
    page.click(f"{face} [data-region=chin]")
    assert page.locator(f"{face} .marker").count() == 5
    rows = {r.locator("td").first.inner_text(): r.locator("td").nth(1).inner_text()
            for r in page.locator("#chart-counts tbody tr").all()}
    assert rows == {"cheek": "boxcar 3", "forehead": "icepick 1", "chin": "macular 1"}

    page.click(f"{face} .marker.m-boxcar >> nth=0")  # select a marker, then remove it
    assert page.locator(f"{face} .marker.selected").count() == 1
    page.click("#marker-remove")
    assert page.locator(f"{face} .marker").count() == 4

    page.click("#chart-save")
    page.wait_for_selector("#chart-status:has-text('Goodman & Baron quantitative score')", timeout=180_000)
    saved = api.get(f"/api/patients/{pid}/charts").json()[-1]
    assert saved["counts"] == {"cheek": {"boxcar": 2}, "forehead": {"icepick": 1}, "chin": {"macular": 1}}
    assert f"score {saved['gb_quantitative']:g}, grade {saved['gb_grade']}" in page.inner_text("#chart-status")
    page.fill("#chart-date", "2027-03-01")  # a later visit: one more rolling scar on the left cheek
    page.check("input[name=marker_type][value=rolling]")
    page.click(f"{face} [data-region=cheek_l]")
    page.click("#chart-save")
    page.wait_for_selector("#chart-status:has-text('visit 2027-03-01')")
    page.wait_for_selector("#chart-compare:not([hidden]) #compare-fig-b figcaption:has-text('2027-03-01')")
    assert page.locator("#compare-fig-a .marker").count() == 4 and page.locator("#compare-fig-b .marker").count() == 5
    assert "2026-" in page.inner_text("#compare-fig-a figcaption")
    shot(page, f"chart-{width}.png", "#chart")
    assert fits(page, "#chart")

    for name, colour in (("before.jpg", (150, 90, 80)), ("after.jpg", (190, 150, 130))):
        page.set_input_files("#photo-form input[name=file]", photo_file(tmp_path, name, colour))
        page.click("#photo-form button[type=submit]")
        page.wait_for_url(f"{server}/patients/{pid}#photos")
    thumbs = page.locator("#photos .gallery img")
    assert thumbs.count() == 2
    wait_until(page, "() => [...document.querySelectorAll('#photos .gallery img')].every(i => i.naturalWidth > 0)")
    shot(page, f"photos-{width}.png", "#photos")
    assert fits(page, "#photos")

    page.click("#compare-photos")
    page.wait_for_selector("#overlay-opacity")
    page.fill("#overlay-opacity", "80")
    assert page.eval_on_selector("#overlay-top", "e => getComputedStyle(e).opacity") == "0.8"
    assert page.inner_text("#overlay-value") == "80%"
    shot(page, f"compare-{width}.png")
    assert fits(page)
