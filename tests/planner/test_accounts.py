"""Accounts: password change (current password required; other sessions end), deactivation by an
administrator (no login, sessions end at once), the idle timeout (no request for the set time ends the
session) beside the absolute lifetime."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from planner_support import PASSWORD, Client, message_beside, seed_users

from microneedling.planner import models
from microneedling.planner.app import create_app
from microneedling.planner.settings import Settings


@pytest.fixture()
def app(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", fast_hash=True, idle_timeout_min=30))
    app.state.ids = seed_users(app)
    return app


def test_password_change_needs_the_current_password_and_ends_other_sessions(app):
    laptop, phone = Client(app, "dra"), Client(app, "dra")
    bad = laptop.post("/api/me/password", json={"current_password": "not it at all", "new_password": "new secret 123"})
    assert bad.status_code == 422
    short = laptop.post("/api/me/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422
    no_csrf = laptop.http.post("/api/me/password", json={"current_password": PASSWORD,
                                                         "new_password": "new secret 123"})
    assert no_csrf.status_code == 403
    ok = laptop.post("/api/me/password", json={"current_password": PASSWORD, "new_password": "new secret 123"})
    assert ok.status_code == 200, ok.text
    assert laptop.get("/api/me").status_code == 200  # the session that changed it stays
    assert phone.get("/api/me").status_code == 401  # the other one ended
    fresh = TestClient(app)
    assert fresh.post("/api/login", json={"username": "dra", "password": PASSWORD}).status_code == 401
    assert fresh.post("/api/login", json={"username": "dra", "password": "new secret 123"}).status_code == 200


def test_password_change_page(app):
    dra = Client(app, "dra")
    assert "Change password" in dra.get("/account").text
    r = dra.form("/account/password", {"current_password": "wrong one", "new_password": "new secret 123"})
    assert r.status_code == 422 and "current password" in r.text
    assert message_beside(r.text, "current_password") == "Current password is not your current password"
    r = dra.form("/account/password", {"current_password": PASSWORD, "new_password": "short"})
    assert r.status_code == 422 and message_beside(r.text, "new_password") == "New password must be at least 10 characters"
    assert message_beside(r.text, "current_password") is None
    r = dra.form("/account/password", {"current_password": PASSWORD, "new_password": "new secret 123"})
    assert r.status_code == 303 and r.headers["location"] == "/account?changed=1"


def test_deactivated_user_cannot_log_in_and_their_sessions_end(app):
    admin, drb = Client(app, "admin"), Client(app, "drb")
    drb_id = app.state.ids["drb"]
    assert drb.post(f"/api/users/{app.state.ids['admin']}/deactivate").status_code == 403  # not an admin
    r = admin.post(f"/api/users/{drb_id}/deactivate")
    assert r.status_code == 200 and r.json()["active"] is False
    assert drb.get("/api/me").status_code == 401
    assert TestClient(app).post("/api/login", json={"username": "drb", "password": PASSWORD}).status_code == 401
    assert admin.post(f"/api/users/{app.state.ids['admin']}/deactivate").status_code == 409  # not oneself
    assert admin.post("/api/users/999999/deactivate").status_code == 404
    with app.state.sessions() as db:
        assert db.query(models.LoginSession).filter_by(user_id=drb_id).count() == 0
        assert "deactivate" in [a.action for a in db.query(models.AuditRow).filter_by(entity_id=drb_id)]
    assert admin.form(f"/admin/users/{drb_id}/active", {"active": "yes"}).status_code == 303
    assert TestClient(app).post("/api/login", json={"username": "drb", "password": PASSWORD}).status_code == 200
    page = admin.get("/admin/users").text
    assert "Deactivate" in page and "True" not in page


def _age_session(app, username: str, minutes: float) -> None:
    with app.state.sessions() as db:
        uid = db.query(models.User).filter_by(username=username).one().id
        for s in db.query(models.LoginSession).filter_by(user_id=uid):
            s.last_seen_at = models.utcnow() - timedelta(minutes=minutes)
            s.created_at = min(s.created_at, s.last_seen_at)
        db.commit()


def test_idle_session_ends_and_an_active_one_goes_on(app):
    dra, drb = Client(app, "dra"), Client(app, "drb")
    _age_session(app, "dra", 31)
    _age_session(app, "drb", 20)
    assert dra.get("/api/me").status_code == 401
    assert dra.get("/patients", follow_redirects=False).status_code == 303  # pages go to the login
    assert drb.get("/api/me").status_code == 200
    with app.state.sessions() as db:  # the request moved drb's last-seen time to now
        seen = db.query(models.LoginSession).join(models.User).filter(models.User.username == "drb").one()
        assert models.utcnow() - seen.last_seen_at < timedelta(minutes=1)
    _age_session(app, "drb", 20)
    assert drb.get("/api/me").status_code == 200


def test_absolute_lifetime_still_ends_a_busy_session(app):
    dra = Client(app, "dra")
    with app.state.sessions() as db:
        for s in db.query(models.LoginSession):
            s.expires_at = models.utcnow() - timedelta(seconds=1)
        db.commit()
    assert dra.get("/api/me").status_code == 401
