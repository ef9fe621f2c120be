"""Delivery: topical products through intact and needled skin. Stratum corneum permeation
(:mod:`~microneedling.delivery.permeation`, Potts-Guy), diffusion in a membrane column
(:mod:`~microneedling.delivery.membrane`), hindered diffusion in aqueous pores
(:mod:`~microneedling.delivery.pores`), channel resealing (:mod:`~microneedling.delivery.resealing`), the named
topicals (:mod:`~microneedling.delivery.topicals`) and uptake over hours after a session
(:mod:`~microneedling.delivery.uptake`).
"""

from microneedling.delivery.membrane import (
    crank_cumulative,
    crank_flux,
    solve_column,
    solve_column_to_compartment,
)
from microneedling.delivery.permeation import (
    PottsGuy,
    kp_cm_per_h,
    lag_time_h,
    log_kp_cm_per_h,
)
from microneedling.delivery.pores import (
    hindered_diffusivity_cm2_per_h,
    renkin_hindrance,
    stokes_einstein_cm2_per_h,
    stokes_radius_nm,
)
from microneedling.delivery.resealing import (
    Resealing,
    closure_time_h,
    half_closure_h,
    open_fraction,
)
from microneedling.delivery.topicals import (
    Molecule,
    molecule,
    topical,
    topical_keys,
)
from microneedling.delivery.uptake import (
    ChannelField,
    DeliveryQuery,
    DeliveryResult,
    run_query,
    timecourse,
)

__all__ = [
    "ChannelField",
    "DeliveryQuery",
    "DeliveryResult",
    "Molecule",
    "PottsGuy",
    "Resealing",
    "closure_time_h",
    "crank_cumulative",
    "crank_flux",
    "half_closure_h",
    "hindered_diffusivity_cm2_per_h",
    "kp_cm_per_h",
    "lag_time_h",
    "log_kp_cm_per_h",
    "molecule",
    "open_fraction",
    "renkin_hindrance",
    "run_query",
    "solve_column",
    "solve_column_to_compartment",
    "stokes_einstein_cm2_per_h",
    "stokes_radius_nm",
    "timecourse",
    "topical",
    "topical_keys",
]
