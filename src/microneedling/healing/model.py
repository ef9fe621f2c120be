"""Wound healing and collagen remodelling after needling: an ODE over days to months, session after session.

Time is in days. Species, on the last axis of the state (named index constants below):

``P``    platelet / damage signal released by the injury (dimensionless; a session adds its dose)
``Q``    monocyte-recruiting signal (chemokine) released from ``P`` (dimensionless, per unit dose)
``MI``   inflammatory macrophages   } Waugh & Sherratt 2006 (BIOMD0000000680) units: cells per unit
``MR``   repair macrophages         } volume, TGF-b concentration as in that model
``T``    TGF-b
``F``    fibroblasts, relative to the unwounded density (1 = baseline)
``MF``   myofibroblasts, relative to the unwounded fibroblast density
``C3``   collagen III, relative to the zone's baseline (1 = baseline)
``C1``   collagen I, relative to baseline
``MMP``  matrix metalloproteinase activity, relative to baseline
``E``    elastin, relative to baseline
``A``    collagen alignment order parameter, 0 (basket-weave) to 1 (fully aligned); the collagen-mass
         weighted alignment. Quiescent turnover lays collagen along the existing matrix (contact guidance),
         so A only moves while wound-driven synthesis lays new collagen at its own alignment

Equations. The macrophage/TGF-b core is the Waugh & Sherratt (2006) model as curated in BioModels
(BIOMD0000000680): influx K(T) = tau1 T^3 + tau2 T^2 + tau3 T + tau4 split alpha : (1 - alpha) between
phenotypes, logistic proliferation k1 k2 phi (1 - k3 (phiI + phiR)), death d1 phi, TGF-b made by
inflammatory macrophages k4 phiI and lost at d2. Departures, and why:

* The wound is an input, not an initial condition: a session adds ``dose`` to ``P``, which decays at the rate
  of post-needling erythema, releases TGF-b (platelets) and the monocyte-recruiting signal ``Q``. ``Q`` decays
  at ``recruitment_decay_per_d`` and drives the extra macrophage influx, so monocytes arrive over days and the
  macrophage count peaks days after the injury (not within hours, as a direct drive by ``P`` gave). Per unit
  dose the influx and the TGF-b release integrate to Waugh & Sherratt's wound state (400 macrophages,
  TGF-b 6). So sessions compose: each adds a wound on top of whatever the tissue is doing, and a session on
  a still-inflamed wound adds its own influx to what is left of the last one.
* ``alpha`` (inflammatory share of the influx) is 0.8 in the curated (diabetic) model, which has a second,
  chronic-inflammation steady state that a unit wound falls into; normal healing needs a lower share
  (the paper's thesis is exactly that the diabetic share is higher). ``alpha`` and the recruitment decay
  are fitted together (:func:`microneedling.healing.resolution.fit_macrophage_resolution`) so that one
  session's macrophages peak on the day and fall with the half-life of ``healing_kinetics.csv``.
* K(T) is floored at zero (the cubic turns negative above T ~ 9, outside the model's range).
* Fibroblasts, myofibroblasts, collagen III and I, MMP, elastin and alignment follow the structure of the
  continuum parts of Cumming et al. 2010 and McDougall et al. 2006 (TGF-b-driven fibroblast proliferation
  and myofibroblast differentiation, collagen synthesis by (myo)fibroblasts, MMP-driven degradation,
  alignment carried by newly laid collagen) but written as a well-mixed ODE about the unwounded steady
  state, so every species is 1 (or its baseline) until a session. Their rates are calibrated; each row of
  ``healing_kinetics.csv`` says against what.
* Age scales the wound-driven part of collagen and elastin synthesis by the young/old fibroblast procollagen
  ratio of Varani et al. 2006 (82 vs 56 ng/ml), linear in age between the two groups.

Solvers are in :mod:`microneedling.healing.solvers` (per patient, reference) and
:mod:`microneedling.healing.cohort` (batched).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from microneedling.mechanics.injury import Injury
from microneedling.params import parameter_value

# species order on the last axis
P, Q, MI, MR, T, F, MF, C3, C1, MMP, E, A = range(12)
N_SPECIES = 12
SPECIES = ("P", "Q", "MI", "MR", "T", "F", "MF", "C3", "C1", "MMP", "E", "A")


class HealingParams(NamedTuple):
    """All rates of the healing model (float64 scalars; a pytree, so vmap over a batch of them works)."""

    # Waugh & Sherratt 2006 core
    alpha: jax.Array  # inflammatory share of macrophage influx
    k1: jax.Array  # proliferating fraction
    k2_per_d: jax.Array  # proliferation rate
    k3: jax.Array  # 1 / carrying capacity
    k4: jax.Array  # TGF-b production per inflammatory macrophage, per day
    d1_per_d: jax.Array  # macrophage death
    d2_per_d: jax.Array  # TGF-b decay
    tau1: jax.Array
    tau2: jax.Array
    tau3: jax.Array
    tau4: jax.Array
    wound_macrophages: jax.Array  # macrophage influx integral per unit dose
    wound_tgfb: jax.Array  # TGF-b release integral per unit dose
    # injury signal
    signal_decay_per_d: jax.Array
    recruitment_decay_per_d: jax.Array  # decay of the monocyte-recruiting signal Q
    # fibroblasts and myofibroblasts
    tgfb_half_activation: jax.Array  # TGF-b above baseline giving half-maximal activation
    fibroblast_proliferation_per_d: jax.Array
    fibroblast_capacity: jax.Array  # (F + MF) ceiling, relative
    fibroblast_return_per_d: jax.Array
    myofibroblast_differentiation_per_d: jax.Array
    myofibroblast_clearance_per_d: jax.Array
    myofibroblast_synthesis_weight: jax.Array
    # collagen, MMP, elastin
    collagen3_turnover_per_d: jax.Array
    collagen1_turnover_per_d: jax.Array
    collagen3_synthesis_gain: jax.Array
    collagen1_synthesis_gain: jax.Array
    collagen3_tgfb_gain: jax.Array
    mmp_relaxation_per_d: jax.Array
    mmp_macrophage_weight: jax.Array
    elastin_turnover_per_d: jax.Array
    elastin_synthesis_gain: jax.Array
    # alignment
    alignment_baseline: jax.Array  # alignment of wound-laid collagen without TGF-b activation
    alignment_tgfb_gain: jax.Array  # extra alignment of collagen laid down at full TGF-b activation
    collagen1_fraction: jax.Array  # share of type I in dermal collagen (I + III)
    # patient
    age_factor: jax.Array  # multiplies wound-driven synthesis (1 young, Varani ratio at 80+)


_CSV_NAMES = {
    "alpha": "healing.alpha",
    "k1": "healing.ws.k1",
    "k2_per_d": "healing.ws.k2_per_d",
    "k3": "healing.ws.k3",
    "k4": "healing.ws.k4",
    "d1_per_d": "healing.ws.d1_per_d",
    "d2_per_d": "healing.ws.d2_per_d",
    "tau1": "healing.ws.tau1",
    "tau2": "healing.ws.tau2",
    "tau3": "healing.ws.tau3",
    "tau4": "healing.ws.tau4",
    "wound_macrophages": "healing.ws.wound_macrophages",
    "wound_tgfb": "healing.ws.wound_tgfb",
    "signal_decay_per_d": "healing.signal_decay_per_d",
    "recruitment_decay_per_d": "healing.recruitment_decay_per_d",
    "tgfb_half_activation": "healing.tgfb_half_activation",
    "fibroblast_proliferation_per_d": "healing.fibroblast_proliferation_per_d",
    "fibroblast_capacity": "healing.fibroblast_capacity",
    "fibroblast_return_per_d": "healing.fibroblast_return_per_d",
    "myofibroblast_differentiation_per_d": "healing.myofibroblast_differentiation_per_d",
    "myofibroblast_clearance_per_d": "healing.myofibroblast_clearance_per_d",
    "myofibroblast_synthesis_weight": "healing.myofibroblast_synthesis_weight",
    "collagen3_turnover_per_d": "healing.collagen3_turnover_per_d",
    "collagen1_turnover_per_d": "healing.collagen1_turnover_per_d",
    "collagen3_synthesis_gain": "healing.collagen3_synthesis_gain",
    "collagen1_synthesis_gain": "healing.collagen1_synthesis_gain",
    "collagen3_tgfb_gain": "healing.collagen3_tgfb_gain",
    "mmp_relaxation_per_d": "healing.mmp_relaxation_per_d",
    "mmp_macrophage_weight": "healing.mmp_macrophage_weight",
    "elastin_turnover_per_d": "healing.elastin_turnover_per_d",
    "elastin_synthesis_gain": "healing.elastin_synthesis_gain",
    "alignment_baseline": "healing.alignment_baseline",
    "alignment_tgfb_gain": "healing.alignment_tgfb_gain",
    "collagen1_fraction": "healing.collagen1_fraction",
}


def age_factor(age_years):
    """Wound-driven synthesis relative to a young adult (Varani 2006: 56/82 at 80+, 1 at 18-29; linear);
    ``age_years`` may be a number or an array of ages."""
    young = parameter_value("healing.age.young_years")
    old = parameter_value("healing.age.old_years")
    ratio = parameter_value("healing.age.procollagen_ratio_old_to_young")
    u = jnp.clip((jnp.asarray(age_years, dtype=jnp.float64) - young) / (old - young), 0.0, 1.0)
    return 1.0 - (1.0 - ratio) * u


def default_healing_params(age_years: float = 30.0, **overrides: float) -> HealingParams:
    """The parameter set from ``data/parameters/healing_*.csv`` for a patient of ``age_years``."""
    values = {field: parameter_value(name) for field, name in _CSV_NAMES.items()}
    values["age_factor"] = age_factor(age_years)
    for k, v in overrides.items():
        if k not in values:
            raise KeyError(f"unknown healing parameter {k!r}")
        values[k] = v
    return HealingParams(**{k: jnp.asarray(v, dtype=jnp.float64) for k, v in values.items()})


# --- the reaction right-hand side ------------------------------------------------------------------


def _influx(T_, p: HealingParams):
    return jnp.maximum(((p.tau1 * T_ + p.tau2) * T_ + p.tau3) * T_ + p.tau4, 0.0)


@jax.jit
def macrophage_baseline(p: HealingParams) -> tuple[jax.Array, jax.Array]:
    """Unwounded steady state of the macrophage/TGF-b core: (total macrophages, TGF-b), lower root.

    Jitted: called eagerly (outside a traced solver), its Newton ``lax.scan`` would trace a new closure and
    compile a new XLA program on every call, each kept in JAX's primitive cache, so a long-lived process
    (a sweep worker) grew with every call; jitted at module level it compiles once per input type."""

    def g(phi):
        t = p.k4 * p.alpha * phi / p.d2_per_d
        return _influx(t, p) + (p.k1 * p.k2_per_d * (1.0 - p.k3 * phi) - p.d1_per_d) * phi

    def newton(phi, _):
        return phi - g(phi) / jax.grad(g)(phi), None

    phi, _ = jax.lax.scan(newton, jnp.asarray(1.0, dtype=jnp.float64) * p.tau4 / p.d1_per_d, None, length=40)
    return phi, p.k4 * p.alpha * phi / p.d2_per_d


def _activation(T_, T0, p: HealingParams):
    """TGF-b activation of fibroblasts above the unwounded level, 0 at baseline, saturating toward 1."""
    h = p.tgfb_half_activation
    s = T_ - T0
    return jnp.where(s > 0.0, s / (h + jnp.abs(s)), 0.0)


def kinetics(y: jax.Array, p: HealingParams) -> jax.Array:
    """dy/dt (per day) of the reaction system, acting on the last axis of ``y`` (works on spatial grids)."""
    phi0, T0 = macrophage_baseline(p)
    return kinetics_with_baseline(y, p, phi0, T0)


def kinetics_with_baseline(y, p: HealingParams, phi0, T0):
    sig, chem, mi, mr, tg, fb, mf, c3, c1, mmp, el, al = (y[..., i] for i in range(N_SPECIES))
    influx = _influx(tg, p)
    total = mi + mr
    growth = p.k1 * p.k2_per_d * (1.0 - p.k3 * total)
    recruit = p.wound_macrophages * p.recruitment_decay_per_d * chem
    d_sig = -p.signal_decay_per_d * sig
    d_chem = p.signal_decay_per_d * sig - p.recruitment_decay_per_d * chem
    d_mi = p.alpha * (influx + recruit) + growth * mi - p.d1_per_d * mi
    d_mr = (1.0 - p.alpha) * (influx + recruit) + growth * mr - p.d1_per_d * mr
    d_tg = p.k4 * mi - p.d2_per_d * tg + p.wound_tgfb * p.signal_decay_per_d * sig

    act = _activation(tg, T0, p)
    d_fb = (p.fibroblast_proliferation_per_d * act * fb * (1.0 - (fb + mf) / p.fibroblast_capacity)
            - p.fibroblast_return_per_d * (fb - 1.0) - p.myofibroblast_differentiation_per_d * act * fb)
    d_mf = p.myofibroblast_differentiation_per_d * act * fb - p.myofibroblast_clearance_per_d * mf

    cells = fb + p.myofibroblast_synthesis_weight * mf  # collagen-making cells, 1 at baseline
    excess = cells - 1.0
    syn3 = 1.0 + p.age_factor * p.collagen3_synthesis_gain * (cells * (1.0 + p.collagen3_tgfb_gain * act) - 1.0)
    syn1 = 1.0 + p.age_factor * p.collagen1_synthesis_gain * excess
    syn3 = jnp.maximum(syn3, 0.0)
    syn1 = jnp.maximum(syn1, 0.0)
    d_c3 = p.collagen3_turnover_per_d * (syn3 - mmp * c3)
    d_c1 = p.collagen1_turnover_per_d * (syn1 - mmp * c1)

    target = p.mmp_macrophage_weight * total / phi0 + (1.0 - p.mmp_macrophage_weight) * (fb + mf)
    d_mmp = p.mmp_relaxation_per_d * (target - mmp)
    syn_e = jnp.maximum(1.0 + p.elastin_synthesis_gain * (c1 - 1.0), 0.0)  # fibre assembly follows collagen I
    d_el = p.elastin_turnover_per_d * (syn_e - mmp * el)

    # alignment (collagen-mass weighted): quiescent turnover lays collagen along the existing matrix (contact
    # guidance, Dallon-Sherratt-Maini), so only the wound-driven excess synthesis, laid at a_new, moves it
    w1 = p.collagen1_fraction
    laid = (w1 * p.collagen1_turnover_per_d * jnp.maximum(syn1 - 1.0, 0.0)
            + (1.0 - w1) * p.collagen3_turnover_per_d * jnp.maximum(syn3 - 1.0, 0.0))
    mass = w1 * c1 + (1.0 - w1) * c3
    a_new = p.alignment_baseline + (1.0 - p.alignment_baseline) * p.alignment_tgfb_gain * act
    d_al = laid / jnp.maximum(mass, 1e-12) * (a_new - al)
    return jnp.stack([d_sig, d_chem, d_mi, d_mr, d_tg, d_fb, d_mf, d_c3, d_c1, d_mmp, d_el, d_al], axis=-1)


def baseline_state(p: HealingParams, alignment: float | jax.Array | None = None) -> jax.Array:
    """The unwounded steady state; any alignment is steady (default: the wound-laid baseline; scars are higher)."""
    phi0, T0 = macrophage_baseline(p)
    al = p.alignment_baseline if alignment is None else jnp.asarray(alignment, dtype=jnp.float64)
    one = jnp.ones_like(phi0)
    return jnp.stack([0.0 * one, 0.0 * one, p.alpha * phi0, (1.0 - p.alpha) * phi0, T0, one, 0.0 * one, one, one,
                      one, one, al * one])


# --- injury -> dose ----------------------------------------------------------------------------------


def injury_dose(injury: Injury) -> float:
    """Dose of one session for the ODE: injured dermal volume relative to the reference session.

    dose = dermal_volume_fraction / reference fraction, where the reference fraction is that of the
    reference session (1.5 mm roller on the cheek, the protocol of Lotfi 2013 that the collagen rates are
    calibrated to), so that session has dose 1. An injury that stays in the epidermis has dose 0. Linear in
    the injured volume (channels heal independently). Bleeding is not counted separately: reaching the
    plexus is a consequence of depth, which the injured dermal volume already carries.
    """
    if not injury.reaches_dermis:
        return 0.0
    return injury.dermal_volume_fraction / parameter_value("healing.dose.reference_dermal_volume_fraction")
