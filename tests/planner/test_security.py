"""Security: CSRF on every form and unsafe API call, session cookie flags, argon2 hashes, login rate
limiting, logout revokes the session."""

import re

import pytest
from fastapi.testclient import TestClient
from planner_support import FORM_PATIENT, PASSWORD, PATIENT, Client, seed_users

from microneedling.planner import models
from microneedling.planner.app import create_app
from microneedling.planner.services import count
from microneedling.planner.settings import Settings


def n(planner, model):
    with planner["app"].state.sessions() as db:
        return count(db, model)


def test_form_without_or_with_wrong_csrf_is_refused_and_stores_nothing(planner):
    dra = planner["clients"]["dra"]
    before = n(planner, models.PatientRow)
    assert dra.form("/patients", FORM_PATIENT, csrf=False).status_code == 403
    assert dra.form("/patients", {**FORM_PATIENT, "csrf_token": "forged"}, csrf=False).status_code == 403
    assert n(planner, models.PatientRow) == before
    r = dra.form("/patients", FORM_PATIENT)
    assert r.status_code == 303 and n(planner, models.PatientRow) == before + 1


def test_csrf_token_of_another_session_is_refused(planner):
    dra, drb = planner["clients"]["dra"], planner["clients"]["drb"]
    assert dra.form("/patients", {**FORM_PATIENT, "csrf_token": drb.csrf}, csrf=False).status_code == 403


def test_api_write_needs_the_csrf_header(planner):
    dra = planner["clients"]["dra"]
    before = n(planner, models.PatientRow)
    assert dra.http.post("/api/patients", json=PATIENT).status_code == 403
    assert dra.http.post("/api/patients", json=PATIENT, headers={"X-CSRF-Token": "nope"}).status_code == 403
    assert n(planner, models.PatientRow) == before


def test_login_form_needs_its_own_token(planner):
    anon = TestClient(planner["app"])
    r = anon.post("/login", data={"username": "dra", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    page = anon.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = anon.post("/login", data={"username": "dra", "password": PASSWORD, "csrf_token": token},
                  follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "mn_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_passwords_are_argon2id_hashes(planner):
    with planner["app"].state.sessions() as db:
        hashes = [u.password_hash for u in db.query(models.User)]
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_logout_revokes_the_session(planner):
    c = Client(planner["app"], "drb")
    assert c.get("/api/me").status_code == 200
    cookie = c.http.cookies.get("mn_session")
    assert c.form("/logout", {}).status_code == 303
    stale = TestClient(planner["app"], cookies={"mn_session": cookie})
    assert stale.get("/api/me").status_code == 401


def test_login_rate_limit(tmp_path):
    """5 failures within the window block the 6th attempt, even with the right password."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", fast_hash=True,
                              max_login_failures=5, login_window_s=300))
    seed_users(app)
    c = TestClient(app)
    for _ in range(5):
        assert c.post("/api/login", json={"username": "dra", "password": "wrong password"}).status_code == 401
    assert c.post("/api/login", json={"username": "dra", "password": PASSWORD}).status_code == 429
    with app.state.sessions() as db:
        actions = [a.action for a in db.query(models.AuditRow)]
    assert actions.count("login_failed") == 5 and "login_blocked" in actions


@pytest.mark.parametrize("cookie", ["", "garbage", "x" * 43])
def test_forged_session_cookie_is_not_a_login(planner, cookie):
    c = TestClient(planner["app"], cookies={"mn_session": cookie})
    assert c.get("/api/patients").status_code == 401
