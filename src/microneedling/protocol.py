"""A treatment protocol and the outcome scales: the one definition of each, with its bounds.

Every entry point (the CLI commands, the virtual-trial spec, the planner's schemas) validates against these
types, so a protocol accepted in one place is accepted everywhere and refused everywhere with the same
message. The bounds are refusal bounds on input, not clinical advice:

* :class:`Device`: ``roller``, ``pen``, ``stamp``; ``none`` marks an untreated control arm.
  :data:`NeedlingDevice` is the same type restricted to devices that needle.
* :data:`SessionCount`: 1 to :data:`MAX_SESSIONS` sessions (the longest course in the trials on file is 12
  weekly sessions; twice that is refused as a typing error).
* :data:`IntervalWeeks`: 1 to :data:`MAX_INTERVAL_WEEKS` weeks between sessions (weekly is the shortest
  interval in the trials on file; more than half a year apart is a new course, not an interval).
* :data:`PassCount`: passes per session, 1 to :data:`MAX_PASSES`.
* :class:`Scale`: Goodman & Baron 2006 quantitative (0-84 points) and qualitative (grade 1-4).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from microneedling.errors import InputError
from microneedling.inputs import StrictInput
from microneedling.patient import Zone
from microneedling.units import NeedleLengthMM

MAX_SESSIONS = 24
MIN_INTERVAL_WEEKS = 1.0
MAX_INTERVAL_WEEKS = 26.0
MAX_PASSES = 100


class Device(StrEnum):
    """Needling device; ``none`` is an untreated control."""

    roller = "roller"
    pen = "pen"
    stamp = "stamp"
    none = "none"

    @property
    def needles(self) -> bool:
        """True for a device that punctures the skin."""
        return self is not Device.none


def _needling(device: Device) -> Device:
    if not device.needles:
        raise ValueError("must be one of 'roller', 'pen' or 'stamp'")
    return device


NeedlingDevice = Annotated[Device, AfterValidator(_needling)]
"""A :class:`Device` that needles (``none`` refused)."""

SessionCount = Annotated[int, Field(ge=1, le=MAX_SESSIONS, description=f"sessions [1, {MAX_SESSIONS}]")]
IntervalWeeks = Annotated[float, Field(ge=MIN_INTERVAL_WEEKS, le=MAX_INTERVAL_WEEKS, allow_inf_nan=False,
                                       description="weeks between sessions [1, 26]")]
PassCount = Annotated[int, Field(ge=1, le=MAX_PASSES, description=f"passes per session [1, {MAX_PASSES}]")]


class Scale(StrEnum):
    """Outcome scales (Goodman & Baron 2006): quantitative 0-84 points, qualitative grade 1-4."""

    goodman_baron_quantitative = "goodman_baron_quantitative"
    goodman_baron_qualitative = "goodman_baron_qualitative"

    @property
    def bounds(self) -> tuple[float, float]:
        return (0.0, 84.0) if self is Scale.goodman_baron_quantitative else (1.0, 4.0)

    @property
    def unit(self) -> str:
        return "points" if self is Scale.goodman_baron_quantitative else "grade"


class Protocol(StrictInput):
    """A course of needling sessions on one zone: ``device`` with needles of ``needle_length_mm``,
    ``sessions`` sessions ``interval_weeks`` apart (the first at week 0), ``passes`` per session (default:
    the device's usual). ``device: none`` is an untreated control: the other keys are then optional."""

    device: Device
    needle_length_mm: NeedleLengthMM | None = None
    sessions: SessionCount | None = None
    interval_weeks: IntervalWeeks | None = None
    passes: PassCount | None = None
    adjunct: Literal["none"] = "none"
    zone: Zone = Zone.cheek

    @model_validator(mode="after")
    def _complete(self) -> Protocol:
        if self.device.needles:
            for key in ("needle_length_mm", "sessions", "interval_weeks"):
                if getattr(self, key) is None:
                    raise InputError(key, None, f"required when device is {self.device.value}")
        return self

    @property
    def treated(self) -> bool:
        return self.device.needles

    def session_weeks(self) -> list[float]:
        """Weeks of each session after the first (the first is week 0); empty for controls."""
        if not self.treated:
            return []
        return [i * float(self.interval_weeks) for i in range(int(self.sessions))]
