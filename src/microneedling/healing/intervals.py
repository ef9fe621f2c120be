"""Healing under a course of sessions at a fixed interval, compared with the same sessions healing separately.

For ``sessions`` unit-dose sessions ``interval_weeks`` apart (the reference session of
:func:`microneedling.healing.model.injury_dose`, age 30 unless given), :func:`interval_course` reports

* net new collagen (type-weighted collagen I and III, relative to baseline, minus 1) at a read-out day;
* the same quantity for the sessions healing separately: the sum over sessions of one session's net new
  collagen at (read-out day - session day), i.e. each session's wound with nothing else going on;
* the largest macrophage ratio (total over unwounded) during the course and the ratio just before each
  session after the first (what is left of the earlier sessions' inflammation when the next one comes).

Wound biology asks that a course add up: each session's inflammation resolves within days, a session on a
still-inflamed wound adds its own influx to what is left, and the collagen a course lays down is comparable
to that of its sessions laid down separately.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.healing.model import (
    C1,
    C3,
    MI,
    MR,
    HealingParams,
    default_healing_params,
    macrophage_baseline,
)
from microneedling.healing.solvers import simulate

DAYS_PER_WEEK = 7.0
GRID_POINTS = 4000  # read-outs of the macrophage ratio over the course
FOLLOW_UP_DAYS = 56.0  # default read-out after the last session (8 weeks, as Lotfi 2013 read its biopsies)


class IntervalCourse(NamedTuple):
    """One course at a fixed interval (days; collagen as net change relative to baseline)."""

    interval_weeks: float
    sessions: int
    read_day: float
    collagen: float  # net new collagen of the course at read_day
    separate_collagen: float  # sum of the sessions' net new collagen, each healing alone, at read_day
    peak_macrophage_ratio: float  # largest macrophage ratio during the course
    pre_session_ratio: float  # largest macrophage ratio just before a session (after the first)

    @property
    def collagen_ratio(self) -> float:
        """Course collagen over separately healing sessions' collagen (1 = the sessions add exactly)."""
        return self.collagen / self.separate_collagen


@jax.jit
def _readouts(params: HealingParams, session_days, doses, t_eval):
    """(net new collagen, macrophage ratio) at ``t_eval``: one solve gives both."""
    phi0, _ = macrophage_baseline(params)
    y = simulate(params, session_days, doses, t_eval)
    w1 = params.collagen1_fraction
    return w1 * (y[:, C1] - 1.0) + (1.0 - w1) * (y[:, C3] - 1.0), (y[:, MI] + y[:, MR]) / phi0


def _read(params, session_days, session_doses, t_eval_days):
    out = _readouts(params, jnp.asarray(session_days, dtype=jnp.float64),
                    jnp.asarray(session_doses, dtype=jnp.float64), jnp.asarray(t_eval_days, dtype=jnp.float64))
    return tuple(np.asarray(o) for o in out)


def net_collagen(params: HealingParams, session_days, session_doses, t_eval_days) -> np.ndarray:
    """Type-weighted net new collagen (relative to baseline, minus 1) at ``t_eval_days``."""
    return _read(params, session_days, session_doses, t_eval_days)[0]


def interval_course(interval_weeks: float, sessions: int = 12, read_day: float | None = None,
                    params: HealingParams | None = None) -> IntervalCourse:
    """The course of ``sessions`` unit-dose sessions ``interval_weeks`` apart, read at ``read_day`` (default:
    :data:`FOLLOW_UP_DAYS` after the last session, when every session's collagen has matured past the
    early matrix-degradation dip)."""
    p = default_healing_params(30.0) if params is None else params
    days = DAYS_PER_WEEK * float(interval_weeks) * np.arange(sessions, dtype=float)
    t_read = float(days[-1]) + FOLLOW_UP_DAYS if read_day is None else float(read_day)
    grid = np.linspace(0.0, max(t_read, float(days[-1]) + 14.0), GRID_POINTS)
    before = days[1:] - 1e-6  # just before each session after the first
    collagen, ratio = _read(p, days, np.ones(sessions), np.concatenate([grid, before, [t_read]]))
    single = net_collagen(p, [0.0], [1.0], t_read - days)  # one session read at each session's lag
    pre = ratio[GRID_POINTS:GRID_POINTS + len(before)]
    return IntervalCourse(float(interval_weeks), int(sessions), t_read, float(collagen[-1]), float(np.sum(single)),
                          float(ratio[:GRID_POINTS].max()), float(pre.max()) if len(pre) else 1.0)
