"""The healing kinetics on a grid: uniform fields reduce to the lumped model; coverage grows with density.

Numbers: the lumped reference is the healing engine's own diffrax solution (rtol 1e-10), so the only
difference allowed is the time-stepping error of the spatial solver (ETD2RK, second order): halving every
step must cut it by ~4 (observed order in [1.7, 2.3]). Densities 50-400 per cm^2 bracket the ~250 holes/cm^2 of
about 15 roller passes of the usual technique (Doddaballapur 2009).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from microneedling import healing as H
from microneedling.healing.spatial.field import (
    channel_fraction_plane,
    channel_fraction_radial,
    nested_punctures,
)
from microneedling.healing.spatial.grid import PlaneGrid, RadialGrid
from microneedling.healing.spatial.model import (
    SpatialProblem,
    plane_stepper,
    radial_stepper,
    simulate_plane,
    simulate_radial,
)
from microneedling.healing.spatial.operators import plane_mass, radial_mass
from microneedling.healing.spatial.tissue import healing_problem, lumped_reference, point_dose


@pytest.fixture(scope="module")
def problem() -> SpatialProblem:
    return healing_problem(age_years=30.0)


def _rel_err(states, ref):
    scale = np.maximum(np.max(np.abs(ref), axis=0), 1e-6)
    return float(np.max(np.abs(states - ref) / scale))


def test_uniform_plane_field_is_the_lumped_model(problem):
    """Every cell opened by 1/point_dose of its area gets dose 1: the field must follow the lumped course."""
    grid = PlaneGrid(4, 1.0)
    phi = np.full((4, 4), 1.0 / point_dose())
    errs = []
    for steps in (40, 80):  # per save; 7 saves over 28 d on the graded grid
        res = simulate_plane(problem, grid, phi, 28.0, 7, steps)
        assert np.max(np.abs(res.states - res.states[:, :1, :1, :])) < 1e-12  # stays uniform
        ref = lumped_reference(problem, res.times_d, 1.0)
        errs.append(_rel_err(res.states[:, 0, 0, :], ref))
        assert res.uniformity[-1] == pytest.approx(1.0)
    assert errs[-1] < 0.01
    assert 1.7 <= np.log2(errs[0] / errs[1]) <= 2.3, errs


def test_uniform_radial_field_is_the_lumped_model(problem):
    grid = RadialGrid(6, 0.3)
    phi = np.full(6, 2.0 / point_dose())  # dose 2 everywhere
    res = simulate_radial(problem, grid, phi, 28.0, 7, 40)
    ref = lumped_reference(problem, res.times_d, 2.0)
    assert _rel_err(res.states[:, 0, :], ref) < 0.01
    assert np.max(np.abs(res.states - res.states[:, :1, :])) < 1e-9


def test_full_stepper_conserves_mobile_species_without_reactions(problem):
    """With the kinetics switched off, a Strang step only moves material (diffusion, and fibroblast chemotaxis
    up TGF-b switched on here): every species' total is kept."""
    moving = healing_problem(age_years=30.0, chemotaxis_mm2_per_d=1e-3).transport
    assert moving.chemotaxis
    still = SpatialProblem(kinetics=lambda y, p: jnp.zeros_like(y), params=None, transport=moving,
                           y_rest=problem.y_rest, y_wound=problem.y_wound, y_reference=problem.y_reference,
                           collagen_weights=problem.collagen_weights)
    grid = PlaneGrid(16, 1.0)
    phi = channel_fraction_plane(grid, np.array([[0.3, 0.4], [0.8, 0.1]]), 0.08)
    y0 = still.initial_state(phi)
    y = y0
    step = plane_stepper(still, grid)
    for _ in range(10):
        y = step(y, 0.05)
    np.testing.assert_allclose(plane_mass(y, grid.h_mm), plane_mass(y0, grid.h_mm), rtol=1e-12)
    rg = RadialGrid(20, 0.3)
    v0 = still.initial_state(channel_fraction_radial(rg, 0.035))
    v = v0
    rstep = radial_stepper(still, rg)
    for _ in range(10):
        v = rstep(v, 0.05)
    np.testing.assert_allclose(radial_mass(v, rg), radial_mass(v0, rg), rtol=1e-10)


def test_coverage_and_collagen_rise_with_density(problem):
    """Same patch, more channels (nested fields): mean new collagen and coverage at 12 weeks do not fall."""
    grid = PlaneGrid(24, 2.4)
    densities = [50.0, 150.0, 400.0]
    fields = nested_punctures(densities, grid.length_mm, seed=7)
    mean, cov = [], []
    for pts in fields:
        phi = channel_fraction_plane(grid, pts, 0.05)
        res = simulate_plane(problem, grid, phi, 84.0, 4, 40)
        assert np.all((res.coverage >= 0.0) & (res.coverage <= 1.0))
        mean.append(res.mean_new_collagen[-1])
        cov.append(res.coverage[-1])
    assert mean[0] < mean[1] < mean[2], mean
    assert cov[0] <= cov[1] <= cov[2] and cov[2] > cov[0], cov


def test_no_channels_no_new_collagen(problem):
    """An untouched patch stays at rest: zero new collagen, zero coverage."""
    grid = PlaneGrid(8, 1.0)
    res = simulate_plane(problem, grid, np.zeros((8, 8)), 14.0, 2, 20)
    assert np.max(np.abs(res.new_collagen)) < 1e-9
    assert np.all(res.coverage == 0.0)


def test_reference_uses_healing_species():
    """The collagen measure is the type-I-weighted sum of C1 and C3, as in the healing model."""
    prob = healing_problem()
    idx = dict(prob.collagen_weights)
    assert set(idx) == {H.C1, H.C3}
    assert idx[H.C1] + idx[H.C3] == pytest.approx(1.0)
