"""Hardening of the planner: security headers on every response, a request-body limit, no inline script on
any page, and user text shown literally in figures (a plan name with ``$`` used to crash the PNG routes)."""

from __future__ import annotations

import re

import pytest
from planner_support import PATIENT

PAGES = ["/patients", "/calendar", "/admin/users", "/login"]


@pytest.fixture(scope="module")
def dra_plan(planner):
    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "H-1"}).json()["id"]
    r = dra.post(f"/api/patients/{pid}/plans", json={"name": "Cheek 1.5mm $_$", "baseline_gb_score": 14})
    assert r.status_code == 201, r.text
    return pid, r.json()["id"]


def _assert_secure(r):
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"


def test_every_page_and_api_answer_has_the_security_headers_and_no_store(planner, dra_plan):
    pid, plan_id = dra_plan
    admin, dra = planner["clients"]["admin"], planner["clients"]["dra"]
    urls = [(admin, u) for u in PAGES] + [(dra, f"/patients/{pid}"), (dra, f"/plans/{plan_id}"),
                                          (dra, f"/plans/{plan_id}/outcome.png"), (dra, f"/api/patients/{pid}"),
                                          (dra, "/api/me"), (dra, "/api/patients/999999999")]
    for client, url in urls:
        r = client.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        _assert_secure(r)
        assert r.headers["cache-control"] == "no-store", url
    static = dra.get("/static/planner.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")
    _assert_secure(static)


def test_pages_carry_no_inline_script_or_style(planner, dra_plan):
    pid, plan_id = dra_plan
    dra = planner["clients"]["dra"]
    for url in ["/patients", f"/patients/{pid}", f"/plans/{plan_id}", f"/plans/{plan_id}/print",
                f"/patients/{pid}/compare"]:
        html = dra.get(url).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert "<style" not in html and " style=" not in html, url


def test_a_plan_name_with_dollar_signs_renders_in_every_figure(planner, dra_plan):
    pid, plan_id = dra_plan
    dra = planner["clients"]["dra"]
    for url in (f"/plans/{plan_id}/outcome.png", f"/patients/{pid}/outcome.png"):
        r = dra.get(url)
        assert r.status_code == 200 and r.content[:4] == b"\x89PNG", (url, r.status_code)
    for url in (f"/plans/{plan_id}/print", f"/plans/{plan_id}", f"/patients/{pid}/compare"):
        r = dra.get(url)
        assert r.status_code == 200 and "Cheek 1.5mm $_$" in r.text, url


def test_bodies_over_the_limit_are_refused_before_parsing(planner):
    dra = planner["clients"]["dra"]
    limit = planner["app"].state.settings.max_body_bytes
    before = dra.get("/api/patients").json()
    big = {**PATIENT, "label": "BIG", "note": "x" * (limit + 10)}
    r = dra.post("/api/patients", json=big)
    assert r.status_code == 413 and "larger than" in r.json()["detail"]
    _assert_secure(r)

    def chunks():  # streamed, no declared length
        yield b'{"label": "STREAM", "padding": "'
        for _ in range(limit // 65536 + 2):
            yield b"y" * 65536
        yield b'"}'

    r = dra.post("/api/patients", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert dra.get("/api/patients").json() == before
