"""The planner as an ASGI app factory configured from the environment, for servers that start several worker
processes (each builds its own app):

    MICRONEEDLING_DATABASE_URL=postgresql://... uvicorn microneedling.planner.asgi:app_from_environment \\
        --factory --workers 4

``MICRONEEDLING_DATABASE_URL`` names the database (default: the Settings default, a SQLite file);
``MICRONEEDLING_FAST_HASH=1`` lowers the password-hash cost (throw-away benchmark and test databases only);
``MICRONEEDLING_DB_POOL_SIZE`` and ``MICRONEEDLING_DB_MAX_OVERFLOW`` size each worker's PostgreSQL connection
pool (:class:`microneedling.planner.settings.Settings`: 10 and 60 by default; keep workers x (pool + overflow)
under the server's ``max_connections``)."""

from __future__ import annotations

import os

from fastapi import FastAPI

from microneedling.planner.app import create_app
from microneedling.planner.settings import Settings

DATABASE_URL_ENV = "MICRONEEDLING_DATABASE_URL"
FAST_HASH_ENV = "MICRONEEDLING_FAST_HASH"


def app_from_environment() -> FastAPI:
    settings = Settings(fast_hash=os.environ.get(FAST_HASH_ENV) == "1", warm_up=True)
    if os.environ.get(DATABASE_URL_ENV):
        settings.database_url = os.environ[DATABASE_URL_ENV]
    return create_app(settings)
