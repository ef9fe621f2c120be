"""The course model for a cohort: protocol -> injury -> healing ODE -> collagen exposure of each scar type.

* Injury and dose: :func:`microneedling.injury.session_injury` for the arm's zone, device and needle length
  (sex F, the arm's mean age: the spec has no sex, and the dose varies little with age), turned into the
  ODE's dose by :func:`microneedling.healing.injury_dose`; every session of a protocol has the same dose.
* Healing: :func:`microneedling.cohort_ode.simulate_cohort` for all patients at once, each with the age
  factor of :mod:`microneedling.healing` (older patients synthesise less); chunks keep memory bounded.
* Scar link: the scar floor rises with the net new dermal collagen,
  ``dM(t) = w1 (C1 - 1) + (1 - w1) (C3 - 1)`` (relative mass above baseline, w1 the type I share). Each scar
  type responds with its own relative responsiveness ``rho_k`` (boxcar 1; rolling and icepick from the scar
  counts removed by type in Garg & Chaudhary: 37.25 / 47.06 and 5.88 / 47.06). The *exposure*
  ``x_k = rho_k max(dM, 0)`` is what the trial layer turns into severity: ``s = sum_k w_k exp(-m x_k)``
  (first-order filling: each unit of new collagen fills the same fraction of the remaining defect), with the
  patient's calibrated multiplier ``m`` (:mod:`microneedling.trial`).
"""

from __future__ import annotations

from functools import lru_cache

import jax.numpy as jnp
import numpy as np

from microneedling import healing
from microneedling.cohort_ode import age_factors, simulate_cohort
from microneedling.injury import session_injury
from microneedling.params import parameter_value
from microneedling.population import SCAR_TYPES
from microneedling.trial_spec import Protocol

CHUNK = 10_000
DAYS_PER_WEEK = 7.0


@lru_cache(maxsize=1)
def _base_params() -> healing.HealingParams:
    return healing.default_healing_params(30.0)


def scar_responsiveness() -> jnp.ndarray:
    """rho_k in :data:`SCAR_TYPES` order (data/parameters/trial_scar_response.csv)."""
    return jnp.asarray([parameter_value(f"trial.scar_response.{t.value}_1") for t in SCAR_TYPES])


@lru_cache(maxsize=256)
def session_dose(zone: str, device: str, needle_length_mm: float, age_years: float) -> float:
    """ODE dose of one session (1 = the 1.5 mm roller reference session on the cheek)."""
    return float(healing.injury_dose(session_injury(zone, device, needle_length_mm, sex="F",
                                                    age_years=round(age_years, 1))))


def course_states(protocol: Protocol, age_years, t_weeks) -> jnp.ndarray:
    """Healing states [T, n, species] of patients aged ``age_years`` [n] at ``t_weeks`` after the first
    session (treated protocols only)."""
    ages = jnp.atleast_1d(jnp.asarray(age_years, dtype=jnp.float64))
    dose = session_dose(protocol.zone.value, protocol.device.value, float(protocol.needle_length_mm),
                        float(jnp.mean(ages)))
    sessions = np.asarray(protocol.session_weeks()) * DAYS_PER_WEEK
    doses = np.full(sessions.shape, dose)
    t_days = np.asarray(t_weeks, dtype=np.float64) * DAYS_PER_WEEK
    af = age_factors(ages)
    parts = [simulate_cohort(_base_params(), af[i:i + CHUNK], sessions, doses, t_days)
             for i in range(0, ages.shape[0], CHUNK)]
    return jnp.concatenate(parts, axis=1)


def new_collagen(states) -> jnp.ndarray:
    """Net new dermal collagen dM (relative mass above baseline) from healing states [..., species]."""
    w1 = _base_params().collagen1_fraction
    return w1 * (states[..., healing.C1] - 1.0) + (1.0 - w1) * (states[..., healing.C3] - 1.0)


def course_exposure(protocol: Protocol, age_years, t_weeks) -> jnp.ndarray:
    """Collagen exposure x_k of each scar type, [n, len(SCAR_TYPES), T], at ``t_weeks``."""
    dm = jnp.maximum(new_collagen(course_states(protocol, age_years, t_weeks)), 0.0)  # [T, n]
    return scar_responsiveness()[None, :, None] * jnp.transpose(dm)[:, None, :]
