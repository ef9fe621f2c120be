"""Microneedling devices: roller, pen and stamp, with their needles and puncture density per pass.

Roller: 192 needles in 8 rows (NairArora2014); its density per pass is calibrated on Fernandes2005's
~250 holes/cm2 after 15 passes. Pen: 11 needles, up to 90 Hz, 0.25-2.5 mm (Wilson2012Dermapen).

Pen and stamp density from kinematics (:func:`pen_punctures_per_mm2`, :func:`stamp_punctures_per_mm2`) when
the provider gives the glide speed and cartridge footprint (pen) or the needle count and footprint area
(stamp). No published glide speed, cartridge footprint or stamp area was found, so these have no defaults:
without them the pen and the stamp keep the roller-equivalent density of devices.csv (``derived`` rows), and
:attr:`FittedDevice.density_basis` says which basis was used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, ValidationError

from microneedling.errors import InputError, from_validation_error
from microneedling.inputs import StrictInput
from microneedling.mechanics.insertion import Needle, standard_needle
from microneedling.params import get_parameter, parameter_value, registry
from microneedling.protocol import Device

DEVICES: tuple[str, ...] = tuple(d.value for d in Device if d.needles)

KINEMATICS = "kinematics"
ROLLER_EQUIVALENT = "roller-equivalent default"
CALIBRATED_ROLLER = "calibrated roller pass"

PEN_OPTIONS = ("needle_count", "stroke_frequency_Hz", "glide_speed_mm_per_s", "footprint_width_mm",
               "footprint_length_mm")
STAMP_OPTIONS = ("needle_count", "stamp_area_mm2")
KINEMATIC_OPTIONS = PEN_OPTIONS + ("stamp_area_mm2",)


def pen_punctures_per_mm2(needle_count, stroke_frequency_Hz, glide_speed_mm_per_s, footprint_width_mm):
    """Punctures per mm2 that one pass of a pen leaves on the strip it covers: ``N f / (v w)``.

    Derivation: gliding at ``v`` (mm/s) and stroking at ``f`` (1/s), the pen makes ``f / v`` strokes per mm of
    travel; each stroke drives ``N`` needles into a strip ``w`` (mm) wide, so one mm of travel covers ``w``
    mm2 with ``N f / v`` punctures. Units: 1 * s^-1 / (mm s^-1 * mm) = mm^-2. Example: N = 11, f = 90 Hz
    (Wilson2012Dermapen), v = 10 mm/s, w = 5 mm: 990 / 50 = 19.8 /mm2 = 1980 /cm2. Works on floats and JAX
    arrays (jit, vmap, grad).
    """
    return needle_count * stroke_frequency_Hz / (glide_speed_mm_per_s * footprint_width_mm)


def stroke_pitch_mm(glide_speed_mm_per_s, stroke_frequency_Hz):
    """Distance travelled between two strokes of a pen, ``v / f`` (mm); strokes overlap when it is shorter
    than the cartridge footprint's length along the motion."""
    return glide_speed_mm_per_s / stroke_frequency_Hz


def stamp_punctures_per_mm2(needle_count, stamp_area_mm2):
    """Punctures per mm2 of one stamping: ``N / A`` (needles over the footprint area, mm2)."""
    return needle_count / stamp_area_mm2


# Refusal bounds (nonsense guards, not recommendations). Face zones are a few cm across: a cartridge or stamp
# footprint wider than 30 mm (900 mm2) could not be laid flat on the nose or around the eyes. A hand glide
# faster than 1 m/s would cross the whole face in a fraction of a second.
FOOTPRINT_MAX_MM = 30.0
GLIDE_SPEED_MAX_MM_PER_S = 1000.0


