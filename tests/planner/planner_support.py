"""Helpers for the planner tests: users per role, logged-in clients, free ports, a uvicorn subprocess,
the PostgreSQL binaries."""

from __future__ import annotations

import glob
import html as html_lib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
PATIENT = {"label": "P-001", "age_years": 28, "sex": "F", "fitzpatrick": "III",
           "zones": [{"zone": "cheek", "scars": [{"type": "boxcar", "count": 12, "depth_mm": 0.4, "width_mm": 2.5}]},
                     {"zone": "periorbital", "scars": [{"type": "rolling", "count": 2, "depth_mm": 0.2,
                                                        "width_mm": 4.0}]}]}

FORM_PATIENT = {"label": "F-1", "age_years": "31", "sex": "M", "fitzpatrick": "IV", "active_acne_grade": "0",
                "scar0_zone": "cheek", "scar0_type": "rolling", "scar0_count": "8", "scar0_depth_mm": "0.3",
                "scar0_width_mm": "5"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(client: TestClient | httpx.Client, username: str, password: str = PASSWORD) -> str:
    r = client.post("/api/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def seed_users(app) -> dict[str, int]:
    """admin, two providers (dra, drb) and dra's assistant; returns their ids."""
    from microneedling.planner.schemas import UserIn
    from microneedling.planner.services import create_user

    ids = {}
    with app.state.sessions() as db:
        for name, role in (("admin", "admin"), ("dra", "provider"), ("drb", "provider")):
            ids[name] = create_user(db, UserIn(username=name, password=PASSWORD, role=role), app.state.hasher).id
        ids["asa"] = create_user(db, UserIn(username="asa", password=PASSWORD, role="assistant",
                                            provider_id=ids["dra"]), app.state.hasher).id
        db.commit()
    return ids


class Client:
    """A logged-in TestClient that sends the CSRF header on API writes."""

    def __init__(self, app, username: str):
        self.http = TestClient(app)
        self.username = username
        self.csrf = login(self.http, username)

    def get(self, url, **kw):
        return self.http.get(url, **kw)

    def post(self, url, **kw):
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.http.post(url, headers=headers, **kw)

    def put(self, url, **kw):
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.http.put(url, headers=headers, **kw)

    def form(self, url, data: dict, csrf: bool = True):
        data = {**data, "csrf_token": self.csrf} if csrf else data
        return self.http.post(url, data=data, follow_redirects=False)


def message_beside(html: str, name: str) -> str | None:
    """The error message a page shows beside its field ``name`` (an input, select, textarea or canvas with that
    name or id): the text of the element its ``aria-describedby`` names first (the message; any later id is a
    hint of the field), if the field is ``aria-invalid``;
    None when the field carries no error. Asserts that the field is on the page once."""
    fields = re.findall(rf'<(?:input|select|textarea|canvas)\b[^>]*\b(?:name|id)="{re.escape(name)}"[^>]*>', html)
    assert len(fields) == 1, (name, fields)
    if 'aria-invalid="true"' not in fields[0]:
        return None
    target = re.search(r'aria-describedby="([^" ]+)', fields[0])
    assert target, fields[0]
    found = re.search(rf'<(\w+)[^>]*\bid="{re.escape(target[1])}"[^>]*>(.*?)</\1>', html, re.S)
    assert found, f"no element {target[1]}"
    return html_lib.unescape(re.sub(r"<[^>]+>", "", found[2])).strip()


def summary_links(html: str) -> list[tuple[str | None, str]]:
    """(target id, or None for an entry without a link; text) of each entry of the page's error summary (the
    ``#error-summary`` list of the page layouts); empty when the page has none."""
    box = re.search(r'<div class="errors" role="alert" id="error-summary">(.*?)</div>', html, re.S)
    if not box:
        return []
    out = []
    for item in re.findall(r"<li>(.*?)</li>", box[1], re.S):
        link = re.fullmatch(r'\s*<a href="#([^"]+)">(.*?)</a>\s*', item, re.S)
        out.append((link[1], link[2]) if link else (None, item.strip()))
    return [(t, html_lib.unescape(text)) for t, text in out]


def dead_summary_links(html: str) -> list[str]:
    """The error summary's link targets that lead nowhere: no element with that id, more than one, or a hidden
    input (a field the user never sees)."""
    dead = []
    for target, _ in summary_links(html):
        if target is None:
            continue
        found = re.findall(rf'<\w+\b[^>]*\bid="{re.escape(target)}"[^>]*>', html)
        if len(found) != 1 or (found[0].startswith("<input") and 'type="hidden"' in found[0]):
            dead.append(target)
    return dead


# ---- PostgreSQL ---------------------------------------------------------------------------------------
def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def fresh_pg_database(url: str, name: str) -> str:
    """A new empty database on the throw-away server; returns its URL."""
    import psycopg

    base = url.rsplit("/", 1)[0]
    with psycopg.connect(base.replace("postgresql://", "postgresql://", 1) + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


# ---- a real server in a subprocess ----------------------------------------------------------------------
SERVER_SCRIPT = """
import sys, uvicorn
from microneedling.planner.app import create_app
from microneedling.planner.settings import Settings
uvicorn.run(create_app(Settings(database_url=sys.argv[1], fast_hash=True)), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="error")
"""


def start_server(database_url: str, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", SERVER_SCRIPT, database_url, str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180  # create_app alone took 43 s on a 2-core machine at load 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode(errors='replace')[-500:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start within 180 s")


# ---- consent and treatment records ------------------------------------------------------------------------
def signature_png(width: int = 300, height: int = 100, ink: bool = True) -> str:
    """A signature as the pad sends it: a transparent PNG with a dark scribble (none if not ``ink``), base64."""
    import base64
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(img).line([(10, 70), (60, 20), (110, 80), (170, 25), (240, 75), (290, 30)],
                                 fill=(17, 17, 17, 255), width=3)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def sign_consent(client: Client, patient_id: int, typed_name: str = "Alex Example") -> int:
    """Sign the latest consent form for the patient through the API; returns the consent id."""
    version = client.get("/api/consent-templates").json()[0]["version"]
    r = client.post(f"/api/patients/{patient_id}/consents",
                    json={"template_version": version, "typed_name": typed_name,
                          "signature_png_base64": signature_png()})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def record_body(needles: dict[str, float] | None = None, **changes) -> dict:
    """A valid treatment record: ``needles`` maps zone -> needle length, mm (default cheek 1.0 mm), 2 passes each."""
    needles = needles or {"cheek": 1.0}
    body = {"device": "pen", "zones": [{"zone": z, "needle_length_mm": v, "passes": 2} for z, v in needles.items()],
            "cartridge_lot": "LOT-A1", "cartridge_expiry": "2030-12-31", "endpoint": "pinpoint bleeding",
            "anaesthetic": {"product": "lidocaine/prilocaine cream", "concentration_pct": 5.0, "minutes": 30}}
    return {**body, **changes}


# -- real browser tests: one uvicorn server per module, Debian's Chromium -----------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@contextmanager
def served_planner(folder: Path) -> Iterator[str]:
    """A uvicorn server on a fresh SQLite database in ``folder`` with the test users; yields its base URL."""
    from microneedling.planner.app import create_app
    from microneedling.planner.settings import Settings

    url = f"sqlite:///{folder / 'b.db'}"
    app = create_app(Settings(database_url=url, fast_hash=True))
    seed_users(app)
    app.state.engine.dispose()
    port = free_port()
    proc = start_server(url, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.kill()
        proc.wait(timeout=10)


@contextmanager
def chromium_page(timeout_ms: float = 30_000, **options) -> Iterator:
    """A page of headless Debian Chromium (Playwright, a throw-away profile; ``options`` go to the browser
    context); skips the test when Chromium is absent."""
    import pytest

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="mn-chromium-")
    try:
        with sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                       args=CHROMIUM_FLAGS, **options)
            try:
                page = ctx.new_page()
                page.set_default_timeout(timeout_ms)
                yield page
            finally:
                ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def log_in(page, base_url: str, username: str = "dra") -> None:
    """Log ``username`` in through the login form."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{base_url}/patients")


def wait_until(page, script: str, arg=None, timeout_s: float = 30.0) -> None:
    """Poll ``page.evaluate(script, arg)`` until it is true. The pages' Content-Security-Policy forbids the
    string evaluation that Playwright's ``wait_for_function`` polls with, so the polling happens here."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {script}")
        time.sleep(0.05)
