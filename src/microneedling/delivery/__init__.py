"""Delivery: topical products through intact and needled skin. Stratum corneum permeation
(:mod:`~microneedling.delivery.permeation`, Potts-Guy), diffusion in a membrane column
(:mod:`~microneedling.delivery.membrane`), hindered diffusion in aqueous pores
(:mod:`~microneedling.delivery.pores`), channel resealing (:mod:`~microneedling.delivery.resealing`), the named
topicals (:mod:`~microneedling.delivery.topicals`) and uptake over hours after a session
(:mod:`~microneedling.delivery.uptake`). Solute molecular weights are computed from formulas
(:mod:`~microneedling.delivery.molar_mass`) and every solute number carries its provenance
(:mod:`~microneedling.delivery.solute_properties`).

Names are imported on first use: ``import microneedling.delivery`` loads no engine (and no JAX).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microneedling.lazy import lazy_exports

_MODULES = {
    "molar_mass": ("molar_mass_da",),
    "membrane": ("crank_cumulative", "crank_flux", "solve_column", "solve_column_to_compartment"),
    "permeation": ("PottsGuy", "kp_cm_per_h", "lag_time_h", "log_kp_cm_per_h"),
    "pores": ("hindered_diffusivity_cm2_per_h", "renkin_hindrance", "stokes_einstein_cm2_per_h", "stokes_radius_nm"),
    "resealing": ("Resealing", "closure_time_h", "half_closure_h", "open_fraction"),
    "topicals": ("DEFAULT_CONCENTRATION_MG_PER_ML", "Molecule", "molecule", "topical", "topical_keys"),
    "uptake": ("ChannelField", "DeliveryQuery", "DeliveryResult", "run_query", "timecourse"),
}
_API = {name: (f"microneedling.delivery.{module}", name) for module, names in _MODULES.items() for name in names}
__all__ = sorted(_API)
__getattr__ = lazy_exports(__name__, _API)


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # static tools (type checkers, the API reference) see the same names
    from microneedling.delivery.membrane import (
        crank_cumulative,
        crank_flux,
        solve_column,
        solve_column_to_compartment,
    )
    from microneedling.delivery.molar_mass import molar_mass_da
    from microneedling.delivery.permeation import PottsGuy, kp_cm_per_h, lag_time_h, log_kp_cm_per_h
    from microneedling.delivery.pores import (
        hindered_diffusivity_cm2_per_h,
        renkin_hindrance,
        stokes_einstein_cm2_per_h,
        stokes_radius_nm,
    )
    from microneedling.delivery.resealing import Resealing, closure_time_h, half_closure_h, open_fraction
    from microneedling.delivery.topicals import (
        DEFAULT_CONCENTRATION_MG_PER_ML,
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
