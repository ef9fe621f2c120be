"""Healing: wound healing and collagen remodelling after needling, over days to months and session after session.

Modules: :mod:`~microneedling.healing.model` (species, parameters, kinetics, the dose of an injury),
:mod:`~microneedling.healing.solvers` (per-patient exponential Runge-Kutta path and the diffrax reference),
:mod:`~microneedling.healing.cohort` (one grid for a whole cohort, batched and sharded over the cores),
:mod:`~microneedling.healing.resolution` (one session's macrophage time course, its peak day and half-life, and
the fit of the rates that set them) and
:mod:`~microneedling.healing.spatial` (micro-wounds spreading and merging in a tissue plane). The per-patient
and cohort solvers share one signature: ``solver(params, age_factor[n], session_days, session_doses,
t_eval_days, alignment=...) -> states[T, n, species]``.
"""

from microneedling.healing.cohort import simulate_cohort, simulate_cohort_chunked, time_grid
from microneedling.healing.model import (
    C1,
    C3,
    MF,
    MI,
    MMP,
    MR,
    N_SPECIES,
    SPECIES,
    A,
    E,
    F,
    HealingParams,
    P,
    Q,
    T,
    age_factor,
    baseline_state,
    default_healing_params,
    injury_dose,
    kinetics,
    kinetics_with_baseline,
    macrophage_baseline,
)
from microneedling.healing.resolution import (
    MacrophageCourse,
    fit_macrophage_resolution,
    macrophage_ratio,
    single_session_course,
)
from microneedling.healing.solvers import (
    COUPLINGS,
    MODE_PATTERN,
    LinearModes,
    apply_modes,
    etd_coefficients,
    etdrk4_step,
    linear_couplings,
    linear_modes,
    linear_rates,
    mode_remainder,
    simulate,
    simulate_patients,
    simulate_reference,
)

__all__ = [
    "A", "C1", "C3", "E", "F", "MF", "MI", "MMP", "MR", "N_SPECIES", "P", "Q", "SPECIES", "T",
    "COUPLINGS", "HealingParams", "LinearModes", "MacrophageCourse", "MODE_PATTERN", "age_factor", "apply_modes", "baseline_state", "default_healing_params",
    "etd_coefficients", "etdrk4_step", "injury_dose", "kinetics", "kinetics_with_baseline", "linear_couplings",
    "linear_modes", "linear_rates", "macrophage_baseline", "macrophage_ratio", "fit_macrophage_resolution", "mode_remainder", "simulate", "simulate_cohort",
    "simulate_cohort_chunked", "simulate_patients", "simulate_reference", "single_session_course", "time_grid",
]
