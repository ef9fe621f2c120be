"""The planner on a real PostgreSQL server (started by the ``postgres_url`` fixture from the Debian
binaries; skipped with the reason where it cannot start): migrations up and down, the API, and no
committed row lost when the server is killed during writes."""

from durability import kill_during_writes
from planner_support import PATIENT, Client, fresh_pg_database, seed_users
from test_durability_migrations import check_up_down

from microneedling.planner.app import create_app
from microneedling.planner.settings import Settings


def test_postgres_migrations_up_and_down(postgres_url):
    check_up_down(fresh_pg_database(postgres_url, "updown"))


def test_postgres_api_workflow(postgres_url):
    app = create_app(Settings(database_url=fresh_pg_database(postgres_url, "api"), fast_hash=True))
    seed_users(app)
    dra = Client(app, "dra")
    pid = dra.post("/api/patients", json=PATIENT).json()["id"]
    plan = dra.post(f"/api/patients/{pid}/plans", json={"device": "roller"})
    assert plan.status_code == 201, plan.text
    assert dra.post(f"/api/patients/{pid}/appointments", json={"starts_at": "2027-02-01T08:00:00",
                                                               "repeat": 2}).status_code == 201
    assert dra.post("/api/patients", json={**PATIENT, "age_years": 200}).status_code == 422
    assert [p["label"] for p in dra.get("/api/patients").json()] == ["P-001"]
    assert Client(app, "drb").get(f"/api/patients/{pid}").status_code == 404
    app.state.engine.dispose()


def test_postgres_kill_during_writes_loses_no_committed_row(postgres_url):
    out = kill_during_writes(fresh_pg_database(postgres_url, "kill"))
    assert len(out["acked"]) >= 10  # writes were acknowledged before the kill (40 aimed for)
    assert set(out["acked"]) <= out["stored"], set(out["acked"]) - out["stored"]
    assert out["scarless"] == [] and out["unaudited"] == []


def test_postgres_idle_connection_pinged_and_replaced_busy_one_not(postgres_url, monkeypatch):
    """A pooled connection the server dropped while it sat idle is replaced before use; one handed back
    moments ago is used without a ping (no extra round trip per request under load)."""
    import time

    import psycopg
    from sqlalchemy import text

    from microneedling.planner import db

    url = fresh_pg_database(postgres_url, "ping")
    engine = db.make_engine(url, pool_size=1, max_overflow=0)
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
    with engine.connect() as c:
        first = c.execute(text("SELECT pg_backend_pid()")).scalar()
    with engine.connect() as c:
        assert c.execute(text("SELECT pg_backend_pid()")).scalar() == first
    assert pings == []  # back in the pool moments ago: used as it is
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.05)
    time.sleep(0.1)
    with engine.connect() as c:
        second = c.execute(text("SELECT pg_backend_pid()")).scalar()
    assert pings == [1] and second != first  # pinged, found dead, replaced before the query
    engine.dispose()


