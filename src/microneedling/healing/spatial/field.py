"""Initial injury field: the fraction of each grid cell's area opened by a needle channel.

A channel is a disc of radius ``channel_radius_mm`` (its cross-section at the modelled depth) centred on a
puncture. On the periodic plane the minimum-image distance is used, so a channel near an edge wraps round.
Coverage of each cell is estimated on ``sub x sub`` sample points per cell (exact as ``sub`` grows).
"""

from __future__ import annotations

import numpy as np

from microneedling.healing.spatial.grid import PlaneGrid, RadialGrid


def uniform_punctures(punctures_per_cm2: float, length_mm: float, rng: np.random.Generator) -> np.ndarray:
    """Puncture centres ``(k, 2)``, mm, for a spatially random (Poisson) field on a periodic square patch.

    The count is Poisson with mean ``density * area`` (a pass of a roller or pen leaves holes whose positions,
    at the scale of the patch, are independent of each other).
    """
    if punctures_per_cm2 < 0.0:
        raise ValueError(f"punctures_per_cm2 = {punctures_per_cm2}: must be >= 0")
    mean = punctures_per_cm2 * (length_mm / 10.0) ** 2
    k = int(rng.poisson(mean))
    return rng.uniform(0.0, length_mm, size=(k, 2))


def nested_punctures(densities_per_cm2: list[float], length_mm: float, seed: int) -> list[np.ndarray]:
    """Puncture fields for increasing densities on one patch, each containing the previous one.

    The points are one uniform random sequence; density ``d`` takes its first ``round(d * area)`` points,
    so comparing densities compares the same tissue with more channels added (no sampling noise between them).
    """
    area_cm2 = (length_mm / 10.0) ** 2
    counts = [int(round(d * area_cm2)) for d in densities_per_cm2]
    pts = np.random.default_rng(seed).uniform(0.0, length_mm, size=(max(counts, default=0), 2))
    return [pts[:k] for k in counts]


def channel_fraction_plane(grid: PlaneGrid, centres_mm: np.ndarray, channel_radius_mm: float,
                           sub: int = 4) -> np.ndarray:
    """Fraction (0-1) of each cell's area inside any channel, shape ``(n, n)``."""
    n, h, length = grid.n, grid.h_mm, grid.length_mm
    offs = (np.arange(sub) + 0.5) / sub * h
    c = np.arange(n) * h
    pts = (c[:, None] + offs[None, :]).ravel()  # n*sub sample coordinates per axis
    hit = np.zeros((pts.size, pts.size), dtype=bool)
    for cx, cy in np.asarray(centres_mm, dtype=float).reshape(-1, 2):
        dx = (pts - cx + 0.5 * length) % length - 0.5 * length
        dy = (pts - cy + 0.5 * length) % length - 0.5 * length
        ix = np.abs(dx) <= channel_radius_mm
        iy = np.abs(dy) <= channel_radius_mm
        if not ix.any() or not iy.any():
            continue
        sub_y, sub_x = np.nonzero(iy)[0], np.nonzero(ix)[0]
        inside = dy[sub_y][:, None] ** 2 + dx[sub_x][None, :] ** 2 <= channel_radius_mm**2
        hit[np.ix_(sub_y, sub_x)] |= inside
    return hit.reshape(n, sub, n, sub).mean(axis=(1, 3))


def channel_fraction_radial(grid: RadialGrid, channel_radius_mm: float) -> np.ndarray:
    """Fraction of each ring's area inside the channel ``r <= channel_radius_mm`` (exact), shape ``(n,)``."""
    f = grid.faces()
    inner = np.clip(np.minimum(f[1:], channel_radius_mm), f[:-1], None)
    return (inner**2 - f[:-1] ** 2) / (f[1:] ** 2 - f[:-1] ** 2)
