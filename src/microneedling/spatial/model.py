"""Reaction-diffusion-chemotaxis of the healing kinetics over a field of micro-wounds.

Each grid cell carries the full state vector of the lumped healing model (species on the last axis) and
evolves under the SAME pointwise kinetics ``kinetics(y, params)`` (per day), plus transport between cells:
mobile species diffuse (growth factors, cells), and a cell species climbs the gradient of an attractant
(chemotaxis). The initial state mixes the resting and the freshly wounded state by the fraction of each
cell opened by a channel. A uniform field therefore reproduces the lumped model exactly (no gradients,
no net flux), which the tests check.

Outputs: new collagen maps, ``coverage`` (area fraction whose new collagen exceeds a threshold) and
``uniformity`` (``1 / (1 + CV)`` of new collagen over the area; 1 = perfectly even) against time.
The threshold is ``coverage_fraction`` times the peak new collagen of a confluent wound (the lumped model
started from the wounded state), so coverage asks "how much of the area is remodelled at least half as
much as a wound that covered everything?".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.spatial.grid import PlaneGrid, RadialGrid
from microneedling.spatial.operators import chemotaxis_plane, chemotaxis_radial
from microneedling.spatial.stepping import (
    apply_plane_factor,
    apply_radial_propagators,
    heun,
    plane_diffusion_factor,
    radial_propagators,
)

Kinetics = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Transport:
    """Which species move and how.

    ``diffusivity_mm2_per_d``: one value per species (0 = immobile).
    ``chemotaxis``: ``(cell_index, attractant_index, chi)`` triples; flux ``chi * n * grad c`` with ``chi`` in
    mm^2/d per unit of attractant.
    """

    diffusivity_mm2_per_d: tuple[float, ...]
    chemotaxis: tuple[tuple[int, int, float], ...] = ()

    def __post_init__(self) -> None:
        if any(d < 0.0 or not np.isfinite(d) for d in self.diffusivity_mm2_per_d):
            raise ValueError(f"diffusivities must be finite and >= 0: {self.diffusivity_mm2_per_d}")
        for cell, attr, chi in self.chemotaxis:
            if not (0 <= cell < self.species and 0 <= attr < self.species) or chi < 0.0:
                raise ValueError(f"bad chemotaxis term {(cell, attr, chi)}")

    @property
    def species(self) -> int:
        return len(self.diffusivity_mm2_per_d)

    @property
    def mobile(self) -> tuple[int, ...]:
        return tuple(i for i, d in enumerate(self.diffusivity_mm2_per_d) if d > 0.0)


@dataclass(frozen=True)
class SpatialProblem:
    """The healing kinetics on a grid: state at rest and just after wounding, transport, collagen species."""

    kinetics: Kinetics
    params: Any
    transport: Transport
    y_rest: np.ndarray
    y_wound: np.ndarray
    collagen_indices: tuple[int, ...]
    coverage_fraction: float = 0.5
    extra: dict = field(default_factory=dict)

    def initial_state(self, injured_fraction: np.ndarray) -> jnp.ndarray:
        """``y_rest + phi * (y_wound - y_rest)`` per cell; ``phi`` has the grid's spatial shape."""
        phi = jnp.asarray(injured_fraction)[..., None]
        return jnp.asarray(self.y_rest) + phi * (jnp.asarray(self.y_wound) - jnp.asarray(self.y_rest))

    def new_collagen(self, y):
        """Collagen above the resting level, summed over the collagen species (last axis)."""
        idx = jnp.asarray(self.collagen_indices)
        rest = jnp.sum(jnp.asarray(self.y_rest)[idx])
        return jnp.sum(y[..., idx], axis=-1) - rest


# --- right-hand sides ---------------------------------------------------------------------------------


def _rhs_plane(problem: SpatialProblem, h: float):
    tr = problem.transport

    def rhs(y):
        dy = problem.kinetics(y, problem.params)
        for cell, attr, chi in tr.chemotaxis:
            dy = dy.at[..., cell].add(chemotaxis_plane(y[..., cell], y[..., attr], chi, h))
        return dy

    return rhs


def _rhs_radial(problem: SpatialProblem, grid: RadialGrid):
    tr = problem.transport

    def rhs(y):
        dy = problem.kinetics(y, problem.params)
        for cell, attr, chi in tr.chemotaxis:
            dy = dy.at[..., cell].add(chemotaxis_radial(y[..., cell], y[..., attr], chi, grid))
        return dy

    return rhs


# --- steppers -----------------------------------------------------------------------------------------


def plane_stepper(problem: SpatialProblem, grid: PlaneGrid, dt_d: float) -> Callable:
    """One Strang step (half exact diffusion, Heun reaction + chemotaxis, half diffusion) on the plane."""
    mob = problem.transport.mobile
    mob_idx = jnp.asarray(mob, dtype=int)
    d_mob = [problem.transport.diffusivity_mm2_per_d[i] for i in mob]
    half = plane_diffusion_factor(grid, d_mob, 0.5 * dt_d) if mob else None
    rhs = _rhs_plane(problem, grid.h_mm)

    def diffuse(y):
        if not mob:
            return y
        return y.at[..., mob_idx].set(apply_plane_factor(y[..., mob_idx], half))

    def step(y):
        return diffuse(heun(rhs, diffuse(y), dt_d))

    return step


