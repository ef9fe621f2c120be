"""Cohort solver in single precision (``simulate_cohort(..., dtype=float32)``): the benchmark's fast path.

The float32 steps must stay within the benchmark's error budget of the float64 solve (1e-4 in relative
collagen, elastin and alignment; round-off of float32 over the 128-step grid is far below it), return float64,
and refuse any other precision. :func:`cohort_step` is the one step the solver scans.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from microneedling import healing as H
from microneedling.healing.cohort import cohort_step, etd_coefficients, simulate_cohort

SESSIONS = np.arange(4) * 28.0
DOSES = np.ones(4)
T_EVAL = np.linspace(0.0, 365.0, 13)[1:]
OUT = [H.C3, H.C1, H.E, H.A]


@pytest.fixture(scope="module")
def solves():
    p = H.default_healing_params(30.0)
    af = H.age_factor(np.array([18.0, 40.0, 65.0]))
    y64 = np.asarray(simulate_cohort(p, af, SESSIONS, DOSES, T_EVAL, devices=1))
    y32 = simulate_cohort(p, af, SESSIONS, DOSES, T_EVAL, devices=1, dtype=jnp.float32)
    return p, y64, y32


def test_float32_steps_stay_within_the_error_budget(solves):
    _, y64, y32 = solves
    assert y32.dtype == jnp.float64 and y32.shape == y64.shape
    diff = np.max(np.abs(np.asarray(y32)[..., OUT] - y64[..., OUT]))
    # not the same numbers (single precision did run), well inside the 1e-4 budget
    assert 1e-12 < diff < 1e-5


def test_one_step_keeps_the_steady_state_and_rounds_like_float32(solves):
    p, _, _ = solves
    n = 3
    steps = {}
    for dtype in (jnp.float64, jnp.float32):
        advance, modes = cohort_step(p._replace(age_factor=jnp.ones(n)), dtype)
        coeff = tuple(c[0] for c in etd_coefficients(modes.rates, jnp.asarray([0.5])))
        y0 = jnp.broadcast_to(H.baseline_state(p), (n, H.N_SPECIES)).T
        w0 = H.apply_modes(modes.to_modes, y0)
        # the unwounded tissue is a steady state of the step; a dosed one moves
        assert np.max(np.abs(np.asarray(advance(w0.astype(dtype), coeff), dtype=np.float64) - np.asarray(w0))) < (
            1e-12 if dtype == jnp.float64 else 1e-4)
        dosed = H.apply_modes(modes.to_modes, y0.at[H.P].add(1.0)).astype(dtype)
        steps[jnp.dtype(dtype).name] = np.asarray(H.apply_modes(modes.from_modes, advance(dosed, coeff)),
                                                  dtype=np.float64)
        assert np.max(np.abs(steps[jnp.dtype(dtype).name] - np.asarray(y0))) > 1e-2
    np.testing.assert_allclose(steps["float32"], steps["float64"], rtol=1e-5, atol=1e-6)


def test_other_precisions_are_refused(solves):
    p, _, _ = solves
    with pytest.raises(ValueError, match="float64 or float32"):
        simulate_cohort(p, [1.0], SESSIONS, DOSES, T_EVAL, dtype=jnp.float16)