def test_postgres_pool_filled_at_start_is_what_requests_use(postgres_url, tmp_path):
    """fill_pool opens the pool's connections (reading every table once on each) and leaves them in the pool:
    requests arriving together afterwards use them and open no server connection."""
    import psycopg
    from sqlalchemy import text

    from microneedling.planner import db

    url = fresh_pg_database(postgres_url, "fill")
    engine = db.make_engine(url, pool_size=3, max_overflow=2)
    db.migrate(engine)
    engine.dispose()
    assert db.fill_pool(engine) == 3
    assert engine.pool.checkedin() == 3
    with psycopg.connect(url, autocommit=True) as admin:
        opened = {pid for (pid,) in admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")}
    assert len(opened) == 3
    held = [engine.connect() for _ in range(3)]
    assert {c.execute(text("SELECT pg_backend_pid()")).scalar() for c in held} == opened
    for c in held:
        c.close()
    engine.dispose()
    sqlite = db.make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    assert db.fill_pool(sqlite) == 0


def test_postgres_reads_run_in_autocommit_writes_in_a_transaction(postgres_url):
    """A GET runs every statement in autocommit (no BEGIN or COMMIT round trips), its audit entry included
    and stored; a POST writes inside a transaction (only its login check reads in autocommit)."""
    from sqlalchemy import event, select

    from microneedling.planner.models import AuditRow

    app = create_app(Settings(database_url=fresh_pg_database(postgres_url, "reads"), fast_hash=True))
    seed_users(app)
    dra = Client(app, "dra")
    pid = dra.post("/api/patients", json=PATIENT).json()["id"]
    seen: list[tuple[bool, str]] = []

    @event.listens_for(app.state.engine, "before_cursor_execute")
    def _record(conn, _cursor, statement, *_):  # noqa: ANN001
        seen.append((conn.connection.dbapi_connection.autocommit, statement.split()[0]))

    for url in (f"/patients/{pid}", f"/api/patients/{pid}", "/api/patients", "/patients"):
        assert dra.get(url).status_code == 200
        assert seen and all(auto for auto, _ in seen), (url, seen)
        assert app.state.engine.pool.checkedout() == 0  # the read session was closed, its connection back
        seen.clear()
    with app.state.sessions() as db:
        views = db.scalars(select(AuditRow).where(AuditRow.action == "view", AuditRow.entity_id == pid)).all()
    assert len(views) == 2 and views[0].user_id is not None and views[0].at is not None
    seen.clear()
    assert dra.put(f"/api/patients/{pid}", json={**PATIENT, "age_years": 31}).status_code == 200
    assert seen[0][0] and not any(auto for auto, _ in seen[1:]), seen  # login check, then the transaction
    assert any(kind == "UPDATE" for _, kind in seen)
    app.state.engine.dispose()


def test_postgres_read_session_closes_without_a_database_call(postgres_url, tmp_path):
    """A read session's connection is idle on the server after its statements (autocommit), so closing it
    sends nothing and the request's dependency closes it without a trip to the thread pool; a write session
    inside a transaction is closed in a thread (its rollback is a round trip)."""
    from psycopg.pq import TransactionStatus
    from sqlalchemy import select

    from microneedling.planner import db

    engine = db.make_engine(fresh_pg_database(postgres_url, "close"))
    reads, writes = db.read_session_factory(engine)(), db.session_factory(engine)()
    for s in (reads, writes):
        s.execute(select(1))
    assert reads.in_transaction() and db.closes_without_io(reads)
    assert reads.connection().connection.dbapi_connection.info.transaction_status == TransactionStatus.IDLE
    assert writes.connection().connection.dbapi_connection.info.transaction_status == TransactionStatus.INTRANS
    assert not db.closes_without_io(writes)
    writes.commit()
    assert db.closes_without_io(writes)
    reads.close(), writes.close()
    engine.dispose()
    sqlite = db.make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    local = db.read_session_factory(sqlite)()
    local.execute(select(1))
    assert not db.closes_without_io(local)  # SQLite reads keep their transaction
    local.close()


def test_postgres_patient_record_is_what_the_per_table_readers_read(postgres_url, tmp_path):
    """The patient page's one-statement record (JSON built by the server) gives the rows, order, values and
    Python types the per-table readers give on PostgreSQL too, and the page shows it."""
    from test_patient_record import check_record_matches_readers, full_patient

    app = create_app(Settings(database_url=fresh_pg_database(postgres_url, "record"), fast_hash=True,
                              media_dir=str(tmp_path / "media")))
    seed_users(app)
    dra = Client(app, "dra")
    pid = full_patient(dra)
    check_record_matches_readers(app, pid)
    page = dra.get(f"/patients/{pid}").text
    assert "LOT-B2" in page and "atrophic scars only" in page
    app.state.engine.dispose()
