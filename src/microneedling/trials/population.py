"""Virtual patients drawn from a trial arm's population.

Each patient gets an age (normal, truncated to 12-100 years), a Fitzpatrick type (categorical by the given
fractions), the arm's scar mix, a true baseline score on the arm's scale and a standard-normal response
deviate ``response_z`` that the trial layer turns into the patient's individual response (inter-patient
variability, calibrated). The recorded baseline is the true one plus rater noise, so the true baseline is
drawn with the spec's SD less the rater's share: var_true = max(sd^2 - sd_rater^2, 0).

Scar mix: every patient carries the arm's fractions (no source gives the per-patient spread of the mix, so
none is invented). Fitzpatrick type is recorded but does not enter the response: trials across phototypes
I-VI report the same improvement (see data/trials).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.outcomes.raters import rater_sd
from microneedling.patient import SCAR_TYPES, Fitzpatrick, ScarType
from microneedling.protocol import Scale
from microneedling.trials.spec import Population

FITZPATRICK: tuple[Fitzpatrick, ...] = tuple(Fitzpatrick)
AGE_BOUNDS_YEARS = (12.0, 100.0)


@dataclass(frozen=True)
class Cohort:
    """Arrays over patients (length n): ages in years, Fitzpatrick index 0-5 (I-VI), scar weights (n, 3)
    in :data:`SCAR_TYPES` order, true baseline on ``scale`` and the response deviate."""

    scale: Scale
    age_years: jnp.ndarray
    fitzpatrick_index: jnp.ndarray
    scar_weights: jnp.ndarray
    baseline_true: jnp.ndarray
    response_z: jnp.ndarray

    @property
    def n(self) -> int:
        return int(self.age_years.shape[0])


def _truncated_normal(key, mean: float, sd: float, lo: float, hi: float, n: int) -> jnp.ndarray:
    if sd <= 0.0:
        return jnp.full((n,), float(np.clip(mean, lo, hi)))
    a, b = (lo - mean) / sd, (hi - mean) / sd
    return mean + sd * jax.random.truncated_normal(key, a, b, (n,))


def scar_weights(mix: dict[ScarType, float]) -> jnp.ndarray:
    """The mix as a vector in :data:`SCAR_TYPES` order (missing types weigh 0)."""
    return jnp.asarray([float(mix.get(t, 0.0)) for t in SCAR_TYPES])


def sample_cohort(population: Population, key, qualitative_rater_sd: float | None = None) -> Cohort:
    """Draw ``population.n`` virtual patients (deterministic for a given JAX ``key``)."""
    n = population.n
    k_age, k_fitz, k_base, k_resp = jax.random.split(key, 4)
    age = _truncated_normal(k_age, population.age_years.mean, population.age_years.sd, *AGE_BOUNDS_YEARS, n)
    probs = jnp.asarray([float(population.fitzpatrick.get(f, 0.0)) for f in FITZPATRICK])
    fitz = jax.random.choice(k_fitz, len(FITZPATRICK), (n,), p=probs / probs.sum())
    weights = jnp.broadcast_to(scar_weights(population.scar_mix), (n, len(SCAR_TYPES)))
    base = population.baseline
    lo, hi = base.scale.bounds
    sd_rater = rater_sd(base.scale, qualitative_rater_sd)
    sd_true = float(np.sqrt(max(base.sd**2 - sd_rater**2, 0.0)))
    # a scarred patient: strictly above the scale's floor so that relative change is defined
    floor = lo + (0.5 if base.scale is Scale.goodman_baron_quantitative else 0.05)
    baseline_true = _truncated_normal(k_base, base.mean, sd_true, floor, hi, n)
    z = jax.random.normal(k_resp, (n,))
    return Cohort(base.scale, age, fitz, weights, baseline_true, z)
