"""Spatial model: its transport against the measurements its coefficients come from.

No published spatial map of remodelling after microneedling was found, so these comparisons check the
chain from the published numbers to the simulated transport (units, grids, time stepping), not independent
predictions: the growth-factor spread of the solver against Nauman et al. 2007's diffusivity, and the
refilling of an emptied channel by random-walking cells against Kalluri et al. 2011's closure time (the
motility was fitted to it).
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from microneedling.healing.spatial.grid import PlaneGrid, RadialGrid
from microneedling.healing.spatial.stepping import (
    apply_plane_factor,
    plane_diffusion_factor,
    radial_eigensystem,
)
from microneedling.healing.spatial.tissue import cell_motility_mm2_per_d, growth_factor_diffusivity_mm2_per_d
from microneedling.params import parameter_value
from microneedling.units import convert
from microneedling.validation.registry import Comparison, comparison, max_rel_error


@comparison("spatial_growth_factor_spread_nauman2007", fast=True)
def growth_factor_spread() -> Comparison:
    """Effective diffusivity <r^2> / (4 t) of a point release on the plane after 15, 30 and 60 min."""
    d = growth_factor_diffusivity_mm2_per_d()
    grid = PlaneGrid(128, 12.0)
    x, y = grid.centres()
    r2 = (x - 6.0 - grid.h_mm / 2) ** 2 + (y - 6.0 - grid.h_mm / 2) ** 2
    u0 = np.zeros((128, 128))
    u0[64, 64] = 1.0
    hours = [0.25, 0.5, 1.0]  # spread <= 1.5 mm: periodic images on the 12 mm patch negligible
    observed = parameter_value("spatial.growth_factor.diffusivity_cm2_per_s")
    predicted = []
    for h in hours:
        t = h / 24.0
        u = np.asarray(apply_plane_factor(jnp.asarray(u0), plane_diffusion_factor(grid, d, t)))
        d_eff = float(np.sum(u * r2) / np.sum(u)) / (4.0 * t)  # the 5-point stencil grows <r^2> by exactly 4 D t
        predicted.append(convert(d_eff, "mm2_per_d", "cm2_per_s"))
    return Comparison(
        name="spatial_growth_factor_spread_nauman2007", title="Growth-factor spread on the spatial grid",
        quantity="diffusivity (cm^2/s)", x_label="hours after release", x=hours, observed=[observed] * 3,
        observed_err=[0.0] * 3, predicted=predicted, metric="max relative error",
        error=max_rel_error([observed] * 3, predicted), tolerance=0.01, sources=["Nauman2007"],
        notes="Consistency of the solver with the published diffusivity it uses (IGF-I in fibrin), not an "
              "independent test.")


def _centre_refill_time_h(radius_mm: float, d_mm2_per_d: float) -> float:
    """Hours until the centre of an emptied disc of ``radius_mm`` refills to 1/e of the surrounding density.

    The radial operator is diagonalised once (:func:`radial_eigensystem`); the centre at time t is then the first
    row of ``exp(t L) = left diag(exp(w t)) right`` (:func:`radial_diffusion_propagator`) applied to the
    initial density, a dot product per bisection step instead of a new 400 x 400 eigen-decomposition."""
    grid = RadialGrid(400, 10.0 * radius_mm)
    r = grid.centres()
    u0 = (r > radius_mm).astype(float)
    w, left, right = radial_eigensystem(grid, d_mm2_per_d)
    centre_row, modes0 = left[0], right @ u0

    def centre(t_d: float) -> float:
        return float((centre_row * np.exp(w * t_d)) @ modes0)

    lo, hi = 1e-4, 10.0
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if centre(mid) < math.exp(-1.0) else (lo, mid)
    return 24.0 * math.sqrt(lo * hi)


@comparison("spatial_channel_refill_kalluri2011", fast=True)
def channel_refill() -> Comparison:
    """Channel refilling by random-walking cells vs the observed closure of 770 um roller channels."""
    radius_mm = parameter_value("spatial.cell.channel_radius_um") / 1e3
    observed = parameter_value("spatial.cell.channel_closure_h")
    predicted = _centre_refill_time_h(radius_mm, cell_motility_mm2_per_d())
    return Comparison(
        name="spatial_channel_refill_kalluri2011", title="Channel refilling by cell random motility",
        quantity="closure time (h)", x_label="channel", x=["770 um DermaRoller channel, r = 35 um"],
        observed=[observed], observed_err=[0.0], predicted=[predicted], metric="max relative error",
        error=max_rel_error([observed], [predicted]), tolerance=0.05, sources=["Kalluri2011"],
        notes="The cell motility was calibrated to this closure (centre back to 1/e of the surroundings: "
              "exp(-r^2 / (4 D t)) for an emptied disc); the check covers the solver and units. Rat skin; "
              "closure also involves recoil, so the motility is a lower estimate.")
