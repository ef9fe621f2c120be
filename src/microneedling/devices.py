"""Microneedling devices: roller, pen and stamp, with their needles and puncture density per pass.

Roller: 192 needles in 8 rows (NairArora2014); its density per pass is calibrated on Fernandes2005's
~250 holes/cm2 after 15 passes. Pen: 11 needles, up to 90 Hz, 0.25-2.5 mm (Wilson2012Dermapen). No per-pass
density was found for pens and stamps; they are set to the roller's (devices.csv says so row by row).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from microneedling.errors import InputError
from microneedling.insertion import Needle, standard_needle
from microneedling.params import get_parameter, parameter_value, registry

DeviceName = Literal["roller", "pen", "stamp"]
DEVICES: tuple[str, ...] = ("roller", "pen", "stamp")


@dataclass(frozen=True)
class Device:
    """A device with its needle and how densely one pass punctures (per cm2, before overlap)."""

    name: str
    needle: Needle
    holes_per_pass_per_cm2: float
    usual_passes: int
    needle_count: int | None
    stroke_frequency_Hz: float | None
    source: str

    @property
    def insertion_speed_mm_per_s(self) -> float:
        """Needle speed into the skin: a pen stroke covers the needle length down and back each cycle
        (2 L f, derived from the stroke frequency); hand-driven rollers and stamps: at or above 1 mm/s, the
        fastest speed measured (Olatunji2013), returned as infinity (the force is held beyond it)."""
        if self.stroke_frequency_Hz:
            return 2.0 * self.needle.length_mm * self.stroke_frequency_Hz
        return math.inf

    @property
    def in_pass_spacing_um(self) -> float:
        """Mean spacing of the punctures of one pass (um): 1/sqrt(density), used for the bed-of-nails test."""
        return 1e4 / self.holes_per_pass_per_cm2**0.5


def device(name: str, needle_length_mm: float) -> Device:
    """The device ``name`` fitted with needles of ``needle_length_mm``."""
    if name not in DEVICES:
        raise InputError("device", name, f"must be one of {list(DEVICES)}")
    key = f"device.{name}"
    count_key = f"{key}.needle_count"
    freq_key = f"{key}.stroke_frequency_Hz"
    density = get_parameter(f"{key}.holes_per_pass_per_cm2")
    return Device(
        name=name, needle=standard_needle(needle_length_mm), holes_per_pass_per_cm2=density.value,
        usual_passes=int(parameter_value(f"{key}.usual_passes")),
        needle_count=int(parameter_value(count_key)) if count_key in registry() else None,
        stroke_frequency_Hz=parameter_value(freq_key) if freq_key in registry() else None,
        source=density.source,
    )
