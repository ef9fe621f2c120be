"""Macrophage resolution of one session: the time course of wound macrophages, its peak day and the half-life of
its decline, and the fit of the two rates that set them.

One unit-dose session (:func:`microneedling.healing.model.injury_dose` = 1) is simulated from the unwounded
state; the macrophage ratio is total macrophages (inflammatory + repair) over their unwounded level. Its peak
day is where the ratio is largest (parabolic refinement of the grid maximum) and the decline half-life is the
time from the peak until the excess over baseline (ratio - 1) has halved (linear interpolation between grid
points).

:func:`fit_macrophage_resolution` fits the inflammatory share of the influx (``healing.alpha``) and the decay of
the monocyte-recruiting signal (``healing.recruitment_decay_per_d``) so that the peak day and half-life equal the
targets ``healing.macrophage.peak_day`` and ``healing.macrophage.decline_half_life_d`` (``healing_kinetics.csv``,
which says where those come from). With the curated macrophage death and proliferation of Waugh & Sherratt
(2006; d1 = 0.2/d, k1 k2 = 0.035/d) no decline is faster than ln 2 / (d1 - k1 k2) = 4.2 d.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.healing.model import MI, MR, HealingParams, default_healing_params, macrophage_baseline
from microneedling.healing.solvers import simulate
from microneedling.params import parameter_value

COURSE_DAYS = 40.0  # read-out window of one session's macrophage time course, days
COURSE_STEP_DAYS = 0.005  # read-out spacing, days


class MacrophageCourse(NamedTuple):
    """One session's macrophage time course and its summary (days; ratio to the unwounded level)."""

    days: np.ndarray
    ratio: np.ndarray
    peak_day: float
    peak_ratio: float
    half_life_days: float


@partial(jax.jit, static_argnames=("steps_per_session",))
def _ratio(params: HealingParams, session_days, doses, t_eval, steps_per_session: int = 400):
    phi0, _ = macrophage_baseline(params)
    y = simulate(params, session_days, doses, t_eval, steps_per_session=steps_per_session)
    return (y[:, MI] + y[:, MR]) / phi0


def macrophage_ratio(params: HealingParams, session_days, session_doses, t_eval_days) -> np.ndarray:
    """Total macrophages over their unwounded level at ``t_eval_days`` after sessions at ``session_days``."""
    return np.asarray(_ratio(params, jnp.asarray(session_days, dtype=jnp.float64),
                             jnp.asarray(session_doses, dtype=jnp.float64),
                             jnp.asarray(t_eval_days, dtype=jnp.float64)))


def single_session_course(params: HealingParams) -> MacrophageCourse:
    """Time course of one unit-dose session over :data:`COURSE_DAYS`, with its peak day and decline half-life."""
    days = np.arange(0.0, COURSE_DAYS + COURSE_STEP_DAYS / 2, COURSE_STEP_DAYS)
    ratio = macrophage_ratio(params, [0.0], [1.0], days)
    i = int(np.argmax(ratio))
    if 0 < i < len(days) - 1:  # vertex of the parabola through the grid maximum and its neighbours
        a, b, c = ratio[i - 1], ratio[i], ratio[i + 1]
        shift = 0.5 * (a - c) / (a - 2.0 * b + c)
        peak_day = float(days[i] + shift * COURSE_STEP_DAYS)
        peak_ratio = float(b - 0.25 * (a - c) * shift)
    else:
        peak_day, peak_ratio = float(days[i]), float(ratio[i])
    half = 1.0 + 0.5 * (peak_ratio - 1.0)
    below = np.nonzero(ratio[i:] <= half)[0]
    if below.size == 0:
        half_life = float("inf")
    else:
        j = i + int(below[0])
        t0, t1, r0, r1 = days[j - 1], days[j], ratio[j - 1], ratio[j]
        half_life = float(t0 + (r0 - half) / (r0 - r1) * (t1 - t0) - peak_day)
    return MacrophageCourse(days, ratio, peak_day, peak_ratio, half_life)


def fit_macrophage_resolution(age_years: float = 30.0) -> tuple[float, float]:
    """(alpha, recruitment_decay_per_d) giving one session's macrophages the target peak day and half-life.

    Newton on the two targets in the log of both rates, with the Jacobian by central differences (the peak
    and the half-crossing are read off a grid, so they are not differentiated through the solver); stops when
    both are met to 1e-4 day.
    """
    target = np.array([parameter_value("healing.macrophage.peak_day"),
                       parameter_value("healing.macrophage.decline_half_life_d")])
    base = default_healing_params(age_years)

    def residual(x):
        p = base._replace(alpha=jnp.asarray(float(np.exp(x[0]))),
                          recruitment_decay_per_d=jnp.asarray(float(np.exp(x[1]))))
        c = single_session_course(p)
        return np.array([c.peak_day, c.half_life_days]) - target

    x = np.log([float(base.alpha), float(base.recruitment_decay_per_d)])
    eps = 1e-3
    for _ in range(20):
        r = residual(x)
        if np.max(np.abs(r)) < 1e-4:
            break
        jac = np.column_stack([(residual(x + eps * e) - residual(x - eps * e)) / (2 * eps) for e in np.eye(2)])
        step = np.linalg.solve(jac, -r)
        x = x + np.clip(step, -0.5, 0.5)
    return float(np.exp(x[0])), float(np.exp(x[1]))
