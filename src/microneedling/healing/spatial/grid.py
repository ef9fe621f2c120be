"""Grids for the spatial model (lengths in mm).

:class:`PlaneGrid` is a square, periodic patch of the tissue plane at one depth, split into ``n x n``
equal square cells; the patch repeats, so a random puncture pattern on it stands for an infinite field of
the same density. :class:`RadialGrid` is the axisymmetric unit cell around one channel: a disc whose area
equals the area per channel (``1 / density``), with no flux through its rim by symmetry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PlaneGrid:
    """Periodic square patch: side ``length_mm`` split into ``n`` cells per side."""

    n: int
    length_mm: float

    def __post_init__(self) -> None:
        if self.n < 4:
            raise ValueError(f"n = {self.n}: need at least 4 cells per side")
        if not self.length_mm > 0.0:
            raise ValueError(f"length_mm = {self.length_mm}: must be positive")

    @property
    def h_mm(self) -> float:
        """Cell width, mm."""
        return self.length_mm / self.n

    @property
    def cell_area_mm2(self) -> float:
        return self.h_mm**2

    @property
    def cells(self) -> int:
        return self.n * self.n

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates ``(x, y)``, mm, each of shape ``(n, n)`` (``[i, j]`` = row ``y``, column ``x``)."""
        c = (np.arange(self.n) + 0.5) * self.h_mm
        x, y = np.meshgrid(c, c, indexing="xy")
        return x, y

    def laplacian_symbol(self) -> np.ndarray:
        """Eigenvalues (<= 0, 1/mm^2) of the 5-point finite-volume Laplacian for the real FFT modes.

        Shape ``(n, n // 2 + 1)``, matching ``numpy.fft.rfft2``. Using the discrete symbol (not ``-|k|^2``)
        makes the spectral step solve exactly the same semi-discrete system as the finite-volume fluxes.
        """
        h = self.h_mm
        ky = 2.0 * np.pi * np.fft.fftfreq(self.n)
        kx = 2.0 * np.pi * np.fft.rfftfreq(self.n)
        lam_y = (2.0 * np.cos(ky) - 2.0) / h**2
        lam_x = (2.0 * np.cos(kx) - 2.0) / h**2
        return lam_y[:, None] + lam_x[None, :]


@dataclass(frozen=True)
class RadialGrid:
    """Axisymmetric cell ``0 <= r <= radius_mm`` split into ``n`` rings of equal width."""

    n: int
    radius_mm: float

    def __post_init__(self) -> None:
        if self.n < 4:
            raise ValueError(f"n = {self.n}: need at least 4 rings")
        if not self.radius_mm > 0.0:
            raise ValueError(f"radius_mm = {self.radius_mm}: must be positive")

    @classmethod
    def unit_cell(cls, punctures_per_cm2: float, n: int) -> RadialGrid:
        """The disc with the area of one channel's share of the surface, ``pi R^2 = 1 / density``."""
        if not punctures_per_cm2 > 0.0:
            raise ValueError(f"punctures_per_cm2 = {punctures_per_cm2}: must be positive")
        area_mm2 = 100.0 / punctures_per_cm2
        return cls(n=n, radius_mm=math.sqrt(area_mm2 / math.pi))

    @property
    def h_mm(self) -> float:
        return self.radius_mm / self.n

    def faces(self) -> np.ndarray:
        """Ring boundaries ``r_{i-1/2}``, mm, shape ``(n + 1,)``, from 0 to the rim."""
        return np.linspace(0.0, self.radius_mm, self.n + 1)

    def centres(self) -> np.ndarray:
        f = self.faces()
        return 0.5 * (f[1:] + f[:-1])

    def ring_areas_mm2(self) -> np.ndarray:
        """Area of each ring, mm^2 (the finite-volume 'volumes' in the plane)."""
        f = self.faces()
        return np.pi * (f[1:] ** 2 - f[:-1] ** 2)
