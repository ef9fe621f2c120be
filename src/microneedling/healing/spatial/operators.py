"""Conservative finite-volume transport operators (lengths mm, times d, diffusivities mm^2/d).

Every operator is a flux difference: what leaves one cell through a face enters its neighbour, so the sum
over a periodic patch (or over the rings of a closed radial cell, weighted by ring area) is unchanged up to
rounding. Plane fields have the two spatial axes first, ``(n, n, ...)``; radial fields ``(n, ...)``.

Chemotaxis uses first-order upwinding of the cell density on each face (Keller-Segel flux
``J = chi * n * grad c``), which keeps densities non-negative under the explicit step limit.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from microneedling.healing.spatial.grid import RadialGrid

# --- periodic plane ----------------------------------------------------------------------------------


def _forward_diff(u, axis: int, h: float):
    """(u[i+1] - u[i]) / h on every face i+1/2 of a periodic axis."""
    return (jnp.roll(u, -1, axis=axis) - u) / h


def _div_faces(flux, axis: int, h: float):
    """Finite-volume divergence of face fluxes (flux[i] sits on face i+1/2)."""
    return (flux - jnp.roll(flux, 1, axis=axis)) / h


def laplacian_plane(u, h: float):
    """5-point Laplacian on a periodic plane (spatial axes 0, 1): the finite-volume flux difference
    ``sum over faces (u_neighbour - u) / h^2`` for a uniform grid; conservative (sums to zero)."""
    return (jnp.roll(u, 1, 0) + jnp.roll(u, -1, 0) + jnp.roll(u, 1, 1) + jnp.roll(u, -1, 1) - 4.0 * u) / (h * h)


def diffusion_plane(u, diffusivity, h: float):
    """``D lap u`` for a diffusivity uniform in space (``diffusivity`` broadcasts on trailing axes)."""
    return diffusivity * laplacian_plane(u, h)


def chemotaxis_plane(n, c, chi, h: float):
    """``-div(chi * n * grad c)``: cells ``n`` climbing the gradient of attractant ``c`` (upwind on faces)."""
    out = 0.0
    for axis in (0, 1):
        v = chi * _forward_diff(c, axis, h)  # face velocity, mm/d
        n_up = jnp.where(v > 0.0, n, jnp.roll(n, -1, axis=axis))
        out = out - _div_faces(v * n_up, axis, h)
    return out


def plane_mass(u, h: float):
    """Integral of ``u`` over the patch (amount, in ``u``'s unit times mm^2)."""
    return jnp.sum(u, axis=(0, 1)) * h * h


# --- axisymmetric unit cell ----------------------------------------------------------------------------


def radial_geometry(grid: RadialGrid) -> tuple[np.ndarray, np.ndarray]:
    """``(face_weight, ring_area)``: ``2 pi r_face / h`` for the n - 1 inner faces, and ring areas (mm^2)."""
    faces = grid.faces()
    inner = faces[1:-1]
    return 2.0 * np.pi * inner / grid.h_mm, grid.ring_areas_mm2()


def _radial_div(face_flux_total, area):
    """Net inflow per ring area from total fluxes through the inner faces (no flux at r = 0 and at the rim)."""
    pad = [(1, 1)] + [(0, 0)] * (face_flux_total.ndim - 1)
    f = jnp.pad(face_flux_total, pad)
    return -(f[1:] - f[:-1]) / area.reshape((-1,) + (1,) * (face_flux_total.ndim - 1))


def diffusion_radial(u, diffusivity, grid: RadialGrid):
    """``div(D grad u)`` in the axisymmetric cell with no flux at the centre and at the rim."""
    w, area = radial_geometry(grid)
    wb = jnp.asarray(w).reshape((-1,) + (1,) * (u.ndim - 1))
    total = -diffusivity * wb * (u[1:] - u[:-1])  # amount per day crossing each inner face outwards
    return _radial_div(total, jnp.asarray(area))


def chemotaxis_radial(n, c, chi, grid: RadialGrid):
    """``-div(chi n grad c)`` in the axisymmetric cell (upwind ``n`` on faces)."""
    w, area = radial_geometry(grid)
    wb = jnp.asarray(w).reshape((-1,) + (1,) * (n.ndim - 1))
    v = chi * (c[1:] - c[:-1])  # times 1/h inside wb
    n_up = jnp.where(v > 0.0, n[:-1], n[1:])
    total = wb * v * n_up
    return _radial_div(total, jnp.asarray(area))


def radial_mass(u, grid: RadialGrid):
    """Integral of ``u`` over the unit cell, weighted by ring area."""
    area = jnp.asarray(grid.ring_areas_mm2()).reshape((-1,) + (1,) * (u.ndim - 1))
    return jnp.sum(u * area, axis=0)


def radial_diffusion_matrix_bands(grid: RadialGrid, diffusivity: float) -> tuple[np.ndarray, ...]:
    """Tridiagonal bands ``(lower, diag, upper)`` of the radial operator ``L`` with ``du/dt = L u``."""
    w, area = radial_geometry(grid)
    n = grid.n
    lower = np.zeros(n)
    upper = np.zeros(n)
    diag = np.zeros(n)
    coup = diffusivity * w  # per inner face
    upper[:-1] = coup / area[:-1]
    lower[1:] = coup / area[1:]
    diag[:-1] -= coup / area[:-1]
    diag[1:] -= coup / area[1:]
    return lower, diag, upper
