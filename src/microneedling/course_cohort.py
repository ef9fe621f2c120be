"""The course model for a cohort: protocol -> injury -> healing ODE -> scar depth by scar type.

* Injury and dose: :func:`microneedling.mechanics.injury.session_injury` for the arm's zone, device and needle length
  (sex F, the arm's mean age: the spec has no sex, and the injury varies little with age), turned into the
  ODE's dose by :func:`microneedling.healing.model.injury_dose`; every session of a protocol has the same dose.
* Healing: :func:`microneedling.healing.cohort.simulate_cohort` for all patients at once, each with the age
  factor of :mod:`microneedling.healing.model` (older patients synthesise less), starting from scar-aligned
  collagen; chunks keep memory bounded. Read out weekly (the scar model's maturation lag needs the path).
* Scars: :func:`microneedling.tissue.scars.scar_depth` for the typical scar of each type
  (:func:`microneedling.tissue.scars.typical_scar`) with the injured layer under its floor.

The trial layer receives the *exposure* ``x_k = -ln(depth_k / depth0_k)`` of each scar type (0 untreated),
so that a patient's response multiplier ``m`` scales the model's relative depth as ``(depth/depth0)^m``.
"""

from __future__ import annotations

from functools import lru_cache

import jax.numpy as jnp
import numpy as np

from microneedling.healing import model as healing
from microneedling.healing.cohort import age_factors, simulate_cohort
from microneedling.mechanics.injury import session_injury
from microneedling.protocol import Protocol
from microneedling.tissue import scars
from microneedling.trials.population import SCAR_TYPES

CHUNK = 10_000
DAYS_PER_WEEK = 7.0
READOUT_DAYS = 7.0  # scar maturation path resolution (scars.matured: weekly is enough for months)


@lru_cache(maxsize=1)
def _base_params() -> healing.HealingParams:
    return healing.default_healing_params(30.0)


@lru_cache(maxsize=256)
def session_injury_cached(zone: str, device: str, needle_length_mm: float, age_years: float):
    """(ODE dose of one session, real penetration depth in mm) for the protocol."""
    inj = session_injury(zone, device, needle_length_mm, sex="F", age_years=round(age_years, 1))
    return float(healing.injury_dose(inj)), float(inj.penetration_depth_mm)


def course_states(protocol: Protocol, age_years, t_days) -> jnp.ndarray:
    """Healing states [T, n, species] of patients aged ``age_years`` [n] at ``t_days`` after the first
    session (treated protocols only), starting from scar-aligned collagen."""
    ages = jnp.atleast_1d(jnp.asarray(age_years, dtype=jnp.float64))
    dose, _ = session_injury_cached(protocol.zone.value, protocol.device.value, float(protocol.needle_length_mm),
                                    float(jnp.mean(ages)))
    sessions = np.asarray(protocol.session_weeks()) * DAYS_PER_WEEK
    doses = np.full(sessions.shape, dose)
    af = age_factors(ages)
    align = scars.scar_response_params().scar_alignment
    parts = [simulate_cohort(_base_params(), af[i:i + CHUNK], sessions, doses, t_days, alignment=align)
             for i in range(0, ages.shape[0], CHUNK)]
    return jnp.concatenate(parts, axis=1)


def course_relative_depth(protocol: Protocol, age_years, t_weeks) -> jnp.ndarray:
    """Scar depth relative to baseline, [n, len(SCAR_TYPES), T], at ``t_weeks`` after the first session."""
    t_weeks = np.asarray(t_weeks, dtype=np.float64)
    t_end = float(t_weeks.max()) * DAYS_PER_WEEK
    dense = np.unique(np.concatenate([np.arange(0.0, t_end + READOUT_DAYS, READOUT_DAYS),
                                      t_weeks * DAYS_PER_WEEK, [0.0]]))
    dense = dense[dense <= t_end + 1e-9]
    pick = np.asarray([int(np.argmin(np.abs(dense - w * DAYS_PER_WEEK))) for w in t_weeks])
    ages = jnp.atleast_1d(jnp.asarray(age_years, dtype=jnp.float64))
    y = course_states(protocol, ages, dense)  # [Td, n, S]
    p = _base_params()
    resp = scars.scar_response_params()
    dc = scars.net_new_collagen(y[..., healing.C1], y[..., healing.C3], p.collagen1_fraction)
    _, depth_mm = session_injury_cached(protocol.zone.value, protocol.device.value,
                                        float(protocol.needle_length_mm), float(jnp.mean(ages)))
    rel = []
    for t in SCAR_TYPES:
        shape = scars.typical_scar(t)
        layer = scars.layer_below_floor_mm(depth_mm, shape.depth_mm)
        d = scars.scar_depth(jnp.asarray(dense), shape.depth_mm, shape.width_mm, shape.tethering, dc,
                             y[..., healing.A], layer, resp.fill, resp.access_width_mm, resp.scar_alignment,
                             p.alignment_baseline, resp.maturation_time_d)
        rel.append(d[pick] / shape.depth_mm)  # [T, n]
    return jnp.transpose(jnp.stack(rel, axis=0), (2, 0, 1))


def course_exposure(protocol: Protocol, age_years, t_weeks) -> jnp.ndarray:
    """Exposure ``-ln(relative depth)`` of each scar type, [n, len(SCAR_TYPES), T]."""
    rel = course_relative_depth(protocol, age_years, t_weeks)
    return -jnp.log(jnp.clip(rel, 1e-12, 1.0))
