"""Bounds on ids and dates taken from requests, so that out-of-range input is refused with 404 or 422 and
never reaches the database or date arithmetic (where it raised 500: SQLite integers are 64-bit signed, and a
date near 9999-12-31 overflows when a course of sessions is added to it).

``PathId`` is a path parameter naming a row (0 and negative ids, or ids beyond 64 bits, are 422);
``RefId`` is an id inside a JSON body or form; ``PlanDateTime`` / ``PlanDate`` are dates a clinic can
mean (years :data:`MIN_YEAR` to :data:`MAX_YEAR`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, Field
from starlette.types import ASGIApp, Receive, Scope, Send

MAX_ID = 2**63 - 1  # the largest 64-bit signed integer: SQLite and PostgreSQL bigint
MIN_YEAR = 1900
MAX_YEAR = 2200

PathId = Annotated[int, Path(ge=1, le=MAX_ID, description="row id (1 to 2^63 - 1)")]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _year_in_range(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return value


PlanDateTime = Annotated[datetime, AfterValidator(_year_in_range)]
PlanDate = Annotated[date, AfterValidator(_year_in_range)]


class PathIdBounds:
    """ASGI middleware: a request whose path has a numeric segment beyond :data:`MAX_ID` is answered 404 before
    routing (no row can have that id; the database driver would otherwise fail on the integer). Covers every
    route's id path parameters at once; negative and zero ids reach the routes and are not found there."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(len(seg) >= 19 and seg.lstrip("-").isdigit() and abs(int(seg)) > MAX_ID
                                           for seg in scope["path"].split("/")):
            api = scope["path"].startswith("/api/")
            body = b'{"detail":"not found"}' if api else b"Not found"
            await send({"type": "http.response.start", "status": 404, "headers": [
                (b"content-type", b"application/json" if api else b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
