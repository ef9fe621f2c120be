"""Mechanics: from a needle to a per-layer injury. Devices and their needles
(:mod:`~microneedling.mechanics.devices`), real penetration with skin dimpling
(:mod:`~microneedling.mechanics.insertion`), the puncture field (:mod:`~microneedling.mechanics.punctures`), the
injury of one session by skin layer (:mod:`~microneedling.mechanics.injury`) and other modalities behind the
same :class:`Injury` (fractional CO2 laser, TCA peel, pigment risk; :mod:`~microneedling.mechanics.modalities`).
"""

from microneedling.mechanics.devices import (
    FittedDevice,
    Kinematics,
    device,
    kinematics,
    pen_punctures_per_mm2,
    stamp_punctures_per_mm2,
    stroke_pitch_mm,
)
from microneedling.mechanics.injury import (
    Injury,
    InjuryQuery,
    SessionDetails,
    max_needle_length_mm,
    session_details,
    session_injury,
)
from microneedling.mechanics.insertion import (
    Insertion,
    Needle,
    insert,
    puncture_force_N,
    standard_needle,
)
from microneedling.mechanics.modalities import (
    compare,
    fit_pih_hazard,
    fractional_co2_injury,
    pih_probability,
    pih_risk,
    tca_peel_injury,
)
from microneedling.mechanics.punctures import (
    PunctureField,
    count_distinct_holes,
    coverage_fraction,
    distinct_holes_per_cm2,
    puncture_field,
    sample_punctures,
)

__all__ = [
    "FittedDevice",
    "Injury",
    "InjuryQuery",
    "Insertion",
    "Kinematics",
    "Needle",
    "PunctureField",
    "SessionDetails",
    "compare",
    "count_distinct_holes",
    "coverage_fraction",
    "device",
    "distinct_holes_per_cm2",
    "fit_pih_hazard",
    "fractional_co2_injury",
    "insert",
    "kinematics",
    "max_needle_length_mm",
    "pen_punctures_per_mm2",
    "pih_probability",
    "pih_risk",
    "puncture_field",
    "puncture_force_N",
    "sample_punctures",
    "session_details",
    "session_injury",
    "stamp_punctures_per_mm2",
    "standard_needle",
    "stroke_pitch_mm",
    "tca_peel_injury",
]
