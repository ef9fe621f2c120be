"""Needle insertion: from needle geometry, spacing and speed to puncture force, dimpling and real depth.

Skin dimples under a needle before it is pierced; when a needle of nominal length ``L`` is driven home the
skin is still deflected by the dimple ``delta`` it held at puncture, so the channel is ``L - delta`` deep
(zero when ``delta >= L``: no puncture). The skin acts as an elastic foundation under each needle
(Olatunji2013's beam-on-elastic-foundation analogy), so ``delta`` scales with the puncture force:
``delta = delta_ref * F / F_ref``.

The puncture force per needle is a product of three factors:

* speed: Olatunji2013's measured force of widely spaced sharp needles, 0.028 N at 0.5 mm/s falling to
  0.0214 N at 1.0 mm/s (linear in between, held constant outside: no extrapolation);
* spacing: the bed-of-nails rise for closely spaced needles (only below about 150 um tip spacing);
* tip area: Davis2004 found the insertion force linear in the interfacial area ``A`` of the tip,
  ``F = P * A + F0`` (P = 190 N/mm2, F0 = -0.66 N, human volunteers in vivo, tip radii 30-80 um; the
  coefficients come from a secondary transcription of the paper's fit, see needle_mechanics.csv). The factor
  is ``max(1, (P * A + F0) / F_sharp)`` with ``F_sharp`` Olatunji2013's slow-speed force: below the area at
  which Davis's line meets the sharp-needle force (equivalent tip radius about 34 um) the tip area no longer
  matters, so every metal microneedle of rollers, pens and stamps (tip radius 4 um) keeps Olatunji's force.
  Davis's insertion speed was not found; his forces are put at Olatunji's quasi-static 0.5 mm/s.

``delta_ref`` is calibrated on human in vivo OCT (Donnelly2010) at hand speed, taken as at or above 1 mm/s
(a 1.5 mm needle driven home in under 1.5 s; pens stroke at up to 90 Hz). The needle is a cone-tipped shaft
(Kalluri2011 DermaRoller geometry); the channel's surface radius is the needle's radius at the surface, and
the tip's interfacial area is the disc of the tip radius.

Limits: the dimple's linear foundation is calibrated at sharp-needle forces (0.02-0.03 N); for blunt tips it
is extrapolated linearly in the Davis force and is not checked against any dimple data. Davis's per-needle
data, scatter and definition of interfacial area for his hollow needles were not found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.errors import InputError
from microneedling.params import parameter_value


def _xp(*values):
    """jax.numpy when any value is a JAX array (jit/vmap/grad), else NumPy (fast for plain floats)."""
    return jnp if any(isinstance(v, jax.Array) for v in values) else np


@dataclass(frozen=True)
class Needle:
    """A solid needle: nominal length, shaft (base) radius, tip radius and taper (radius gain per length)."""

    length_mm: float
    base_radius_um: float
    tip_radius_um: float
    taper_slope: float

    def __post_init__(self):
        for field, value in (("length_mm", self.length_mm), ("base_radius_um", self.base_radius_um),
                             ("tip_radius_um", self.tip_radius_um), ("taper_slope", self.taper_slope)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise InputError(f"needle.{field}", value, "must be a finite number >= 0")
        if self.length_mm <= 0:
            raise InputError("needle.length_mm", self.length_mm, "must be > 0")
        if self.tip_radius_um > self.base_radius_um:
            raise InputError("needle.tip_radius_um", self.tip_radius_um,
                             f"must not exceed the base radius {self.base_radius_um:g} um")

    def radius_at_um(self, distance_from_tip_um):
        """Needle radius (um) at ``distance_from_tip_um`` from the tip (array-friendly)."""
        xp = _xp(distance_from_tip_um)
        return xp.minimum(self.tip_radius_um + self.taper_slope * xp.maximum(distance_from_tip_um, 0.0),
                          self.base_radius_um)

    @property
    def tip_area_um2(self) -> float:
        """Interfacial area of the tip (um^2): the disc of the tip radius."""
        return math.pi * self.tip_radius_um**2


def standard_needle(length_mm: float) -> Needle:
    """The metal microneedle of rollers, pens and stamps (Kalluri2011 geometry) at ``length_mm``."""
    return Needle(length_mm=length_mm, base_radius_um=parameter_value("needle.base_radius_um"),
                  tip_radius_um=parameter_value("needle.tip_radius_um"),
                  taper_slope=parameter_value("needle.taper_slope"))


def bed_of_nails_factor(tip_spacing_um):
    """Puncture force relative to widely spaced needles (Olatunji2013): 1 above the ~150 um threshold, rising
    linearly to the 50 um value 0.029/0.028 below it (linear continuation under 50 um)."""
    s0 = parameter_value("insertion.bed_of_nails_tip_spacing_um")
    s1 = parameter_value("insertion.close_tip_spacing_um")
    rise = parameter_value("insertion.puncture_force_close_N") / parameter_value("insertion.puncture_force_wide_N") - 1
    xp = _xp(tip_spacing_um)
    return 1.0 + rise * xp.clip((s0 - xp.asarray(tip_spacing_um)) / (s0 - s1), 0.0, None)


def speed_force_N(speed_mm_per_s=np.inf):
    """Puncture force of widely spaced needles at an insertion speed (Olatunji2013; linear between the two
    measured speeds, held at the end values outside them)."""
    v0, v1 = parameter_value("insertion.slow_speed_mm_per_s"), parameter_value("insertion.fast_speed_mm_per_s")
    f0, f1 = parameter_value("insertion.puncture_force_wide_N"), parameter_value("insertion.puncture_force_fast_N")
    xp = _xp(speed_mm_per_s)
    w = xp.clip((xp.asarray(speed_mm_per_s, dtype=float) - v0) / (v1 - v0), 0.0, 1.0)
    return f0 + w * (f1 - f0)


def davis_force_N(tip_area_um2):
    """Davis2004's linear fit of insertion force on tip interfacial area, N: ``P * A + F0`` (A in um^2).
    Measured over forces of about 0.1-3 N; negative below the area where it crosses zero (no meaning there)."""
    pressure_N_per_um2 = 1e-6 * parameter_value("insertion.davis_puncture_pressure_MPa")  # 1 MPa = 1e-6 N/um^2
    return pressure_N_per_um2 * tip_area_um2 + parameter_value("insertion.davis_force_offset_N")


def tip_area_factor(tip_area_um2):
    """Puncture force relative to a sharp needle: ``max(1, davis_force_N(A) / F_sharp)``, with ``F_sharp``
    Olatunji2013's force of widely spaced sharp needles at 0.5 mm/s (Davis2004's speed not found)."""
    xp = _xp(tip_area_um2)
    ratio = davis_force_N(xp.asarray(tip_area_um2, dtype=float)) / parameter_value("insertion.puncture_force_wide_N")
    return xp.maximum(ratio, 1.0)


def sharp_tip_area_limit_um2() -> float:
    """Tip area (um^2) below which the tip area no longer changes the force: Davis2004's line meets F_sharp."""
    pressure_N_per_um2 = 1e-6 * parameter_value("insertion.davis_puncture_pressure_MPa")
    f_sharp = parameter_value("insertion.puncture_force_wide_N")
    return (f_sharp - parameter_value("insertion.davis_force_offset_N")) / pressure_N_per_um2


