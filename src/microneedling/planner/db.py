"""Database engine and migrations: SQLite file by default, PostgreSQL by URL; Alembic runs on start.

SQLite runs in WAL mode with ``synchronous=FULL`` so a committed row survives the server being killed.
"""

from __future__ import annotations

import time
from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, exc, select
from sqlalchemy.orm import Session, sessionmaker

from microneedling.errors import InputError
from microneedling.planner.models import Base
from microneedling.planner.settings import DEFAULT_MAX_OVERFLOW, DEFAULT_POOL_SIZE


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` for PostgreSQL (driven by psycopg 3) and ``sqlite:///path``."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+psycopg://") or url.startswith("sqlite:///"):
        return url
    raise InputError("database_url", url, "must start with sqlite:/// or postgresql://")


#: A pooled PostgreSQL connection idle in the pool for longer than this is pinged before use (seconds).
PING_AFTER_IDLE_S = 5.0


def ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection on checkout only when it sat in the pool for :data:`PING_AFTER_IDLE_S` or more;
    a failed ping discards it and the pool opens a fresh one (SQLAlchemy retries a checkout that raises
    ``DisconnectionError``). A connection handed back moments ago is live, so under load no request pays a
    ping's round trip (two per request with ``pool_pre_ping``, which pings at every checkout), while one the
    server dropped during a quiet spell (a restart, an idle cut) is still replaced before a request sees it."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record) -> None:  # noqa: ANN001
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy) -> None:  # noqa: ANN001
        since = record.info.pop("checked_in_at", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return  # just opened, or back in the pool moments ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as err:
            raise exc.DisconnectionError(f"pooled connection failed its ping: {err}") from err


def fill_pool(engine: Engine) -> int:
    """Open the pool's PostgreSQL connections now, each reading every table once (no rows), and leave them in
    the pool; returns how many (0 on SQLite, whose connections are files). Otherwise the requests arriving
    together after a start open them: a new server connection took 6 ms, and its first query of a table about
    2 ms more than the next (the server loads the table's catalog entries per connection), about 25 ms for
    the first patient page on it."""
    if engine.dialect.name == "sqlite":
        return 0
    connections = []
    try:
        for _ in range(engine.pool.size()):
            connections.append(c := engine.connect())
            for table in Base.metadata.sorted_tables:
                c.execute(select(table).limit(0)).close()
    finally:
        for c in connections:
            c.close()  # back to the pool, its read transaction rolled back there
    return len(connections)


def make_engine(url: str, pool_size: int = DEFAULT_POOL_SIZE, max_overflow: int = DEFAULT_MAX_OVERFLOW) -> Engine:
    """The engine of ``url``. On PostgreSQL it keeps a pool of ``pool_size`` connections and opens up to
    ``max_overflow`` more under load (a connection idle for a while is pinged before use, so one the server
    dropped is replaced: :func:`ping_when_idle`); a SQLite file keeps its own pool (connections are cheap;
    writers queue on the file lock)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20,
                               max_overflow=-1)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow)
    ping_when_idle(engine)
    return engine


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("microneedling.planner").joinpath("migrations")))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` (``head`` on start)."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for requests that read (GET). On PostgreSQL every statement commits on its own (autocommit),
    so a read costs no BEGIN and COMMIT round trips to the server and holds no transaction open; under its
    read-committed isolation each statement of a transaction sees the data committed when it starts, so a page
    read statement by statement sees what it would have seen inside one. A single-row write of a read (its
    audit entry, a session's last-seen time) is committed at once, as the request's commit would have. On
    SQLite (no server to reach) reads keep their transaction: the same factory as :func:`session_factory`."""
    if engine.dialect.name == "sqlite":
        return session_factory(engine)
    return sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False)


def closes_without_io(db: Session) -> bool:
    """Whether closing ``db`` makes no database call: it holds no transaction, or its statements commit on
    their own (a read session on PostgreSQL, whose connection goes back to the pool without a rollback sent)."""
    if not db.in_transaction():
        return True
    return db.get_bind().get_execution_options().get("isolation_level") == "AUTOCOMMIT"
