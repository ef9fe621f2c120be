"""Validated inputs of commands whose engine has no input model of its own. A module apart, imported by the
command when it runs, so that building the models (and loading pydantic and the patient and protocol
vocabularies) does not slow ``microneedling --help``."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from microneedling.patient import Fitzpatrick, Sex, Zone
from microneedling.protocol import Device, NeedlingDevice, SessionCount
from microneedling.units import AgeYears, NeedleLengthMM


class CompareQuery(BaseModel):
    """Validated input of ``microneedling compare``."""

    model_config = ConfigDict(extra="forbid")
    zone: Zone
    fitzpatrick: Fitzpatrick
    sex: Sex = Sex.F
    age_years: AgeYears = 30.0
    device: NeedlingDevice = Device.roller
    needle_length_mm: NeedleLengthMM = 1.5
    sessions: SessionCount = 1


DatabaseURL = Annotated[str, Field(pattern=r"^(sqlite:///|postgres(ql)?(\+psycopg)?://).+",
                                   description="sqlite:///FILE or postgresql://USER@HOST:PORT/DB")]


class PurgeOptions(BaseModel):
    """Validated input of ``microneedling purge-intake``."""

    model_config = ConfigDict(extra="forbid")

    database_url: DatabaseURL
    retention_days: Annotated[float | None, Field(gt=0.0, le=3650.0, description="days (0, 3650]")] = None


class ServeOptions(BaseModel):
    """Validated input of ``microneedling serve``."""

    model_config = ConfigDict(extra="forbid")

    host: Annotated[str, Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:\-\[\]]+$")]
    port: Annotated[int, Field(ge=1, le=65535)]
    database_url: DatabaseURL
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
