"""Validated inputs of commands whose engine has no input model of its own. A module apart, imported by the
command when it runs, so that building the model (and loading the patient and protocol vocabularies) does not
slow ``microneedling --help``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

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
