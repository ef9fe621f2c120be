"""Transport part of the spatial model: conservation, closed forms, convergence order, stability limit.

Closed forms used (no published numbers here):
* 2-D heat kernel: a Gaussian of variance s0^2 (per axis) and mass M stays Gaussian with variance
  s0^2 + 2 D t, ``u = M / (2 pi s^2) exp(-r^2 / (2 s^2))`` (any heat-equation text, e.g. Crank, The
  Mathematics of Diffusion, ch. 3); on a periodic patch the images are negligible when the patch is
  >> the spread (here the patch side is >= 12 standard deviations).
* Forward Euler with the 5-point Laplacian is stable iff ``D dt / h^2 <= 1/4`` (von Neumann analysis).
* With no-flux boundaries the stationary density of ``n_t = div(D grad n - chi n grad c)`` for a fixed
  attractant ``c`` is ``n ~ exp(chi c / D)`` (zero flux everywhere).
* Second-order finite volumes: the error falls by 4 when h halves (order 2).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microneedling.healing.spatial import operators as op
from microneedling.healing.spatial import stepping as stp
from microneedling.healing.spatial.field import (
    channel_fraction_plane,
    channel_fraction_radial,
    uniform_punctures,
)
from microneedling.healing.spatial.grid import PlaneGrid, RadialGrid


def gaussian(r2, s2, mass=1.0):
    return mass * np.exp(-r2 / (2.0 * s2)) / (2.0 * np.pi * s2)


# --- mass conservation -----------------------------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), d=st.floats(1e-3, 1.0), chi=st.floats(0.0, 1.0))
def test_plane_transport_conserves_mass(seed, d, chi):
    """Diffusion + chemotaxis fluxes on the periodic plane neither create nor destroy cells or attractant."""
    grid = PlaneGrid(16, 1.0)
    rng = np.random.default_rng(seed)
    n0 = jnp.asarray(rng.uniform(0.0, 2.0, (16, 16)))
    c = jnp.asarray(rng.uniform(0.0, 1.0, (16, 16)))
    dt = 0.2 * stp.stable_plane_diffusion_dt(d + chi, grid.h_mm)
    n = n0
    for _ in range(20):
        n = n + dt * (op.diffusion_plane(n, d, grid.h_mm) + op.chemotaxis_plane(n, c, chi, grid.h_mm))
    m0, m1 = float(op.plane_mass(n0, grid.h_mm)), float(op.plane_mass(n, grid.h_mm))
    assert abs(m1 - m0) <= 1e-12 * m0
    assert float(jnp.min(n)) >= 0.0  # upwinding keeps densities non-negative under the step limit


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), d=st.floats(1e-3, 20.0), dt=st.floats(1e-3, 10.0))
def test_exact_diffusion_steps_conserve_mass(seed, d, dt):
    """The spectral (plane) and matrix-exponential (radial) diffusion steps keep the total amount, any dt."""
    rng = np.random.default_rng(seed)
    grid = PlaneGrid(16, 1.0)
    u0 = jnp.asarray(rng.uniform(0.0, 1.0, (16, 16, 2)))
    u1 = stp.apply_plane_factor(u0, stp.plane_diffusion_factor(grid, [d, 0.5 * d], dt))
    np.testing.assert_allclose(op.plane_mass(u1, grid.h_mm), op.plane_mass(u0, grid.h_mm), rtol=1e-12)
    rg = RadialGrid(24, 0.5)
    v0 = jnp.asarray(rng.uniform(0.0, 1.0, (24, 2)))
    v1 = stp.apply_radial_propagators(v0, stp.radial_propagators(rg, [d, 0.5 * d], dt))
    np.testing.assert_allclose(op.radial_mass(v1, rg), op.radial_mass(v0, rg), rtol=1e-10)
    assert float(jnp.min(v1)) >= -1e-12


def test_radial_fluxes_conserve_mass():
    """Radial diffusion and chemotaxis terms sum to zero when weighted by ring area."""
    rg = RadialGrid(30, 0.4)
    rng = np.random.default_rng(3)
    n = jnp.asarray(rng.uniform(0.0, 1.0, 30))
    c = jnp.asarray(rng.uniform(0.0, 1.0, 30))
    total = op.radial_mass(op.diffusion_radial(n, 0.3, rg) + op.chemotaxis_radial(n, c, 0.2, rg), rg)
    assert abs(float(total)) <= 1e-12 * float(op.radial_mass(n, rg)) * 0.3 / rg.h_mm**2


# --- closed-form Gaussian and convergence order -------------------------------------------------------


def _plane_gaussian_error(n: int, exact_time: bool) -> float:
    length, s0, d, t = 2.4, 0.1, 0.05, 0.5  # final spread s = 0.245 mm; side = 9.8 s
    grid = PlaneGrid(n, length)
    x, y = grid.centres()
    r2 = (x - length / 2) ** 2 + (y - length / 2) ** 2
    u0 = jnp.asarray(gaussian(r2, s0**2))
    if exact_time:
        u = stp.apply_plane_factor(u0, stp.plane_diffusion_factor(grid, d, t))
    else:
        dt0 = 0.5 * stp.stable_plane_diffusion_dt(d, grid.h_mm)
        steps = int(np.ceil(t / dt0))
        dt = t / steps
        u = jax.jit(lambda v: jax.lax.fori_loop(
            0, steps, lambda _, w: stp.euler_plane_diffusion(w, d, grid.h_mm, dt), v))(u0)
    exact = gaussian(r2, s0**2 + 2 * d * t)
    return float(np.max(np.abs(np.asarray(u) - exact)) / exact.max())


def test_plane_diffusion_matches_gaussian():
    """Exact-in-time spectral step and explicit Euler both follow the 2-D heat kernel within 1% at n = 96."""
    assert _plane_gaussian_error(96, exact_time=True) < 0.01
    assert _plane_gaussian_error(96, exact_time=False) < 0.01


def test_plane_spatial_convergence_order_two():
    """Error against the Gaussian falls by ~4 per halving of h (observed order in [1.8, 2.2])."""
    errs = [_plane_gaussian_error(n, exact_time=True) for n in (24, 48, 96)]
    orders = [np.log2(errs[i] / errs[i + 1]) for i in range(2)]
    assert all(1.8 <= p <= 2.2 for p in orders), (errs, orders)


def _radial_gaussian_error(n: int) -> float:
    radius, s0, d, t = 1.2, 0.1, 0.05, 0.5
    rg = RadialGrid(n, radius)
    r = rg.centres()
    u0 = gaussian(r**2, s0**2)
    u = stp.radial_diffusion_propagator(rg, d, t) @ u0
    exact = gaussian(r**2, s0**2 + 2 * d * t)
    return float(np.max(np.abs(u - exact)) / exact.max())


def test_radial_diffusion_gaussian_and_order():
    """Axisymmetric cell: Gaussian within 0.5% at 96 rings and second-order convergence."""
    errs = [_radial_gaussian_error(n) for n in (24, 48, 96)]
    assert errs[-1] < 0.005
    orders = [np.log2(errs[i] / errs[i + 1]) for i in range(2)]
    assert all(1.8 <= p <= 2.3 for p in orders), (errs, orders)


# --- chemotaxis closed form ---------------------------------------------------------------------------


def test_chemotaxis_steady_state_is_boltzmann():
    """Fixed attractant c(r): cells settle to n ~ exp(chi c / D); upwinding is first order, so 2% at 200 rings."""
    rg = RadialGrid(200, 0.5)
    r = jnp.asarray(rg.centres())
    c = jnp.exp(-(r**2) / (2 * 0.15**2))
    d, chi = 0.01, 0.02
    dt = 0.2 * rg.h_mm**2 / (d + chi)
    n0 = jnp.ones_like(r)

    steps = int(12.0 / dt) + 1  # 12 d ~ 7 relaxation times R^2 / (j1^2 D) of the slowest mode

    def step(_, n):
        return n + dt * (op.diffusion_radial(n, d, rg) + op.chemotaxis_radial(n, c, chi, rg))

    n = jax.jit(lambda v: jax.lax.fori_loop(0, steps, step, v))(n0)
    target = np.exp(chi * np.asarray(c) / d)
    target *= float(op.radial_mass(n0, rg)) / float(op.radial_mass(jnp.asarray(target), rg))
    assert np.max(np.abs(np.asarray(n) - target) / target) < 0.02


# --- measured stability limit ---------------------------------------------------------------------------


def test_measured_explicit_limit_matches_von_neumann():
    """Bisection on dt finds the forward-Euler limit within 1% of h^2 / (4 D)."""
    grid = PlaneGrid(32, 1.0)
    d = 0.3
    u0 = jnp.asarray(np.random.default_rng(0).standard_normal((32, 32)))
    theory = stp.stable_plane_diffusion_dt(d, grid.h_mm)

    def make(dt):
        return lambda u: stp.euler_plane_diffusion(u, d, grid.h_mm, dt)

    measured = stp.measured_stable_dt(make, u0, 0.5 * theory, 2.0 * theory, steps=2000)
    assert abs(measured / theory - 1.0) < 0.01


# --- injury field ----------------------------------------------------------------------------------------


def test_channel_fraction_area():
    """One channel away from edges covers pi r^2 of the patch; the radial field covers exactly pi r^2."""
    grid = PlaneGrid(64, 1.0)
    frac = channel_fraction_plane(grid, np.array([[0.0, 0.5]]), 0.1, sub=8)  # wraps across x = 0
    assert abs(frac.sum() * grid.cell_area_mm2 / (np.pi * 0.01) - 1.0) < 0.01
    rg = RadialGrid(50, 0.5)
    area = float(np.sum(channel_fraction_radial(rg, 0.123) * rg.ring_areas_mm2()))
    assert area == pytest.approx(np.pi * 0.123**2, rel=1e-12)


def test_uniform_punctures_density():
    """Mean count of the Poisson field equals density x area (250 per cm^2 on 1 cm^2 -> 250 +- 3 SE)."""
    rng = np.random.default_rng(5)
    counts = [len(uniform_punctures(250.0, 10.0, rng)) for _ in range(200)]
    assert abs(np.mean(counts) - 250.0) < 3 * np.sqrt(250.0 / 200)


def test_strip_blocking_equals_plain_steps():
    """Temporal blocking in row strips reproduces k plain explicit steps to rounding (same arithmetic)."""
    n, h, dt = 32, 1.0 / 32, 0.2 / 32**2
    rng = np.random.default_rng(2)
    u0 = jnp.asarray(rng.uniform(0.0, 1.0, (n, n)))
    v0 = jnp.asarray(rng.uniform(0.0, 1.0, (n, n)))

    def step(s):
        u, v = s
        return (u + dt * (op.diffusion_plane(u, 1.0, h) + v - u),
                v + dt * (op.diffusion_plane(v, 0.1, h) + u * v * (1.0 - v)))

    plain = (u0, v0)
    for _ in range(4):
        plain = step(plain)
    blocked = jax.jit(stp.strip_blocked(step, n, k=4, strip=8))((u0, v0))
    for a, b in zip(plain, blocked, strict=True):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=0, atol=1e-14)
