"""The Numba stencil (:mod:`microneedling.healing.spatial.stencil`) gives the JAX Euler steps to rounding.

Reference: forward-Euler steps of ``u + dt (diffusion_plane(u) + fu)`` with the package's 5-point operator in
JAX, one step at a time. The stencil must agree for any split of the steps into sweeps (k steps per sweep,
a shorter last sweep), any strip height, one thread or several, and on a non-square plane.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numba
import numpy as np
import pytest

from microneedling.healing.spatial.operators import diffusion_plane
from microneedling.healing.spatial.stencil import euler_blocked

DU, DV, K, R = 1.0, 0.05, 1.0, 2.0


@numba.njit
def _reaction(u, v):
    return v - K * u, R * u * v * (1.0 - v)


def _jax_steps(u, v, h, dt, steps):
    @jax.jit
    def run(u, v):
        def step(_, s):
            a, b = s
            return (a + dt * (diffusion_plane(a, DU, h) + (b - K * a)),
                    b + dt * (diffusion_plane(b, DV, h) + R * a * b * (1.0 - b)))

        return jax.lax.fori_loop(0, steps, step, (u, v))

    a, b = run(jnp.asarray(u), jnp.asarray(v))
    return np.asarray(a), np.asarray(b)


@pytest.fixture(scope="module")
def fields():
    rng = np.random.default_rng(3)
    return rng.uniform(0.0, 1.0, (48, 40)), rng.uniform(0.0, 1.0, (48, 40))


@pytest.mark.parametrize(("steps", "k", "strip", "threads"), [(12, 4, 8, None), (11, 4, 16, 1), (7, 8, 8, 2),
                                                               (5, 1, 48, None), (9, 3, 6, None)])
def test_blocked_steps_equal_jax_steps(fields, steps, k, strip, threads):
    u0, v0 = fields
    h = 10.0 / 48
    dt = 0.2 * h * h / DU
    ref_u, ref_v = _jax_steps(u0, v0, h, dt, steps)
    u, v = euler_blocked(u0, v0, _reaction, DU, DV, h, dt, steps, k=k, strip=strip, threads=threads)
    # the fields moved (the check is not trivially the initial state) and agree to rounding
    assert np.max(np.abs(ref_u - u0)) > 1e-3
    np.testing.assert_allclose(u, ref_u, rtol=0, atol=1e-14)
    np.testing.assert_allclose(v, ref_v, rtol=0, atol=1e-14)
    assert np.array_equal(u0, fields[0])  # inputs untouched


def test_bad_strip_is_refused(fields):
    u0, v0 = fields
    with pytest.raises(ValueError, match="strip"):
        euler_blocked(u0, v0, _reaction, DU, DV, 0.1, 1e-4, 4, k=2, strip=7)