def tip_area_for_force_um2(force_N: float) -> float:
    """Tip area (um^2) at which Davis2004's line gives ``force_N`` (the inverse of :func:`davis_force_N`)."""
    pressure_N_per_um2 = 1e-6 * parameter_value("insertion.davis_puncture_pressure_MPa")
    return (force_N - parameter_value("insertion.davis_force_offset_N")) / pressure_N_per_um2


def puncture_force_N(tip_spacing_um=np.inf, speed_mm_per_s=np.inf, tip_area_um2=0.0):
    """Force per needle at which skin is pierced, N: Olatunji2013's speed effect times the bed-of-nails factor
    times the tip-area factor (Davis2004). The default tip area 0 is a sharp tip (factor 1)."""
    return speed_force_N(speed_mm_per_s) * bed_of_nails_factor(tip_spacing_um) * tip_area_factor(tip_area_um2)


def dimple_depth_um(force_N):
    """Skin deflection at puncture (um) for a puncture force (elastic foundation, calibrated on Donnelly2010 at
    hand speed, where the force of widely spaced needles is the 1.0 mm/s value)."""
    return (parameter_value("insertion.dimple_at_puncture_um") * force_N
            / parameter_value("insertion.puncture_force_fast_N"))


def penetration_depth_um(length_mm, dimple_um):
    """Real channel depth (um): nominal length minus the dimple held at puncture, never negative."""
    xp = _xp(length_mm, dimple_um)
    return xp.maximum(1e3 * xp.asarray(length_mm) - dimple_um, 0.0)


@dataclass(frozen=True)
class Insertion:
    """Result of driving one needle home (units in names)."""

    nominal_length_mm: float
    puncture_force_N: float
    dimple_depth_um: float
    penetration_depth_mm: float
    depth_sd_mm: float
    channel_radius_um: float
    pierced: bool

    @property
    def penetration_fraction(self) -> float:
        return self.penetration_depth_mm / self.nominal_length_mm


def insert(needle: Needle, tip_spacing_um: float = math.inf, speed_mm_per_s: float = math.inf) -> Insertion:
    """Insert ``needle`` into skin with neighbours ``tip_spacing_um`` apart at ``speed_mm_per_s``; its tip area
    enters the puncture force (Davis2004)."""
    force = float(puncture_force_N(tip_spacing_um, speed_mm_per_s, needle.tip_area_um2))
    dimple = float(dimple_depth_um(force))
    depth_um = float(penetration_depth_um(needle.length_mm, dimple))
    radius = float(needle.radius_at_um(depth_um)) if depth_um > 0 else 0.0
    cv = parameter_value("insertion.depth_cv_fraction")
    return Insertion(nominal_length_mm=needle.length_mm, puncture_force_N=force, dimple_depth_um=dimple,
                     penetration_depth_mm=depth_um / 1e3, depth_sd_mm=cv * depth_um / 1e3,
                     channel_radius_um=radius, pierced=depth_um > 0)
