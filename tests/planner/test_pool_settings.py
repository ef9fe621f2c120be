"""The PostgreSQL connection pool is a setting (default, or the MICRONEEDLING_DB_POOL_SIZE and
MICRONEEDLING_DB_MAX_OVERFLOW environment variables) that reaches the engine the app creates; a SQLite file keeps
its own pool."""

from __future__ import annotations

import threading

import pytest
from planner_support import Client, fresh_pg_database, seed_users
from sqlalchemy.pool import QueuePool

from microneedling.errors import InputError
from microneedling.planner import app as planner_app
from microneedling.planner.db import make_engine
from microneedling.planner.settings import (
    DEFAULT_MAX_OVERFLOW,
    DEFAULT_POOL_SIZE,
    MAX_OVERFLOW_ENV,
    POOL_SIZE_ENV,
    Settings,
)

POSTGRES = "postgresql://planner@127.0.0.1:1/planner"  # never connected to: engines connect on first use


def test_defaults_and_environment(monkeypatch):
    monkeypatch.delenv(POOL_SIZE_ENV, raising=False)
    monkeypatch.delenv(MAX_OVERFLOW_ENV, raising=False)
    s = Settings()
    assert (s.db_pool_size, s.db_max_overflow) == (DEFAULT_POOL_SIZE, DEFAULT_MAX_OVERFLOW)
    monkeypatch.setenv(POOL_SIZE_ENV, "25")
    monkeypatch.setenv(MAX_OVERFLOW_ENV, "0")
    s = Settings()
    assert (s.db_pool_size, s.db_max_overflow) == (25, 0)
    assert Settings(db_pool_size=3).db_pool_size == 3  # an explicit setting wins over the environment


@pytest.mark.parametrize("name,value", [(POOL_SIZE_ENV, "0"), (POOL_SIZE_ENV, "ten"), (MAX_OVERFLOW_ENV, "-1"),
                                        (MAX_OVERFLOW_ENV, "5000")])
def test_bad_environment_values_are_refused_with_the_range(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(InputError) as info:
        Settings()
    assert info.value.field == name and "a whole number from" in info.value.allowed


def test_postgres_engine_pool_takes_the_sizes():
    engine = make_engine(POSTGRES, pool_size=7, max_overflow=3)
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.size() == 7 and engine.pool._max_overflow == 3
    default = make_engine(POSTGRES)
    assert default.pool.size() == DEFAULT_POOL_SIZE and default.pool._max_overflow == DEFAULT_MAX_OVERFLOW


def test_sqlite_engine_is_unchanged_by_the_setting(tmp_path):
    a = make_engine(f"sqlite:///{tmp_path / 'a.db'}", pool_size=2, max_overflow=0)
    b = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    assert (a.pool.size(), a.pool._max_overflow) == (b.pool.size(), b.pool._max_overflow) == (20, -1)


def test_the_app_creates_its_engine_with_the_settings(monkeypatch, tmp_path):
    seen = []

    def spy(url, pool_size, max_overflow):
        seen.append((url, pool_size, max_overflow))
        return make_engine(url, pool_size, max_overflow)

    monkeypatch.setattr(planner_app, "make_engine", spy)
    monkeypatch.setenv(POOL_SIZE_ENV, "4")
    monkeypatch.setenv(MAX_OVERFLOW_ENV, "9")
    url = f"sqlite:///{tmp_path / 'p.db'}"
    app = planner_app.create_app(Settings(database_url=url, fast_hash=True, warm_up=False))
    assert seen == [(url, 4, 9)]
    assert (app.state.settings.db_pool_size, app.state.settings.db_max_overflow) == (4, 9)


def test_on_postgresql_the_app_pool_holds_the_set_sizes(postgres_url):
    """A real PostgreSQL server: the app's engine keeps at most pool + overflow connections while 8 clients
    read at once, and every read is answered."""
    app = planner_app.create_app(Settings(database_url=fresh_pg_database(postgres_url, "pool"), fast_hash=True,
                                          warm_up=False, db_pool_size=2, db_max_overflow=1))
    pool = app.state.engine.pool
    assert (pool.size(), pool._max_overflow) == (2, 1)
    seed_users(app)
    clients = [Client(app, "dra") for _ in range(8)]
    answers: list[int] = []
    peak = [0]

    def read(c: Client) -> None:
        for _ in range(5):
            answers.append(c.get("/api/patients").status_code)
            peak[0] = max(peak[0], pool.checkedout())

    threads = [threading.Thread(target=read, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert answers == [200] * 40
    assert 1 <= peak[0] <= 3 and pool.checkedin() <= 3


def test_worker_threads_setting_reaches_the_running_app(tmp_path, monkeypatch):
    """Each worker process runs request handlers on Settings.worker_threads threads (default 8, or the
    MICRONEEDLING_WORKER_THREADS environment variable), set when the app starts."""
    import anyio.to_thread
    from fastapi.testclient import TestClient

    from microneedling.planner.settings import DEFAULT_WORKER_THREADS, WORKER_THREADS_ENV

    monkeypatch.delenv(WORKER_THREADS_ENV, raising=False)
    assert Settings().worker_threads == DEFAULT_WORKER_THREADS == 8
    monkeypatch.setenv(WORKER_THREADS_ENV, "3")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 't.db'}", fast_hash=True)
    assert settings.worker_threads == 3
    with TestClient(planner_app.create_app(settings)) as client:
        tokens = client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)
        assert tokens == 3
        assert client.get("/login").status_code == 200
    monkeypatch.setenv(WORKER_THREADS_ENV, "0")
    with pytest.raises(InputError, match=WORKER_THREADS_ENV):
        Settings()
