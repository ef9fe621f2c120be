"""The healing model of :mod:`microneedling.healing.model` on a grid: which species move, how fast, and the wound.

One source of truth for the reactions: every grid cell evolves under :func:`microneedling.healing.model.kinetics`.
This module only adds transport and the spatial form of the injury:

* mobile signals: the injury signal ``P`` and TGF-b ``T`` diffuse with the growth-factor diffusivity
  (``spatial_transport.csv``, Nauman et al. 2007);
* motile cells: inflammatory and repair macrophages and fibroblasts random-walk with the cell motility
  (calibrated, see the CSV); myofibroblasts, collagen, MMP, elastin and alignment stay where they are;
* optional chemotaxis of fibroblasts up TGF-b gradients (``chi``, off by default: no sourced value);
* the wound: the healing model's session dose is the injured dermal volume relative to its reference
  session (:func:`microneedling.healing.model.injury_dose`). A point inside a channel is fully injured, so its
  local dose is ``1 / reference_fraction``; a grid cell opened over a fraction ``phi`` of its area gets
  ``phi / reference_fraction``; the area mean of the local dose is the lumped dose of a dermis injured
  everywhere as at the modelled depth (the lumped model averages over the whole dermal thickness instead).
"""

from __future__ import annotations

from functools import lru_cache

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.healing import model as H
from microneedling.healing.solvers import simulate_reference
from microneedling.healing.spatial.model import SpatialProblem, Transport
from microneedling.params import parameter_value
from microneedling.units import convert

MOBILE_SIGNALS = (H.P, H.T, H.Q)  # injury signal, TGF-b and the monocyte-recruiting signal diffuse
MOTILE_CELLS = (H.MI, H.MR, H.F)


def growth_factor_diffusivity_mm2_per_d() -> float:
    """Growth-factor diffusivity, mm^2/d (Nauman 2007: IGF-I in fibrin, 1.59e-6 cm^2/s)."""
    return convert(parameter_value("spatial.growth_factor.diffusivity_cm2_per_s"), "cm2_per_s", "mm2_per_d")


def cell_motility_mm2_per_d() -> float:
    """Random motility of fibroblasts and macrophages, mm^2/d (calibrated on channel closure)."""
    return parameter_value("spatial.cell.random_motility_mm2_per_d")


def healing_transport(motility_scale: float = 1.0, chemotaxis_mm2_per_d: float = 0.0) -> Transport:
    """Transport of the healing species: diffusing signals, motile cells, optional fibroblast chemotaxis.

    ``chemotaxis_mm2_per_d`` is the sensitivity ``chi`` per unit of TGF-b (the healing model's TGF-b unit).
    """
    d = [0.0] * H.N_SPECIES
    for i in MOBILE_SIGNALS:
        d[i] = growth_factor_diffusivity_mm2_per_d()
    for i in MOTILE_CELLS:
        d[i] = cell_motility_mm2_per_d() * motility_scale
    chemo = ((H.F, H.T, float(chemotaxis_mm2_per_d)),) if chemotaxis_mm2_per_d > 0.0 else ()
    return Transport(tuple(d), chemo)


def point_dose() -> float:
    """Healing-model dose of a point fully opened by a channel: ``1 / reference dermal volume fraction``."""
    return 1.0 / parameter_value("healing.dose.reference_dermal_volume_fraction")


@lru_cache(maxsize=32)
def healing_problem(age_years: float = 30.0, motility_scale: float = 1.0, chemotaxis_mm2_per_d: float = 0.0,
                    coverage_fraction: float = 0.5) -> SpatialProblem:
    """The spatial problem for a patient of ``age_years`` (healing parameters from their CSVs).

    Cached: the same arguments give the same object, so its compiled steppers are reused.
    """
    p = H.default_healing_params(age_years)
    rest = np.asarray(H.baseline_state(p))
    wound = rest.copy()
    wound[H.P] += point_dose()
    reference = rest.copy()
    reference[H.P] += 1.0  # the reference session of the healing calibration
    w1 = float(p.collagen1_fraction)
    # fast decays advanced exactly: the negative diagonal of the kinetics' Jacobian at rest
    diag = np.diag(np.asarray(jax.jacfwd(lambda y: H.kinetics(y, p))(jnp.asarray(rest))))
    return SpatialProblem(
        kinetics=H.kinetics, params=p, transport=healing_transport(motility_scale, chemotaxis_mm2_per_d),
        y_rest=rest, y_wound=wound, y_reference=reference,
        collagen_weights=((H.C1, w1), (H.C3, 1.0 - w1)), coverage_fraction=coverage_fraction,
        linear_rates=tuple(float(v) for v in np.minimum(diag, 0.0)),
    )


def lumped_reference(problem: SpatialProblem, days: np.ndarray, dose: float) -> np.ndarray:
    """The healing engine's own (diffrax) solution for one session of ``dose`` at day 0, at ``days``."""
    return np.asarray(simulate_reference(problem.params, jnp.array([0.0]), jnp.array([dose]),
                                           jnp.asarray(days, dtype=jnp.float64)))