def radial_stepper(problem: SpatialProblem, grid: RadialGrid, dt_d: float) -> Callable:
    """One Strang step in the axisymmetric unit cell (exact radial diffusion, explicit rest)."""
    mob = problem.transport.mobile
    mob_idx = jnp.asarray(mob, dtype=int)
    props = radial_propagators(grid, [problem.transport.diffusivity_mm2_per_d[i] for i in mob], 0.5 * dt_d) \
        if mob else None
    rhs = _rhs_radial(problem, grid)

    def diffuse(y):
        if not mob:
            return y
        return y.at[:, mob_idx].set(apply_radial_propagators(y[:, mob_idx], props))

    def step(y):
        return diffuse(heun(rhs, diffuse(y), dt_d))

    return step


@partial(jax.jit, static_argnums=(0, 2, 3))
def _integrate(step: Callable, y0, saves: int, steps_per_save: int):
    def outer(y, _):
        y = jax.lax.fori_loop(0, steps_per_save, lambda _, v: step(v), y)
        return y, y

    _, ys = jax.lax.scan(outer, y0, None, length=saves)
    return ys


@dataclass(frozen=True)
class SpatialResult:
    """Saved states and derived maps. ``times_d`` shape ``(T,)``; maps ``(T, *grid)``."""

    times_d: np.ndarray
    states: np.ndarray
    new_collagen: np.ndarray
    weights: np.ndarray  # area weight of each grid cell (sums to 1)
    threshold: float
    lumped_new_collagen: np.ndarray

    @property
    def coverage(self) -> np.ndarray:
        """Area fraction with new collagen above the threshold, per saved time."""
        above = self.new_collagen > self.threshold
        return np.sum(above * self.weights, axis=tuple(range(1, above.ndim)))

    @property
    def uniformity(self) -> np.ndarray:
        """``1 / (1 + CV)`` of new collagen over the area per saved time (1 = perfectly uniform)."""
        axes = tuple(range(1, self.new_collagen.ndim))
        mean = np.sum(self.new_collagen * self.weights, axis=axes)
        var = np.sum((self.new_collagen - mean.reshape((-1,) + (1,) * len(axes))) ** 2 * self.weights, axis=axes)
        cv = np.sqrt(var) / np.where(np.abs(mean) > 0.0, np.abs(mean), np.inf)
        return 1.0 / (1.0 + cv)

    @property
    def mean_new_collagen(self) -> np.ndarray:
        axes = tuple(range(1, self.new_collagen.ndim))
        return np.sum(self.new_collagen * self.weights, axis=axes)


def lumped_course(problem: SpatialProblem, t_end_d: float, dt_d: float, saves: int) -> np.ndarray:
    """States of the lumped model from ``y0`` = wounded state with the same Heun steps, shape ``(saves, S)``."""
    steps = _steps(t_end_d, dt_d, saves)
    def rhs(v):
        return problem.kinetics(v, problem.params)

    ys = _integrate(lambda y: heun(rhs, y, dt_d), jnp.asarray(problem.y_wound), saves, steps)
    return np.asarray(ys)


def _steps(t_end_d: float, dt_d: float, saves: int) -> int:
    steps = max(1, int(round(t_end_d / (dt_d * saves))))
    if abs(steps * dt_d * saves - t_end_d) > 1e-9 * max(1.0, t_end_d):
        raise ValueError(f"t_end_d = {t_end_d} is not a multiple of dt_d * saves = {dt_d * saves}")
    return steps


def _finish(problem, ys, weights, t_end_d, dt_d, saves, steps) -> SpatialResult:
    times = np.arange(1, saves + 1) * steps * dt_d
    lumped = lumped_course(problem, t_end_d, dt_d, saves)
    lumped_new = np.asarray(problem.new_collagen(jnp.asarray(lumped)))
    threshold = problem.coverage_fraction * float(np.max(lumped_new))
    return SpatialResult(times_d=times, states=np.asarray(ys), new_collagen=np.asarray(problem.new_collagen(ys)),
                         weights=weights, threshold=threshold, lumped_new_collagen=lumped_new)


def simulate_plane(problem: SpatialProblem, grid: PlaneGrid, injured_fraction: np.ndarray, t_end_d: float,
                   dt_d: float, saves: int) -> SpatialResult:
    """Run the periodic-plane model from the injury field to ``t_end_d``, saving ``saves`` equally spaced states."""
    steps = _steps(t_end_d, dt_d, saves)
    y0 = problem.initial_state(injured_fraction)
    ys = _integrate(plane_stepper(problem, grid, dt_d), y0, saves, steps)
    weights = np.full((grid.n, grid.n), 1.0 / grid.cells)
    return _finish(problem, ys, weights, t_end_d, dt_d, saves, steps)


def simulate_radial(problem: SpatialProblem, grid: RadialGrid, injured_fraction: np.ndarray, t_end_d: float,
                    dt_d: float, saves: int) -> SpatialResult:
    """Run the axisymmetric unit-cell model (one channel in its share of the surface)."""
    steps = _steps(t_end_d, dt_d, saves)
    y0 = problem.initial_state(injured_fraction)
    ys = _integrate(radial_stepper(problem, grid, dt_d), y0, saves, steps)
    a = grid.ring_areas_mm2()
    return _finish(problem, ys, a / a.sum(), t_end_d, dt_d, saves, steps)
