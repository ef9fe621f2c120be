"""Puncture field: holes per cm2 from device and passes, overlap, coverage, spatial pattern.

Each pass lays a fresh set of punctures at random positions (a Poisson field of the device's per-pass
density: a hand-moved drum or pen starts each pass at a random phase and direction). Punctures whose
centres fall within one channel diameter of an earlier hole open no new hole, so the expected number of
distinct holes after ``n`` punctures per unit area is ``(1 - exp(-n a)) / a`` with ``a = pi (2 r)^2``
(random sequential covering). The fraction of surface inside a channel is ``1 - exp(-n pi r^2)`` (Boolean
model). The nearest-neighbour distance of a Poisson field has CDF ``1 - exp(-n pi r^2)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from scipy.spatial import cKDTree

from microneedling.mechanics.devices import FittedDevice

UM2_PER_CM2 = 1e8


def _xp(*values):
    """jax.numpy when any value is a JAX array (jit/vmap/grad), else NumPy (fast for plain floats)."""
    return jnp if any(isinstance(v, jax.Array) for v in values) else np


def distinct_holes_per_cm2(punctures_per_cm2, channel_radius_um):
    """Expected distinct holes per cm2 after ``punctures_per_cm2`` punctures of radius ``channel_radius_um``."""
    xp = _xp(punctures_per_cm2, channel_radius_um)
    a = math.pi * (2.0 * xp.asarray(channel_radius_um, dtype=float)) ** 2 / UM2_PER_CM2
    n = xp.asarray(punctures_per_cm2, dtype=float)
    return xp.where(a > 0, -xp.expm1(-n * a) / xp.where(a > 0, a, 1.0), n)


def coverage_fraction(punctures_per_cm2, channel_radius_um):
    """Fraction of the surface inside at least one channel (Boolean model)."""
    xp = _xp(punctures_per_cm2, channel_radius_um)
    return -xp.expm1(-xp.asarray(punctures_per_cm2) * math.pi * xp.asarray(channel_radius_um) ** 2 / UM2_PER_CM2)


def nearest_neighbour_cdf(distance_um, punctures_per_cm2):
    """CDF of the distance from a puncture to its nearest neighbour in a Poisson field."""
    xp = _xp(distance_um, punctures_per_cm2)
    return -xp.expm1(-xp.asarray(punctures_per_cm2) * math.pi * xp.asarray(distance_um) ** 2 / UM2_PER_CM2)


@dataclass(frozen=True)
class PunctureField:
    """Expected puncture field of one session on one zone (units in names)."""

    device: str
    passes: int
    punctures_per_cm2: float
    holes_per_cm2: float
    channel_radius_um: float
    coverage_fraction: float

    @property
    def mean_hole_spacing_um(self) -> float:
        """Mean nearest-neighbour distance of the holes, 0.5 / sqrt(density) (Poisson field)."""
        return 0.5 * 1e4 / math.sqrt(self.holes_per_cm2) if self.holes_per_cm2 > 0 else math.inf


def puncture_field(dev: FittedDevice, passes: int, channel_radius_um: float) -> PunctureField:
    """Expected field after ``passes`` passes of ``dev`` making channels of ``channel_radius_um``."""
    n = dev.holes_per_pass_per_cm2 * passes if channel_radius_um > 0 else 0.0
    return PunctureField(device=dev.name, passes=passes, punctures_per_cm2=n,
                         holes_per_cm2=float(distinct_holes_per_cm2(n, channel_radius_um)),
                         channel_radius_um=channel_radius_um,
                         coverage_fraction=float(coverage_fraction(n, channel_radius_um)))


def sample_punctures(seed: int, per_pass_per_cm2: float, passes: int, side_mm: float) -> np.ndarray:
    """Random puncture centres (mm, shape (n, 2)) of ``passes`` passes over a ``side_mm`` square, in order."""
    rng = np.random.default_rng(seed)
    area_cm2 = (side_mm / 10.0) ** 2
    counts = rng.poisson(per_pass_per_cm2 * area_cm2, size=passes)
    return rng.uniform(0.0, side_mm, size=(int(counts.sum()), 2))


def count_distinct_holes(points_mm: np.ndarray, channel_radius_um: float) -> int:
    """Holes left by punctures made in order: a puncture within one channel diameter of an earlier puncture
    opens no new hole (the rule behind :func:`distinct_holes_per_cm2`)."""
    pairs = cKDTree(points_mm).query_pairs(2.0 * channel_radius_um / 1e3, output_type="ndarray")
    merged = np.unique(pairs.max(axis=1)) if len(pairs) else np.zeros(0, dtype=int)
    return int(len(points_mm) - len(merged))


def nearest_neighbour_distances_um(points_mm: np.ndarray, side_mm: float | None = None) -> np.ndarray:
    """Distance (um) from each point to its nearest other point (periodic square of ``side_mm`` if given)."""
    pts = np.mod(points_mm, side_mm) if side_mm else points_mm
    d, _ = cKDTree(pts, boxsize=side_mm).query(pts, k=2)
    return 1e3 * d[:, 1]
