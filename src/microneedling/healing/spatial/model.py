"""Reaction-diffusion-chemotaxis of the healing kinetics over a field of micro-wounds.

Each grid cell carries the full state vector of the lumped healing model (species on the last axis) and
evolves under the SAME pointwise kinetics ``kinetics(y, params)`` (per day), plus transport between cells:
mobile species diffuse (growth factors, cells), and a cell species climbs the gradient of an attractant
(chemotaxis). The initial state mixes the resting and the freshly wounded state by the fraction of each
cell opened by a channel. A uniform field therefore reproduces the lumped model exactly (no gradients,
no net flux), which the tests check.

Outputs: new collagen maps, ``coverage`` (area fraction whose new collagen exceeds a threshold) and
``uniformity`` (``1 / (1 + CV)`` of new collagen over the area; 1 = perfectly even) against time.
The threshold is ``coverage_fraction`` times the peak new collagen of the lumped model started from
``y_reference`` (for the healing model: its reference session, dose 1), so coverage asks "how much of the
area is remodelled at least half as much as the well-mixed model says the reference session does?".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.healing.spatial.grid import PlaneGrid, RadialGrid
from microneedling.healing.spatial.operators import chemotaxis_plane, chemotaxis_radial
from microneedling.healing.spatial.stepping import apply_plane_factor, etd2, graded_steps, radial_eigensystem

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
    """The healing kinetics on a grid.

    ``y_rest``: unwounded state; ``y_wound``: state of a point fully opened by a channel; ``y_reference``:
    start of the lumped course that sets the coverage threshold; ``collagen_weights``: ``(index, weight)``
    pairs whose weighted sum is the collagen measure (resting level subtracted to give new collagen).
    """

    kinetics: Kinetics
    params: Any
    transport: Transport
    y_rest: np.ndarray
    y_wound: np.ndarray
    y_reference: np.ndarray
    collagen_weights: tuple[tuple[int, float], ...]
    coverage_fraction: float = 0.5
    linear_rates: tuple[float, ...] | None = None  # exact diagonal decays per species (<= 0), per day

    def initial_state(self, injured_fraction: np.ndarray) -> jnp.ndarray:
        """``y_rest + phi * (y_wound - y_rest)`` per cell; ``phi`` has the grid's spatial shape."""
        phi = jnp.asarray(injured_fraction)[..., None]
        return jnp.asarray(self.y_rest) + phi * (jnp.asarray(self.y_wound) - jnp.asarray(self.y_rest))

    def rates(self) -> np.ndarray:
        if self.linear_rates is None:
            return np.zeros(self.transport.species)
        return np.minimum(np.asarray(self.linear_rates, dtype=float), 0.0)

    def new_collagen(self, y):
        """Weighted collagen above the resting level (species on the last axis)."""
        rest = sum(w * float(np.asarray(self.y_rest)[i]) for i, w in self.collagen_weights)
        return sum(w * y[..., i] for i, w in self.collagen_weights) - rest


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


# --- steppers (y, dt) -> y_next -------------------------------------------------------------------------


_MEMO: dict = {}


def _memo(kind: str, problem: SpatialProblem, grid, build: Callable) -> Callable:
    """The same step function object for the same problem and grid, so jit compiles it once per process."""
    key = (kind, id(problem), grid)
    hit = _MEMO.get(key)
    if hit is None or hit[0] is not problem:
        hit = _MEMO[key] = (problem, build())
    return hit[1]


def plane_stepper(problem: SpatialProblem, grid: PlaneGrid) -> Callable:
    """One Strang step on the plane: half exact diffusion, ETD2 reaction + chemotaxis, half diffusion."""
    return _memo("plane", problem, grid, lambda: _plane_stepper(problem, grid))


def radial_stepper(problem: SpatialProblem, grid: RadialGrid) -> Callable:
    """One Strang step in the axisymmetric unit cell (exact radial diffusion, explicit rest)."""
    return _memo("radial", problem, grid, lambda: _radial_stepper(problem, grid))


def _plane_stepper(problem: SpatialProblem, grid: PlaneGrid) -> Callable:
    mob = problem.transport.mobile
    mob_idx = jnp.asarray(mob, dtype=int)
    d_mob = jnp.asarray([problem.transport.diffusivity_mm2_per_d[i] for i in mob], dtype=jnp.float64)
    sym = jnp.asarray(grid.laplacian_symbol())[:, :, None]
    react = etd2(_rhs_plane(problem, grid.h_mm), problem.rates())

    def diffuse(y, dt):
        if not mob:
            return y
        factor = jnp.exp(sym * d_mob * (0.5 * dt))
        return y.at[..., mob_idx].set(apply_plane_factor(y[..., mob_idx], factor))

    def step(y, dt):
        return diffuse(react(diffuse(y, dt), dt), dt)

    return step


