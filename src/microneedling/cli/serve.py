"""``microneedling serve``: the planner web app (FastAPI + uvicorn) on a SQLite file or PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import BaseModel, ConfigDict, Field, field_validator

from microneedling.cli import app
from microneedling.cli.common import validated


class ServeOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: Annotated[str, Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:\-\[\]]+$")]
    port: Annotated[int, Field(ge=1, le=65535)]
    database_url: Annotated[str, Field(pattern=r"^(sqlite:///|postgres(ql)?(\+psycopg)?://).+",
                                       description="sqlite:///FILE or postgresql://USER@HOST:PORT/DB")]
    clinic_timezone: Annotated[str, Field(min_length=1, max_length=64, description="IANA time zone name")]
    clinic_name: Annotated[str, Field(min_length=1, max_length=120)]
    clinic_address: Annotated[str, Field(max_length=200)]

    @field_validator("clinic_timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("an IANA time zone name such as Europe/Paris or UTC") from None
        return v


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
    opts = validated(ServeOptions, host=host, port=port, database_url=database_url, clinic_timezone=clinic_timezone,
                     clinic_name=clinic_name, clinic_address=clinic_address)
    import uvicorn

    from microneedling.planner.app import create_app
    from microneedling.planner.settings import Settings

    settings = Settings(database_url=opts.database_url, clinic_timezone=opts.clinic_timezone,
                        clinic_name=opts.clinic_name, clinic_address=opts.clinic_address)
    uvicorn.run(create_app(settings), host=opts.host, port=opts.port, log_level="warning")
