"""Layouts in real headless Chromium: every provider page fits a 390 px wide phone screen and a 768 px tablet
(no page wider than the viewport, and no table of class ``stack``, shown as stacked cards on a phone and as a
table or a grid of cards on a tablet, scrolls inside itself: the new-patient scar rows and the per-zone plan among
them; no other table's box and background reach beyond its cells); the API documentation (Swagger UI served by the app itself) renders under
the page Content-Security-Policy with no network beyond the app. Set MN_SCREENSHOTS to a folder to keep a
full-page screenshot of each page at each width."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from planner_support import (
    PASSWORD,
    PATIENT,
    Client,
    chromium_page,
    free_port,
    seed_users,
)

from microneedling.planner.app import create_app
from microneedling.planner.settings import Settings

WIDTHS = (390, 768)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('layout') / 'l.db'}"
    app = create_app(Settings(database_url=url, fast_hash=True))
    ids = seed_users(app)
    dra = Client(app, "dra")
    pid = dra.post("/api/patients", json={**PATIENT, "label": "Layout-patient-with-a-long-code"}).json()["id"]
    plan = dra.post(f"/api/patients/{pid}/plans", json={"name": "Pen course, cheek and periorbital",
                                                        "baseline_gb_score": 14})
    assert plan.status_code == 201, plan.text
    appts = dra.post(f"/api/patients/{pid}/appointments", json={"starts_at": "2027-03-01T09:30:00", "repeat": 3})
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()  # in this process: the app is built already, so the server is up at once
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield {"base": f"http://127.0.0.1:{port}", "pid": pid, "plan": plan.json()["id"], "ids": ids,
           "appt": appts.json()[0]["id"]}
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser_page(site):
    with chromium_page() as pg:
        yield pg


def _pages(site) -> list[str]:
    pid, plan, appt = site["pid"], site["plan"], site["appt"]
    return ["/patients", f"/patients/{pid}", "/patients/new", f"/plans/{plan}", f"/patients/{pid}/plans/new",
            f"/plans/{plan}/print", f"/patients/{pid}/compare", "/calendar?month=2027-03", "/admin/users",
            "/admin/audit", "/plans/987654", "/account", f"/appointments/{appt}/record",
            f"/appointments/{appt}/aftercare", f"/patients/{pid}/consent", "/consent-templates", "/recall?lot=LOT-1",
            "/intake-requests", f"/patients/{pid}/photos/compare"]


def _scrolling_tables(page) -> list[tuple[str, int, int]]:
    """(class, content width px, shown width px) of the tables of class ``stack`` (the planner stylesheet's
    cards on a phone, tables or card grids on a tablet) that scroll inside themselves or inside a scrolling
    wrapper: the table, or an element around it that scrolls sideways (overflow-x auto or scroll), with content
    wider than its box."""
    return page.evaluate("""[...document.querySelectorAll('table.stack')].flatMap(t => {
        for (let e = t; e && e !== document.body; e = e.parentElement) {
            const x = getComputedStyle(e).overflowX;
            if ((e === t || x === 'auto' || x === 'scroll') && e.scrollWidth > e.clientWidth + 1)
                return [[t.className, e.scrollWidth, e.clientWidth]];
        }
        return [];
    })""")


def _boxes_wider_than_cells(page) -> list[tuple[str, int, int]]:
    """(class, box width px, widest row px) of the tables other than ``stack`` whose box (and white background)
    reaches further than their rows: a table shown as a scrolling block must end where its rows do."""
    return page.evaluate("""[...document.querySelectorAll('table:not(.stack)')].flatMap(t => {
        if (!t.rows.length) return [];
        const box = t.getBoundingClientRect().width;
        const rows = Math.max(...[...t.rows].map(r => r.getBoundingClientRect().width));
        return box > rows + 2 ? [[t.className, Math.round(box), Math.round(rows)]] : [];
    })""")


def _overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _shot(page, name: str, width: int) -> None:
    folder = os.environ.get("MN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name.strip('/').replace('/', '_') or 'root'}-{width}.png"),
                        full_page=True)


def test_no_page_is_wider_than_a_phone_or_tablet_screen(site, browser_page):
    page, base = browser_page, site["base"]
    wide = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.context.clear_cookies()
        page.goto(f"{base}/login")
        scroll, inner = _overflow(page)
        if scroll > inner:
            wide.append(("/login", width, scroll))
        _shot(page, "/login", width)
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Log in')")
        page.wait_for_url(f"{base}/patients")
        for url in _pages(site):
            page.goto(base + url)
            scroll, inner = _overflow(page)
            if scroll > inner:
                wide.append((url, width, scroll))
            scrolling = _scrolling_tables(page)
            if scrolling:
                wide.append((url + " (table scrolling inside itself)", width, scrolling))
            loose = _boxes_wider_than_cells(page)
            if loose:
                wide.append((url + " (table box wider than its cells)", width, loose))
            _shot(page, url, width)
    assert not wide, f"pages or tables wider than the screen (url, screen px, page px or tables): {wide}"


def test_api_docs_render_offline_under_the_page_csp(site, browser_page):
    page, base = browser_page, site["base"]
    page.set_viewport_size({"width": 1280, "height": 900})
    outside: list[str] = []
    violations: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{base}/api/docs")
    page.wait_for_selector(".opblock-tag", timeout=60_000)
    assert page.locator(".opblock").count() >= 15
    assert outside == [] and violations == [], (outside, violations)
