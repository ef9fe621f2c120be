"""``microneedling serve``: the planner web app (FastAPI + uvicorn) on a SQLite file or PostgreSQL."""

from __future__ import annotations

import typer

from microneedling.cli import app
from microneedling.cli.common import validated


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", help="TCP port [1, 65535]."),
    database_url: str = typer.Option("sqlite:///microneedling-planner.db", "--database-url",
                                     help="sqlite:///FILE (default) or postgresql://USER@HOST:PORT/DB."),
    clinic_timezone: str = typer.Option("UTC", "--clinic-timezone",
                                        help="IANA time zone of the clinic (e.g. Europe/Paris); times are shown "
                                             "and entered in it, stored in UTC."),
    clinic_name: str = typer.Option("Microneedling clinic", "--clinic-name",
                                    help="Clinic name: calendar LOCATION and printed sheets."),
    clinic_address: str = typer.Option("", "--clinic-address", help="Clinic address: calendar LOCATION."),
) -> None:
    """Run the planner web app; migrations run on start. Set MICRONEEDLING_ADMIN_PASSWORD on an empty
    database to create the user "admin"."""
    from microneedling.cli.queries import ServeOptions

    opts = validated(ServeOptions, host=host, port=port, database_url=database_url, clinic_timezone=clinic_timezone,
                     clinic_name=clinic_name, clinic_address=clinic_address)
    import uvicorn

    from microneedling.planner.app import create_app
    from microneedling.planner.settings import Settings

    settings = Settings(database_url=opts.database_url, clinic_timezone=opts.clinic_timezone,
                        clinic_name=opts.clinic_name, clinic_address=opts.clinic_address)
    uvicorn.run(create_app(settings), host=opts.host, port=opts.port, log_level="warning")
