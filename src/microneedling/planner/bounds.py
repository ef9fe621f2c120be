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
