"""Login lockout per (user name, client address), kept in the database: growing delays after repeated
failures, another address unaffected, the lock surviving a restart (a new app on the same database), and
answers for unknown user names taking as long as for known ones."""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from planner_support import PASSWORD, seed_users

from microneedling.planner import lockout, models
from microneedling.planner.app import create_app
from microneedling.planner.lockout import LockoutPolicy
from microneedling.planner.security import dummy_hash
from microneedling.planner.settings import Settings


def _app(path):
    return create_app(Settings(database_url=f"sqlite:///{path}", fast_hash=True))


def _login(client: TestClient, user: str, password: str) -> int:
    return client.post("/api/login", json={"username": user, "password": password}).status_code


def test_delays_grow_from_one_minute_doubling_to_one_hour():
    policy = LockoutPolicy(max_failures=5, base_delay_s=60, max_delay_s=3600)
    assert [policy.delay_s(n) for n in range(1, 13)] == [0, 0, 0, 0, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_lockout_state_in_the_database_grows_and_expires(tmp_path):
    app = _app(tmp_path / "g.db")
    policy = app.state.settings.lockout_policy()
    t0 = datetime(2026, 1, 1, 12, 0)
    with app.state.sessions() as db:
        for k in range(5):
            lockout.record_failure(db, policy, "Dra", "10.0.0.1", t0 + timedelta(seconds=k))
        assert lockout.locked_for_s(db, "dra", "10.0.0.1", t0 + timedelta(seconds=4)) == 60
        assert lockout.locked_for_s(db, "dra", "10.0.0.2", t0) == 0  # another address
        t1 = t0 + timedelta(seconds=70)  # after the first lock, one more failure doubles it
        assert lockout.locked_for_s(db, "dra", "10.0.0.1", t1) == 0
        assert lockout.record_failure(db, policy, "dra", "10.0.0.1", t1) == 6
        assert lockout.locked_for_s(db, "dra", "10.0.0.1", t1) == 120
        lockout.clear(db, "dra", "10.0.0.1")
        assert lockout.locked_for_s(db, "dra", "10.0.0.1", t1) == 0
        late = t1 + timedelta(hours=2)  # failures older than the window are forgotten
        for k in range(4):
            lockout.record_failure(db, policy, "drb", "10.0.0.1", t0 + timedelta(seconds=k))
        assert lockout.record_failure(db, policy, "drb", "10.0.0.1", late) == 1
        db.commit()


def test_failures_lock_the_pair_only_and_survive_a_restart(tmp_path):
    path = tmp_path / "r.db"
    app = _app(path)
    seed_users(app)
    attacker = TestClient(app, client=("203.0.113.7", 40000))
    for _ in range(5):
        assert _login(attacker, "dra", "wrong password") == 401
    r = attacker.post("/api/login", json={"username": "dra", "password": PASSWORD})
    assert r.status_code == 429 and "minute" in r.json()["detail"]
    assert _login(TestClient(app, client=("198.51.100.2", 40000)), "dra", PASSWORD) == 200  # dra elsewhere
    assert _login(attacker, "drb", PASSWORD) == 200  # another user from the attacker's address
    restarted = _app(path)
    assert _login(TestClient(restarted, client=("203.0.113.7", 40001)), "dra", PASSWORD) == 429
    with restarted.state.sessions() as db:
        row = db.query(models.LoginThrottleRow).filter_by(username="dra", client="203.0.113.7").one()
        assert row.failures == 5 and row.locked_until is not None
        actions = [a.action for a in db.query(models.AuditRow)]
    assert actions.count("login_failed") == 5 and actions.count("login_blocked") == 2


def test_a_success_clears_the_failures(tmp_path):
    app = _app(tmp_path / "s.db")
    seed_users(app)
    c = TestClient(app)
    for _ in range(4):
        assert _login(c, "asa", "wrong password") == 401
    assert _login(c, "asa", PASSWORD) == 200
    for _ in range(4):
        assert _login(c, "asa", "wrong password") == 401
    assert _login(c, "asa", PASSWORD) == 200


def test_unknown_and_known_users_take_the_same_time(tmp_path):
    """The unknown user is checked against a dummy hash: median times within a factor 1.5 either way. The
    hash is made costlier than the test default (about 30-100 ms) so that it, not machine noise, decides
    the timing: skipping it for unknown users would make their answers several times faster."""
    app = _app(tmp_path / "t.db")
    app.state.hasher = PasswordHasher(time_cost=3, memory_cost=32768, parallelism=1)
    app.state.dummy_hash = dummy_hash(app.state.hasher)
    seed_users(app)
    c = TestClient(app)

    def timed(user: str, k: int) -> float:
        t = time.perf_counter()
        assert c.post("/api/login", json={"username": user, "password": f"wrong {k}"}).status_code == 401
        return time.perf_counter() - t

    known, unknown = [], []
    for k in range(8):  # interleaved, 4 failures per name (below the lock)
        (known if k % 2 == 0 else unknown).append(timed("dra" if k % 2 == 0 else "nobody-here", k))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 1 / 1.5 < ratio < 1.5, (known, unknown)
