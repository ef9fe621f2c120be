"""A patient's path through the public side in real headless Chromium (Debian package, driven by Playwright) on a
real uvicorn server, at phone (390 px) and desktop (1280 px) widths: the treatment page (its six engine figures,
each with sources), the questionnaire (reached and sent with the keyboard), the answer page, the provider
accepting the request, booking a session and making a patient link, and the patient signing the consent and
sending a photo through that link. Every public page is checked with axe-core 4.14.1 (``node_modules``, from
``npm ci``): no serious or critical violation, and no horizontal scroll."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from planner_support import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    PASSWORD,
    served_planner,
    wait_until,
)

from microneedling.planner.public import FIGURE_NAMES

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FIRST_PAGE_MS = 900_000  # the first treatment page computes every figure (healing and trial engines compile)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served_planner(tmp_path_factory.mktemp("public-browser")) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    if not AXE.exists():
        pytest.skip(f"{AXE} is absent (run npm ci --no-audit --no-fund, as make install does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def _page(browser, width: int):
    ctx = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900}, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    return ctx, page


def check_page(page, shots: Path, name: str) -> None:
    """axe-core finds no serious or critical violation, and nothing scrolls sideways."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))""")
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: {overflow} px of horizontal scroll"
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 90), (190, 140, 110)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.mark.parametrize("width", [390, 1280])
def test_patient_path_from_treatment_page_to_signed_consent(server, browser, width, tmp_path):
    shots = tmp_path
    name = f"Walker {width}"
    ctx, page = _page(browser, width)

    # treatment page: six figures, each drawn and sourced
    page.goto(f"{server}/treatment", timeout=FIRST_PAGE_MS)
    for fig in FIGURE_NAMES:
        img = page.locator(f"img[src='/treatment/figures/{fig}.png']")
        img.scroll_into_view_if_needed()
        wait_until(page, "i => i.complete && i.naturalWidth > 0", img.element_handle())
        assert page.locator(f"section[aria-labelledby='fig-{fig}'] .refs li").count() >= 1, fig
    assert "not a promise" in page.content()
    check_page(page, shots, f"treatment-{width}")

    # questionnaire, with the keyboard only
    page.click("text=Answer a few questions before your consultation")
    page.wait_for_url(f"{server}/questionnaire")
    check_page(page, shots, f"questionnaire-{width}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.focus("#age_years")
    page.keyboard.type("31")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # sex: female (first radio)
    page.keyboard.press("Tab")  # skin type group: first radio (type I)
    for _ in range(4):
        page.keyboard.press("ArrowDown")  # type V
    assert page.evaluate("document.querySelector('input[name=fitzpatrick]:checked').value") == "V"
    page.focus("#scar0_zone")
    page.keyboard.press("ArrowDown")  # forehead
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # boxcar
    page.keyboard.press("Tab")
    page.keyboard.type("9")
    page.focus("input[name=herpes_labialis]")
    page.keyboard.press("Space")
    page.focus("#contact_name")
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(f"walker{width}@example.org")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Thank you')")
    text = page.inner_text("main")
    assert "Cold sores in the past: the provider will want to discuss this" in text
    assert "darker skin type" in text.lower()
    check_page(page, shots, f"intake-done-{width}")

    # the provider accepts the request, books a session and makes a patient link
    staff_ctx, staff = _page(browser, width)
    staff.goto(f"{server}/login")
    staff.fill("input[name=username]", "dra")
    staff.fill("input[name=password]", PASSWORD)
    staff.click("button:has-text('Log in')")
    staff.wait_for_url(re.compile(r".*/patients$"))
    staff.goto(f"{server}/intake-requests")
    staff.screenshot(path=str(shots / f"staff-requests-{width}.png"), full_page=True)
    staff.click(f"tr.intake-request:has-text('{name}') button:has-text('Accept')")
    staff.wait_for_selector("h1:has-text('Patient W-')")
    day = 5 if width == 390 else 6
    staff.fill("#schedule-form input[name=starts_at]", f"2031-05-{day:02d}T10:00")
    staff.click("#schedule-form button:has-text('Schedule')")
    staff.wait_for_selector(f"tr.appointment:has-text('2031-05-{day:02d} 10:00')")
    staff.click("#patient-link-form button")
    link = staff.get_attribute("#patient-link", "href")
    staff.screenshot(path=str(shots / f"staff-link-{width}.png"), full_page=True)
    assert re.fullmatch(re.escape(server) + r"/p/[A-Za-z0-9_-]{43}", link), link
    staff_ctx.close()

    # the patient opens the link: appointment, consent, photo, aftercare
    page.goto(link)
    assert f"2031-05-{day:02d} 10:00" in page.inner_text("main")
    check_page(page, shots, f"link-{width}")
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for k in range(1, 12):
        page.mouse.move(box["x"] + 20 + k * box["width"] / 14, box["y"] + box["height"] * (0.3 if k % 2 else 0.7))
    page.mouse.up()
    page.fill("#typed-name", name)
    page.click("#consent-form button[type=submit]")
    page.wait_for_selector("text=your signed consent has been sent")
    assert page.locator("#consent-form").count() == 0
    page.set_input_files("#photo-file", {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()})
    page.select_option("#photo-view", "left")
    page.click("#photo-form button[type=submit]")
    page.wait_for_selector("text=your photo has been sent")
    assert page.locator("#photo-form").count() == 0 and "sunscreen" in page.inner_text("main")
    check_page(page, shots, f"link-done-{width}")
    ctx.close()