class Kinematics(StrictInput):
    """Optional pen/stamp kinematics given by the provider (units in names; None = not given)."""

    needle_count: Annotated[int, Field(ge=1, le=10000, description="needles per cartridge or stamp")] | None = None
    stroke_frequency_Hz: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] | None = None
    glide_speed_mm_per_s: Annotated[float, Field(gt=0.0, le=GLIDE_SPEED_MAX_MM_PER_S, allow_inf_nan=False,
                                                 description="pen speed over the skin, mm/s (0, 1000]")] | None = None
    footprint_width_mm: Annotated[float, Field(gt=0.0, le=FOOTPRINT_MAX_MM, allow_inf_nan=False,
                                               description="cartridge width across the motion, mm (0, 30]")] | None = None
    footprint_length_mm: Annotated[float, Field(gt=0.0, le=FOOTPRINT_MAX_MM, allow_inf_nan=False,
                                                description="cartridge length along the motion, mm (0, 30]")] | None = None
    stamp_area_mm2: Annotated[float, Field(gt=0.0, le=FOOTPRINT_MAX_MM**2, allow_inf_nan=False,
                                           description="stamp footprint, mm2 (0, 900]")] | None = None

    def given(self) -> dict:
        """The options that were given (not None)."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


def kinematics(**options) -> Kinematics:
    """Validate kinematic options (ranges only; :func:`device` checks they belong to the device)."""
    try:
        return Kinematics(**options)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def _in_registry_range(name: str, field: str, value: float, unit: str) -> None:
    p = get_parameter(name)
    if not p.low <= value <= p.high:
        raise InputError(field, value, f"must be in [{p.low:g}, {p.high:g}] {unit} (devices.csv bounds of {name})")


def _packing_check(field: str, value: float, area_per_needle_mm2: float) -> None:
    """Needles cannot stand closer than their shaft diameter: area per needle >= (2 r_base)^2."""
    d_mm = 2.0 * parameter_value("needle.base_radius_um") / 1e3
    if area_per_needle_mm2 < d_mm**2:
        raise InputError(field, value, f"leaves {area_per_needle_mm2:.4g} mm2 per needle; needles of "
                         f"{1e3 * d_mm:g} um shaft need at least {d_mm**2:.4g} mm2 each")


def _check_for(name: str, k: Kinematics) -> None:
    """Refuse options that do not belong to ``name`` or that are incomplete (one-line InputError)."""
    given = k.given()
    allowed = {"roller": (), "pen": PEN_OPTIONS, "stamp": STAMP_OPTIONS}[name]
    for field, value in given.items():
        if field not in allowed:
            owner = "the pen" if field in PEN_OPTIONS and field not in STAMP_OPTIONS else (
                "the stamp" if field not in PEN_OPTIONS else "the pen and the stamp")
            raise InputError(field, value, f"applies to {owner} only, not to device = {name}")
    if name == "pen":
        density = ("glide_speed_mm_per_s", "footprint_width_mm")
        if any(f in given for f in density + ("needle_count", "footprint_length_mm")):
            for f in density:
                if f not in given:
                    present = next(g for g in density + ("needle_count", "footprint_length_mm") if g in given)
                    raise InputError(f, None, f"required with {present} (pen density N f / (v w) needs both "
                                     "glide_speed_mm_per_s and footprint_width_mm)")
        if k.needle_count is not None:
            _in_registry_range("device.pen.needle_count", "needle_count", k.needle_count, "needles")
        if k.stroke_frequency_Hz is not None:
            _in_registry_range("device.pen.stroke_frequency_Hz", "stroke_frequency_Hz", k.stroke_frequency_Hz, "Hz")
        if k.footprint_length_mm is not None:
            n = k.needle_count or int(parameter_value("device.pen.needle_count"))
            _packing_check("footprint_length_mm", k.footprint_length_mm,
                           k.footprint_width_mm * k.footprint_length_mm / n)
    elif name == "stamp" and given:
        for f in STAMP_OPTIONS:
            if f not in given:
                other = next(g for g in STAMP_OPTIONS if g in given)
                raise InputError(f, None, f"required with {other} (stamp density N / A needs both)")
        _packing_check("needle_count", k.needle_count, k.stamp_area_mm2 / k.needle_count)


@dataclass(frozen=True)
class FittedDevice:
    """A device fitted with its needle and how densely one pass punctures (per cm2, before overlap).

    ``density_basis``: "calibrated roller pass" (roller), "kinematics" (pen/stamp density from the given
    needle count, stroke frequency, glide speed and footprint) or "roller-equivalent default" (pen/stamp
    without kinematics: the roller's per-pass density, devices.csv ``derived`` rows).
    """

    name: str
    needle: Needle
    holes_per_pass_per_cm2: float
    usual_passes: int
    needle_count: int | None
    stroke_frequency_Hz: float | None
    source: str
    density_basis: str = ROLLER_EQUIVALENT
    glide_speed_mm_per_s: float | None = None
    footprint_width_mm: float | None = None
    footprint_length_mm: float | None = None
    stamp_area_mm2: float | None = None

    @property
    def insertion_speed_mm_per_s(self) -> float:
        """Needle speed into the skin: a pen stroke covers the needle length down and back each cycle
        (2 L f, derived from the stroke frequency); hand-driven rollers and stamps: at or above 1 mm/s, the
        fastest speed measured (Olatunji2013), returned as infinity (the force is held beyond it)."""
        if self.stroke_frequency_Hz:
            return 2.0 * self.needle.length_mm * self.stroke_frequency_Hz
        return math.inf

    @property
    def stroke_pitch_mm(self) -> float | None:
        """Pen travel between strokes, v / f (mm); None without a glide speed."""
        if self.glide_speed_mm_per_s is None or not self.stroke_frequency_Hz:
            return None
        return stroke_pitch_mm(self.glide_speed_mm_per_s, self.stroke_frequency_Hz)

    @property
    def strokes_overlap(self) -> bool | None:
        """Whether successive pen strokes overlap (pitch < footprint length); None when either is unknown."""
        pitch = self.stroke_pitch_mm
        if pitch is None or self.footprint_length_mm is None:
            return None
        return pitch < self.footprint_length_mm

    @property
    def in_pass_spacing_um(self) -> float:
        """Mean spacing of the punctures of one pass (um), used for the bed-of-nails test: 1/sqrt(density).

        A pen whose strokes do not overlap (pitch >= footprint length L) leaves separate stroke patches, each
        with N needles over w L: their spacing is sqrt(w L / N), closer than the pass average; overlapping
        strokes merge into the pass density, sqrt(w pitch / N). So sqrt(w min(pitch, L) / N) when L is known.
        """
        pitch = self.stroke_pitch_mm
        if pitch is not None and self.footprint_length_mm is not None:
            return 1e3 * math.sqrt(self.footprint_width_mm * min(pitch, self.footprint_length_mm)
                                   / self.needle_count)
        return 1e4 / self.holes_per_pass_per_cm2**0.5


def device(name: str, needle_length_mm: float, **kinematic_options) -> FittedDevice:
    """The device ``name`` fitted with needles of ``needle_length_mm``.

    Optional keyword options (pen: needle_count, stroke_frequency_Hz, glide_speed_mm_per_s, footprint_width_mm,
    footprint_length_mm; stamp: needle_count, stamp_area_mm2) set the per-pass density from kinematics; a pen's
    needle count and stroke frequency default to Wilson2012Dermapen's. Options that do not belong to the device
    or come without their partner are refused with :class:`InputError`.
    """
    if name not in DEVICES:
        raise InputError("device", name, f"must be one of {list(DEVICES)}")
    k = kinematics(**kinematic_options)
    _check_for(name, k)
    key = f"device.{name}"
    count_key = f"{key}.needle_count"
    freq_key = f"{key}.stroke_frequency_Hz"
    density = get_parameter(f"{key}.holes_per_pass_per_cm2")
    needle_count = int(parameter_value(count_key)) if count_key in registry() else None
    frequency = parameter_value(freq_key) if freq_key in registry() else None
    needle_count = k.needle_count if k.needle_count is not None else needle_count
    frequency = k.stroke_frequency_Hz if k.stroke_frequency_Hz is not None else frequency
    per_pass, source = density.value, density.source
    basis = CALIBRATED_ROLLER if name == "roller" else ROLLER_EQUIVALENT
    if name == "pen" and k.glide_speed_mm_per_s is not None:
        per_pass = 100.0 * pen_punctures_per_mm2(needle_count, frequency, k.glide_speed_mm_per_s,
                                                 k.footprint_width_mm)
        basis, source = KINEMATICS, "given kinematics, N f / (v w)"
    elif name == "stamp" and k.stamp_area_mm2 is not None:
        per_pass = 100.0 * stamp_punctures_per_mm2(k.needle_count, k.stamp_area_mm2)
        basis, source = KINEMATICS, "given kinematics, N / A"
    return FittedDevice(
        name=str(name), needle=standard_needle(needle_length_mm), holes_per_pass_per_cm2=per_pass,
        usual_passes=int(parameter_value(f"{key}.usual_passes")),
        needle_count=needle_count, stroke_frequency_Hz=frequency, source=source, density_basis=basis,
        glide_speed_mm_per_s=k.glide_speed_mm_per_s, footprint_width_mm=k.footprint_width_mm,
        footprint_length_mm=k.footprint_length_mm, stamp_area_mm2=k.stamp_area_mm2,
    )
