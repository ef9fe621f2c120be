"""Per-zone plan: device and needle length for each scarred zone, and the course (sessions, interval).

For each zone the target is the deepest scar floor in that zone (scar ``depth_mm``). The chosen needle is the
shortest length the device offers whose *real* penetration (mechanical engine,
``microneedling.mechanics.injury.session_injury``) reaches the dermis and the target and, unless the provider turns it
off, the clinical endpoint of uniform pinpoint bleeding (Farber 2020), capped by the clinician-editable
zone table ``data/parameters/planner_zone_plan.csv`` (cheek 1.5 mm, the Harris 2015 median; thinner zones
lower). Where the cap stops the target, the cap is used and the zone says so. Where the engine cannot
model a zone, the cap is proposed and the zone says penetration was not modelled. Course defaults:
Harris 2015 medians (3 sessions, 4 weeks apart).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Annotated

from pydantic import Field, field_validator

from microneedling.citations import cite
from microneedling.errors import InputError
from microneedling.inputs import StrictInput
from microneedling.mechanics.injury import session_injury
from microneedling.params import get_parameter, parameter_value
from microneedling.patient import Patient, Zone
from microneedling.protocol import Device, IntervalWeeks, NeedlingDevice, SessionCount
from microneedling.units import NeedleLengthMM

GRID_MM = 0.25  # resolution of proposed needle lengths (the plan's grid; pens dial 0.25-3.0 mm)
DEFAULT_LENGTHS_MM = tuple(round(GRID_MM * k, 2) for k in range(1, 13))


class PlanRequest(StrictInput):
    """What the provider chooses: device, the lengths it offers, course, optional per-zone cap edits."""

    device: NeedlingDevice = Device.pen
    available_lengths_mm: Annotated[list[NeedleLengthMM], Field(min_length=1, max_length=24)] = list(
        DEFAULT_LENGTHS_MM)
    sessions: SessionCount | None = None
    interval_weeks: IntervalWeeks | None = None
    caps_mm: dict[Zone, NeedleLengthMM] = {}
    require_bleeding: bool = True

    @field_validator("available_lengths_mm")
    @classmethod
    def _sorted_unique(cls, v: list[float]) -> list[float]:
        return sorted(set(v))


@dataclass(frozen=True)
class ZoneChoice:
    zone: str
    device: str
    needle_length_mm: float
    cap_mm: float
    cap_source: str
    target_depth_mm: float
    penetration_depth_mm: float | None
    reaches_dermis: bool | None
    bleeding: bool | None
    reaches_target: bool | None
    note: str


@dataclass(frozen=True)
class ZonePlan:
    device: str
    sessions: int
    interval_weeks: float
    zones: tuple[ZoneChoice, ...]
    engine: str

    def as_dict(self) -> dict:
        return {"device": self.device, "sessions": self.sessions, "interval_weeks": self.interval_weeks,
                "engine": self.engine, "zones": [asdict(z) for z in self.zones]}


InjuryFn = Callable[..., object]


def zone_caps() -> dict[Zone, float]:
    """The packaged needle-length cap per zone, mm (records its sources)."""
    return {z: parameter_value(f"plan.zone_cap.{z.value}.needle_mm") for z in Zone}


def default_course() -> tuple[int, float]:
    """Harris 2015 medians: (sessions, interval in weeks)."""
    return int(parameter_value("plan.default_sessions")), parameter_value("plan.default_interval_week")


def _reaches(inj, target: float, bleeding: bool) -> bool:
    return bool(inj.reaches_dermis and inj.penetration_depth_mm >= target and (inj.bleeding or not bleeding))


def _choose(zone: Zone, device: str, lengths: list[float], cap: float, target: float,
            injury_fn: InjuryFn, sex: str, age_years: float, bleeding: bool) -> tuple:
    allowed = [v for v in lengths if v <= cap + 1e-9]
    if not allowed:
        raise InputError("available_lengths_mm", lengths, f"no length at or under the {zone.value} cap of {cap} mm")
    last = None
    for length in allowed:
        try:
            inj = injury_fn(zone.value, device, length, sex=sex, age_years=age_years)
        except InputError as exc:
            return allowed[-1], None, f"penetration not modelled for {zone.value} ({exc.allowed}): the zone cap is proposed"
        last = (length, inj)
        if _reaches(inj, target, bleeding):
            return length, inj, ("shortest available length whose real penetration reaches the scar floor"
                                 + (" and the pinpoint-bleeding endpoint" if bleeding else ""))
    length, inj = last
    note = f"the {zone.value} cap ({cap} mm) stops the needle short of the scar floor"
    return length, inj, note + (" or the bleeding endpoint" if bleeding else "") + "; cap used"


def plan_zones(patient: Patient, request: PlanRequest | None = None,
               injury_fn: InjuryFn = session_injury) -> ZonePlan:
    """Device and needle length per scarred zone of ``patient`` and the course (pure; no I/O)."""
    request = request or PlanRequest()
    caps = zone_caps()
    sessions, interval = default_course()
    choices = []
    for zs in patient.zones:
        cap = request.caps_mm.get(zs.zone, caps[zs.zone])
        cap_source = "edited by provider" if zs.zone in request.caps_mm else \
            get_parameter(f"plan.zone_cap.{zs.zone.value}.needle_mm").source
        target = max(g.depth_mm for g in zs.scars)
        length, inj, note = _choose(zs.zone, request.device, request.available_lengths_mm, cap, target, injury_fn,
                                    patient.sex.value, patient.age_years, request.require_bleeding)
        if request.require_bleeding:
            cite("Farber2020")
        choices.append(ZoneChoice(
            zone=zs.zone.value, device=request.device, needle_length_mm=length, cap_mm=cap, cap_source=cap_source,
            target_depth_mm=target,
            penetration_depth_mm=None if inj is None else float(inj.penetration_depth_mm),
            reaches_dermis=None if inj is None else bool(inj.reaches_dermis),
            bleeding=None if inj is None else bool(inj.bleeding),
            reaches_target=None if inj is None else _reaches(inj, target, request.require_bleeding),
            note=note))
    return ZonePlan(device=request.device, sessions=request.sessions or sessions,
                    interval_weeks=float(request.interval_weeks or interval), zones=tuple(choices),
                    engine="mechanical engine (session_injury)")
