"""``microneedling serve``: the planner web app (FastAPI + uvicorn) on a SQLite file or PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import BaseModel, ConfigDict, Field

from microneedling.cli import app
from microneedling.cli.common import validated


class ServeOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: Annotated[str, Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:\-\[\]]+$")]
    port: Annotated[int, Field(ge=1, le=65535)]
    database_url: Annotated[str, Field(pattern=r"^(sqlite:///|postgres(ql)?(\+psycopg)?://).+",
                                       description="sqlite:///FILE or postgresql://USER@HOST:PORT/DB")]


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", help="TCP port [1, 65535]."),
    database_url: str = typer.Option("sqlite:///microneedling-planner.db", "--database-url",
                                     help="sqlite:///FILE (default) or postgresql://USER@HOST:PORT/DB."),
) -> None:
    """Run the planner web app; migrations run on start. Set MICRONEEDLING_ADMIN_PASSWORD on an empty
    database to create the user "admin"."""
    opts = validated(ServeOptions, host=host, port=port, database_url=database_url)
    import uvicorn

    from microneedling.planner.app import create_app
    from microneedling.planner.settings import Settings

    uvicorn.run(create_app(Settings(database_url=opts.database_url)), host=opts.host, port=opts.port,
                log_level="warning")
