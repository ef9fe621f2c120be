"""``microneedling purge-intake``: delete the planner's consultation requests older than the retention period,
patient links expired that long ago, and public rate-limit counts older than a day (run it daily, e.g. from
cron or a systemd timer)."""

from __future__ import annotations

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, validated


@app.command("purge-intake")
def purge_intake(
    database_url: str = typer.Option("sqlite:///microneedling-planner.db", "--database-url",
                                     help="sqlite:///FILE (default) or postgresql://USER@HOST:PORT/DB."),
    retention_days: float | None = typer.Option(None, "--retention-days",
                                                help="Keep requests this many days (default: the planner "
                                                     "setting intake_retention_days, 180)."),
) -> None:
    """Delete consultation requests past the retention period (accepted or not), long-expired patient links
    and old rate-limit counts; prints how many of each as JSON. The deletion is in the audit log."""
    from microneedling.cli.queries import PurgeOptions

    opts = validated(PurgeOptions, database_url=database_url, retention_days=retention_days)
    from microneedling.planner.db import make_engine, migrate, session_factory
    from microneedling.planner.intake import purge
    from microneedling.planner.settings import Settings

    days = opts.retention_days if opts.retention_days is not None else Settings().intake_retention_days
    engine = make_engine(opts.database_url)
    migrate(engine)
    with session_factory(engine)() as db:
        counts = purge(db, days)
        db.commit()
    engine.dispose()
    print_json({"retention_days": days, "deleted": counts})
