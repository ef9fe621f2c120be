"""Patient input model: who is treated and which scars they carry, per facial zone.

Shared by the engine (skin by zone, scar response), the virtual trials and the planner.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, ValidationError

from microneedling.errors import InputError, from_validation_error
from microneedling.inputs import StrictInput
from microneedling.units import AgeYears


class Zone(StrEnum):
    """Facial treatment zones."""

    forehead = "forehead"
    temple = "temple"
    cheek = "cheek"
    nose = "nose"
    perioral = "perioral"
    chin = "chin"
    periorbital = "periorbital"


class Sex(StrEnum):
    """Sex as recorded for skin thickness (female, male)."""

    F = "F"
    M = "M"


class Fitzpatrick(StrEnum):
    """Fitzpatrick skin phototype I-VI."""

    I = "I"  # noqa: E741
    II = "II"
    III = "III"
    IV = "IV"
    V = "V"
    VI = "VI"

    @property
    def number(self) -> int:
        return ["I", "II", "III", "IV", "V", "VI"].index(self.value) + 1


class ScarType(StrEnum):
    """Atrophic acne scar morphologies (Jacob 2001 as tabulated by Fabbrocini et al. 2010, Table 1)."""

    icepick = "icepick"
    boxcar = "boxcar"
    rolling = "rolling"


SCAR_TYPES: tuple[ScarType, ...] = tuple(ScarType)
"""The atrophic scar types, in the order of every per-type array axis."""


class ScarGroup(StrictInput):
    """A group of similar scars in one zone: type, how many, typical depth and width."""

    type: ScarType
    count: Annotated[int, Field(ge=1, le=500)]
    depth_mm: Annotated[float, Field(gt=0.0, le=3.0, allow_inf_nan=False)]
    width_mm: Annotated[float, Field(gt=0.0, le=20.0, allow_inf_nan=False)]


class ZoneScars(StrictInput):
    """The scar groups of one facial zone."""

    zone: Zone
    scars: Annotated[list[ScarGroup], Field(min_length=1)]


class History(StrictInput):
    """Medical history items that bear on candidacy (the rules are in ``data/candidacy_rules.yaml``)."""

    active_acne_grade: Annotated[int, Field(ge=0, le=4)] = 0
    isotretinoin_months_ago: Annotated[float | None, Field(ge=0.0, le=600.0)] = None
    keloid_tendency: bool = False
    active_infection: bool = False
    herpes_labialis: bool = False
    anticoagulants: bool = False
    pregnant: bool = False
    immunosuppressed: bool = False
    recent_filler_or_laser_months_ago: Annotated[float | None, Field(ge=0.0, le=600.0)] = None


class Patient(StrictInput):
    """A patient: age (years), sex, Fitzpatrick phototype, medical history and scars by zone."""

    id: Annotated[str, Field(min_length=1, max_length=64)]
    age_years: AgeYears
    sex: Sex
    fitzpatrick: Fitzpatrick
    history: History = History()
    zones: Annotated[list[ZoneScars], Field(min_length=1)]


class PatientList(StrictInput):
    patients: Annotated[list[Patient], Field(min_length=1)]


def load_patients(path: str | Path) -> list[Patient]:
    """Read and validate a YAML file of patients; bad content raises :class:`InputError`."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("patients_file", str(path), "file does not exist") from None
    except yaml.YAMLError as exc:
        raise InputError("patients_file", str(path), f"not valid YAML ({type(exc).__name__})") from None
    try:
        return PatientList.model_validate(raw).patients
    except ValidationError as exc:
        raise from_validation_error(exc) from None
