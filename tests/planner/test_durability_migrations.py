"""Migrations up and down on SQLite (the migrated schema equals the models), and no committed row lost
when the real uvicorn server is killed during writes."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from durability import kill_during_writes
from sqlalchemy import inspect

from microneedling.planner.db import downgrade, make_engine, migrate
from microneedling.planner.models import Base

TABLES = set(Base.metadata.tables)


def check_up_down(url: str) -> None:
    engine = make_engine(url)
    try:
        migrate(engine)
        assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], diff
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        migrate(engine)  # running again on start is a no-op
        assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_sqlite_migrations_up_and_down(tmp_path):
    check_up_down(f"sqlite:///{tmp_path / 'm.db'}")


def test_sqlite_kill_during_writes_loses_no_committed_row(tmp_path):
    out = kill_during_writes(f"sqlite:///{tmp_path / 'k.db'}")
    assert len(out["acked"]) >= 10  # writes were acknowledged before the kill (40 aimed for)
    assert set(out["acked"]) <= out["stored"], set(out["acked"]) - out["stored"]
    assert out["scarless"] == [] and out["unaudited"] == []
