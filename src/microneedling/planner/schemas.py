"""Input models of the planner (pages and JSON API share them): pydantic, extra fields forbidden."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from microneedling.clinic.zone_plan import PlanRequest
from microneedling.patient import Fitzpatrick, History, Sex, Zone, ZoneScars
from microneedling.protocol import NeedlingDevice
from microneedling.units import AgeYears, NeedleLengthMM, PositiveWeeks

Text = Annotated[str, Field(max_length=2000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PatientIn(_In):
    label: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w .\-]+$",
                                description="pseudonymous patient code (no names)")]
    age_years: AgeYears
    sex: Sex
    fitzpatrick: Fitzpatrick
    history: History = History()
    zones: Annotated[list[ZoneScars], Field(min_length=1, max_length=len(Zone))]


class OverrideIn(_In):
    rule_id: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Annotated[str, Field(min_length=10, max_length=2000)]


class PlanIn(PlanRequest):
    """A plan request (device, lengths, course, cap edits: :class:`microneedling.clinic.zone_plan.PlanRequest`) with
    its name and an optional baseline score for the prediction."""

    name: Annotated[str, Field(min_length=1, max_length=80)] = "Plan"
    baseline_gb_score: Annotated[float, Field(gt=0.0, le=84.0, allow_inf_nan=False,
                                              description="Goodman & Baron quantitative score now")] | None = None


class AppointmentIn(_In):
    starts_at: datetime
    duration_min: Annotated[int, Field(ge=5, le=480)] = 45
    plan_id: int | None = None
    note: Text = ""
    repeat: Annotated[int, Field(ge=1, le=12, description="schedule this many sessions")] = 1
    interval_weeks: PositiveWeeks = 4.0


class TreatmentIn(_In):
    device: NeedlingDevice
    needle_length_mm: NeedleLengthMM
    endpoint_reached: bool
    adverse_events: Text = ""


class PhotoMeta(_In):
    view: Literal["front", "left", "right", "oblique_left", "oblique_right", "closeup"]
    file: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\w .\-/]+$")]
    taken_on: date | None = None
    note: Annotated[str, Field(max_length=500)] = ""


class FollowUpIn(_In):
    week: Annotated[float, Field(ge=0.0, le=520.0, allow_inf_nan=False, description="weeks after first session")]
    gb_grade: Annotated[int, Field(ge=1, le=4)] | None = None
    gb_score: Annotated[float, Field(ge=0.0, le=84.0, allow_inf_nan=False)] | None = None
    photos: Annotated[list[PhotoMeta], Field(max_length=20)] = []
    note: Text = ""


class UserIn(_In):
    username: Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[a-z0-9_.\-]+$")]
    password: Annotated[str, Field(min_length=10, max_length=256)]
    role: Literal["admin", "provider", "assistant"]
    provider_id: int | None = None


class LoginIn(_In):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]
