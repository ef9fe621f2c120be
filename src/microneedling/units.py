"""Units: names carry them (``depth_mm``, ``thickness_um``); this module converts and range-checks.

A value's unit is the suffix of its name. :func:`convert` moves between units of one dimension and
refuses to mix dimensions, so a micrometre can never be read as a millimetre by accident.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field

from microneedling.errors import InputError

# factor to the dimension's base unit (length: m, time: s, mass: kg, force: N, area: m^2, ...)
_UNITS: dict[str, tuple[str, float]] = {
    # length
    "m": ("length", 1.0),
    "cm": ("length", 1e-2),
    "mm": ("length", 1e-3),
    "um": ("length", 1e-6),
    "nm": ("length", 1e-9),
    # time
    "s": ("time", 1.0),
    "min": ("time", 60.0),
    "h": ("time", 3600.0),
    "d": ("time", 86400.0),
    "week": ("time", 7 * 86400.0),
    "month": ("time", 30.4375 * 86400.0),
    "year": ("time", 365.25 * 86400.0),
    # force and pressure
    "N": ("force", 1.0),
    "mN": ("force", 1e-3),
    "Pa": ("pressure", 1.0),
    "kPa": ("pressure", 1e3),
    "MPa": ("pressure", 1e6),
    # area, volume
    "mm2": ("area", 1e-6),
    "um2": ("area", 1e-12),
    "cm2": ("area", 1e-4),
    "per_cm2": ("areal_density", 1e4),
    "per_mm2": ("areal_density", 1e6),
    "per_mm3": ("volume_density", 1e9),
    "ul": ("volume", 1e-9),
    # speed, frequency, diffusivity, permeability
    "mm_per_s": ("speed", 1e-3),
    "cm_per_h": ("speed", 1e-2 / 3600.0),
    "Hz": ("frequency", 1.0),
    "per_h": ("rate", 1 / 3600.0),
    "per_d": ("rate", 1 / 86400.0),
    "mm2_per_d": ("diffusivity", 1e-6 / 86400.0),
    "cm2_per_s": ("diffusivity", 1e-4),
    "um2_per_s": ("diffusivity", 1e-12),
    # mass, molar mass, concentration
    "ug": ("mass", 1e-9),
    "mg": ("mass", 1e-6),
    "Da": ("molar_mass", 1.0),
    "ug_per_cm2": ("areal_mass", 1e-9 / 1e-4),
    "mg_per_ml": ("concentration", 1.0),
    # temperature, viscosity, specific volume
    "K": ("temperature", 1.0),
    "mPa_s": ("viscosity", 1e-3),
    "cm3_per_g": ("specific_volume", 1e-3),
    # dimensionless
    "1": ("dimensionless", 1.0),
    "fraction": ("dimensionless", 1.0),
    "percent": ("dimensionless", 1e-2),
    "deg": ("angle", math.pi / 180.0),
    "years": ("time", 365.25 * 86400.0),
    "points": ("score", 1.0),
    "grade": ("score", 1.0),
}


def dimension(unit: str) -> str:
    """The physical dimension of ``unit`` (``"mm"`` -> ``"length"``)."""
    try:
        return _UNITS[unit][0]
    except KeyError:
        raise InputError("unit", unit, f"must be one of {sorted(_UNITS)}") from None


def known_units() -> list[str]:
    return sorted(_UNITS)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` from ``from_unit`` to ``to_unit`` (same dimension only)."""
    d_from, f_from = _UNITS.get(from_unit, (None, None))
    d_to, f_to = _UNITS.get(to_unit, (None, None))
    if d_from is None:
        raise InputError("unit", from_unit, f"must be one of {known_units()}")
    if d_to is None:
        raise InputError("unit", to_unit, f"must be one of {known_units()}")
    if d_from != d_to:
        raise InputError("unit", to_unit, f"cannot convert {from_unit} ({d_from}) to {to_unit} ({d_to})")
    return value * f_from / f_to


def unit_of(name: str) -> str | None:
    """The unit a name carries as its suffix (``"depth_mm"`` -> ``"mm"``), or None."""
    for unit in sorted(_UNITS, key=len, reverse=True):
        if name.endswith("_" + unit):
            return unit
    return None


def um_to_mm(value_um: float) -> float:
    return value_um * 1e-3


def mm_to_um(value_mm: float) -> float:
    return value_mm * 1e3


def check_range(field: str, value: float, low: float, high: float, unit: str = "") -> float:
    """Return ``value`` if ``low <= value <= high`` and finite, else raise :class:`InputError`."""
    u = f" {unit}" if unit else ""
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(field, value, f"must be a finite number in [{low:g}, {high:g}]{u}")
    if not (low <= value <= high):
        raise InputError(field, value, f"must be in [{low:g}, {high:g}]{u}")
    return float(value)


# Validated scalar types for pydantic input models. Limits are refusal bounds (nonsense guards), not
# clinical recommendations; clinical limits live in parameter sets with their sources.
NeedleLengthMM = Annotated[float, Field(gt=0.0, le=3.0, allow_inf_nan=False, description="needle length, mm (0, 3]")]
AgeYears = Annotated[float, Field(ge=12.0, le=100.0, allow_inf_nan=False, description="age, years [12, 100]")]
Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
PositiveWeeks = Annotated[float, Field(gt=0.0, le=520.0, allow_inf_nan=False, description="weeks (0, 520]")]
