"""Request (``...In``) and response (``...Out``) models of the planner. The input models are shared by the
pages and the JSON API; extra fields are forbidden, and a device, number of sessions or interval between
sessions is validated by its one definition in :mod:`microneedling.protocol`.

The response models describe what the JSON API returns. They carry no input bounds: a plan or record stored
under older bounds must still be shown. Results of the engines (zone plan, candidacy, prediction, Goodman &
Baron score) list their fields and let any further field of the engine through unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from microneedling.clinic.candidacy import Evidence, Level
from microneedling.clinic.zone_plan import PlanRequest, ZoneChoice
from microneedling.patient import Fitzpatrick, History, Sex, Zone, ZoneScars
from microneedling.planner.bounds import PlanDate, PlanDateTime, RefId
from microneedling.protocol import Device, IntervalWeeks, NeedlingDevice, Scale
from microneedling.units import AgeYears, NeedleLengthMM

Role = Literal["admin", "provider", "assistant"]
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
    starts_at: PlanDateTime
    duration_min: Annotated[int, Field(ge=5, le=480)] = 45
    plan_id: RefId | None = None
    note: Text = ""
    repeat: Annotated[int, Field(ge=1, le=12, description="schedule this many sessions")] = 1
    interval_weeks: IntervalWeeks = 4.0


class ZoneTreatedIn(_In):
    """One zone of a session as done."""

    zone: Zone
    needle_length_mm: NeedleLengthMM
    passes: Annotated[int, Field(ge=1, le=20, description="passes over the zone")]
    over_depth_reason: Annotated[str, Field(max_length=500, description="why the needle is longer than the "
                                                                         "plan or the zone cap")] = ""


class AnaestheticIn(_In):
    product: Annotated[str, Field(min_length=2, max_length=80, description="e.g. lidocaine/prilocaine cream")]
    concentration_pct: Annotated[float, Field(gt=0.0, le=30.0, allow_inf_nan=False,
                                              description="concentration, % w/w")]
    minutes: Annotated[int, Field(ge=0, le=180, description="minutes on the skin before needling")]


Endpoint = Literal["pinpoint bleeding", "erythema", "not reached"]


class TreatmentIn(_In):
    """A session as done; the checks against consent, plan, zone caps and the session date are in
    :mod:`microneedling.planner.treatment_records`."""

    device: NeedlingDevice
    zones: Annotated[list[ZoneTreatedIn], Field(min_length=1, max_length=len(Zone))]
    cartridge_lot: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$",
                                        description="cartridge or needle-head lot number (stored upper-case)")]
    cartridge_expiry: date
    anaesthetic: AnaestheticIn | None = None
    endpoint: Endpoint
    adverse_events: Text = ""
    note: Annotated[str, Field(max_length=4000)] = ""

    @field_validator("cartridge_lot")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()

    @field_validator("zones")
    @classmethod
    def _distinct(cls, v: list[ZoneTreatedIn]) -> list[ZoneTreatedIn]:
        zones = [z.zone for z in v]
        if len(set(zones)) != len(zones):
            raise ValueError("each zone once")
        return v


#: The standard views of a clinical photo (an upload's ``view``), in the gallery's order.
PhotoView = Literal["front", "left", "right", "oblique_left", "oblique_right"]
#: The views a follow-up's photo metadata may name: the standard views and a close-up.
FollowUpPhotoView = Literal[PhotoView, "closeup"]
PHOTO_VIEWS: tuple[str, ...] = get_args(PhotoView)
FOLLOWUP_PHOTO_VIEWS: tuple[str, ...] = get_args(FollowUpPhotoView)


class PhotoMeta(_In):
    view: FollowUpPhotoView
    file: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\w\-][\w .\-]*$",
                               description="a file name as free-text metadata (no folder, no leading dot); "
                                           "photos themselves are uploaded to /api/patients/{id}/photos")]
    taken_on: PlanDate | None = None
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
    role: Role
    provider_id: RefId | None = None


class PasswordChangeIn(_In):
    current_password: Annotated[str, Field(min_length=1, max_length=256)]
    new_password: Annotated[str, Field(min_length=10, max_length=256)]


class LoginIn(_In):
    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


# ---- responses ------------------------------------------------------------------------------------------
class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _EngineOut(_Out):
    model_config = ConfigDict(from_attributes=True, extra="allow")


class OkOut(_Out):
    ok: bool


class HealthOut(_Out):
    status: Literal["ok"]  # the process answers
    warm: bool  # its start-up warm-up (engine kernels, database pool) is over


class UserRef(_Out):
    id: int
    username: str
    role: Role


class LoginOut(_Out):
    user: UserRef
    csrf_token: str = Field(description="send it in the X-CSRF-Token header of every unsafe request")


class MeOut(UserRef):
    csrf_token: str


class UserCreatedOut(UserRef):
    provider_id: int | None


class UserOut(UserCreatedOut):
    active: bool


class Unavailable(_EngineOut):
    """An engine result that could not be computed, and why."""

    available: Literal[False]
    reason: str


class GoodmanBaronOut(_EngineOut):
    """Expected Goodman & Baron quantitative score and qualitative grade computed from the scar list (per-scar
    depths spread around each group's, so the grade is an expectation between 1 and 4, not a whole grade)."""

    available: Literal[True]
    score: float
    grade: float
    note: str


class PatientSummaryOut(_Out):
    id: int
    label: str
    age_years: float
    sex: Sex
    fitzpatrick: Fitzpatrick


class PatientOut(PatientSummaryOut):
    owner_id: int
    history: History
    zones: list[ZoneScars]
    goodman_baron: GoodmanBaronOut | Unavailable


class SourceOut(_Out):
    key: str = Field(description="key in CITATIONS.bib")
    where: str


class FindingOut(_EngineOut):
    rule_id: str
    level: Level
    reason: str
    evidence: Evidence
    observed: Any = Field(description="the patient's value that triggered the rule")
    sources: list[SourceOut]
    overridden: bool
    override_reason: str | None
    override_by: str | None


class CandidacyOut(_EngineOut):
    status: Level
    findings: list[FindingOut]


class ZonePlanOut(_EngineOut):
    device: Device
    sessions: int
    interval_weeks: float
    engine: str
    zones: list[ZoneChoice]


class PredictionOut(_EngineOut):
    """Predicted quantitative score over weeks: mean and 95% band."""

    available: Literal[True]
    basis: str
    session_weeks: list[float]
    weeks: list[float]
    scale: Scale
    baseline: float
    score_mean: list[float]
    score_low: list[float]
    score_high: list[float]
    improvement_mean: list[float]


class PlanOut(_EngineOut):
    id: int
    patient_id: int
    name: str
    created_at: datetime
    request: dict[str, Any] = Field(description="the plan request as submitted (PlanIn)")
    zone_plan: ZonePlanOut
    candidacy: CandidacyOut
    prediction: PredictionOut | Unavailable
    goodman_baron: GoodmanBaronOut | Unavailable
    references: list[str]


class AppointmentOut(_Out):
    id: int
    patient_id: int
    plan_id: int | None
    starts_at: Annotated[datetime, Field(description="UTC")]
    duration_min: int
    status: Literal["scheduled", "done", "cancelled", "no_show"]
    note: str

    @field_validator("starts_at")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return v.replace(tzinfo=UTC) if v.tzinfo is None else v  # stored naive in UTC


class ZoneTreatedOut(_Out):
    zone: str
    needle_length_mm: float
    passes: int
    plan_depth_mm: float | None
    cap_mm: float
    over_depth_reason: str


class TreatmentOut(_Out):
    id: int
    appointment_id: int
    device: Device
    needle_length_mm: float = Field(description="the longest needle of the session, mm")
    endpoint_reached: bool
    adverse_events: str
    consent_id: int | None
    cartridge_lot: str | None
    cartridge_expiry: date | None
    anaesthetic_product: str
    anaesthetic_concentration_pct: float | None
    anaesthetic_minutes: int | None
    endpoint: str
    note: str
    zones: list[ZoneTreatedOut]


class FollowUpOut(_Out):
    id: int
    patient_id: int
    week: float
    gb_grade: int | None
    gb_score: float | None
    photos: list[dict[str, Any]] = Field(description="photo metadata as recorded (PhotoMeta)")
    note: str


class AuditOut(_Out):
    id: int
    at: datetime
    user_id: int | None
    action: str
    entity: str
    entity_id: int | None
    detail: dict[str, Any]