def _radial_stepper(problem: SpatialProblem, grid: RadialGrid) -> Callable:
    mob = problem.transport.mobile
    mob_idx = jnp.asarray(mob, dtype=int)
    eig = [radial_eigensystem(grid, problem.transport.diffusivity_mm2_per_d[i]) for i in mob]
    react = etd2(_rhs_radial(problem, grid), problem.rates())
    if mob:
        w = jnp.asarray(np.stack([e[0] for e in eig]))  # (m, n) eigenvalues
        left = jnp.asarray(np.stack([e[1] for e in eig]))  # (m, n, n)  A^-1/2 Q
        right = jnp.asarray(np.stack([e[2] for e in eig]))  # (m, n, n)  Q^T A^1/2

    def diffuse(y, dt):
        if not mob:
            return y
        coeff = jnp.einsum("sij,js->si", right, y[:, mob_idx]) * jnp.exp(w * (0.5 * dt))
        return y.at[:, mob_idx].set(jnp.einsum("sij,sj->is", left, coeff))

    def step(y, dt):
        return diffuse(react(diffuse(y, dt), dt), dt)

    return step


@partial(jax.jit, static_argnums=(0,))
def _integrate(step: Callable, y0, dts):
    """Advance with the step sizes ``dts`` ``(saves, steps_per_save)``; return the state at every save."""

    def outer(y, dt_row):
        y, _ = jax.lax.scan(lambda v, dt: (step(v, dt), None), y, dt_row)
        return y, y

    _, ys = jax.lax.scan(outer, y0, dts)
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
        return np.clip(np.sum(above * self.weights, axis=tuple(range(1, above.ndim))), 0.0, 1.0)

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


def lumped_course(problem: SpatialProblem, dts: np.ndarray) -> np.ndarray:
    """Lumped (well-mixed) course from ``y_reference`` with the same reaction steps, shape ``(saves, S)``."""

    def build():
        return etd2(lambda v: problem.kinetics(v, problem.params), problem.rates())

    step = _memo("lumped", problem, None, build)
    return np.asarray(_integrate(step, jnp.asarray(problem.y_reference), jnp.asarray(dts)))


def _finish(problem, ys, weights, dts) -> SpatialResult:
    times = np.cumsum(dts.sum(axis=1))
    lumped_new = np.asarray(problem.new_collagen(jnp.asarray(lumped_course(problem, dts))))
    threshold = problem.coverage_fraction * float(np.max(lumped_new))
    return SpatialResult(times_d=times, states=np.asarray(ys), new_collagen=np.asarray(problem.new_collagen(ys)),
                         weights=weights, threshold=threshold, lumped_new_collagen=lumped_new)


def simulate_plane(problem: SpatialProblem, grid: PlaneGrid, injured_fraction: np.ndarray, t_end_d: float,
                   saves: int, steps_per_save: int, grading: float = 2.0) -> SpatialResult:
    """Run the periodic-plane model from the injury field to ``t_end_d`` on the graded step grid
    (:func:`microneedling.healing.spatial.stepping.graded_steps`); states are saved at ``T (j / saves)^grading``."""
    dts = graded_steps(t_end_d, saves, steps_per_save, grading)
    ys = _integrate(plane_stepper(problem, grid), problem.initial_state(injured_fraction), jnp.asarray(dts))
    weights = np.full((grid.n, grid.n), 1.0 / grid.cells)
    return _finish(problem, ys, weights, dts)


def simulate_radial(problem: SpatialProblem, grid: RadialGrid, injured_fraction: np.ndarray, t_end_d: float,
                    saves: int, steps_per_save: int, grading: float = 2.0) -> SpatialResult:
    """Run the axisymmetric unit-cell model (one channel in its share of the surface)."""
    dts = graded_steps(t_end_d, saves, steps_per_save, grading)
    ys = _integrate(radial_stepper(problem, grid), problem.initial_state(injured_fraction), jnp.asarray(dts))
    a = grid.ring_areas_mm2()
    return _finish(problem, ys, a / a.sum(), dts)
