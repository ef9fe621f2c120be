"""Facial skin by zone: full thickness (epidermis + dermis) with spread by sex and age group.

Source: 50 MHz ultrasound of 200 adults (HFUS50MHz2019, abstract results) for forehead, eyelid
(periorbital) and cheek, age groups 20-29, 30-39, 40-49. Ages outside those groups take the nearest group
and are flagged ``extrapolated``; a missing cell takes the neighbouring age group of the same sex and zone.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from microneedling.errors import InputError
from microneedling.params import get_parameter, registry
from microneedling.patient import Sex, Zone
from microneedling.units import AgeYears

AGE_GROUPS: tuple[tuple[str, float, float], ...] = (("20-29", 20, 30), ("30-39", 30, 40), ("40-49", 40, 50))
_PREFIX = "skin.full_thickness"


@dataclass(frozen=True)
class FullThickness:
    zone: Zone
    sex: Sex
    age_group: str
    mean_mm: float
    sd_mm: float
    extrapolated: bool
    source: str


def zones_with_thickness_data() -> list[Zone]:
    names = {k.split(".")[2] for k in registry() if k.startswith(_PREFIX + ".")}
    return [z for z in Zone if z.value in names]


def _group_for_age(age_years: float) -> tuple[int, bool]:
    for i, (_, lo, hi) in enumerate(AGE_GROUPS):
        if lo <= age_years < hi:
            return i, False
    return (0 if age_years < AGE_GROUPS[0][1] else len(AGE_GROUPS) - 1), True


def full_thickness(zone: Zone | str, sex: Sex | str, age_years: float) -> FullThickness:
    """Epidermis + dermis thickness (mm, mean and SD) for a zone, sex and age."""
    try:
        zone = Zone(zone)
    except ValueError:
        raise InputError("zone", zone, f"must be one of {[z.value for z in Zone]}") from None
    try:
        sex = Sex(sex)
    except ValueError:
        raise InputError("sex", sex, "must be F or M") from None
    available = zones_with_thickness_data()
    if zone not in available:
        raise InputError("zone", zone.value, f"no thickness data yet; zones with data: {[z.value for z in available]}")
    idx, extrapolated = _group_for_age(age_years)
    # try the patient's age group first, then its neighbours by distance
    order = sorted(range(len(AGE_GROUPS)), key=lambda j: abs(j - idx))
    for j in order:
        group = AGE_GROUPS[j][0]
        key = f"{_PREFIX}.{zone.value}.{sex.value}.{group}"
        if f"{key}.mean_mm" in registry():
            mean = get_parameter(f"{key}.mean_mm")
            sd = get_parameter(f"{key}.sd_mm")
            return FullThickness(zone, sex, group, mean.value, sd.value, extrapolated or j != idx, mean.source)
    raise InputError("zone", zone.value, f"no thickness data for sex {sex.value}")


class SkinQuery(BaseModel):
    """Validated input of a skin look-up."""

    model_config = ConfigDict(extra="forbid")
    zone: Zone
    sex: Sex = Sex.F
    age_years: AgeYears = 30.0
