"""Time stepping for the transport operators (times in days).

* Diffusion is advanced exactly for the semi-discrete finite-volume system: in Fourier space on the
  periodic plane (the symbol of the 5-point operator, :meth:`PlaneGrid.laplacian_symbol`), and with the
  matrix exponential of the symmetrised radial operator in the axisymmetric cell. Neither has a step limit,
  and both keep the total amount (the zero mode / the area-weighted constant vector) exactly.
* Reaction and chemotaxis are explicit (Heun, second order); the two are combined by Strang splitting
  (half diffusion, full explicit step, half diffusion), second order in time.
* :func:`euler_plane_diffusion` is the plain explicit scheme (used for the benchmark and to measure the
  stability limit); :func:`measured_stable_dt` finds the largest stable step of any explicit step function
  by bisection, to compare with the von Neumann bound ``h^2 / (4 D)``.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.spatial.grid import PlaneGrid, RadialGrid
from microneedling.spatial.operators import diffusion_plane, radial_diffusion_matrix_bands

# --- exact diffusion propagators ----------------------------------------------------------------------


def plane_diffusion_factor(grid: PlaneGrid, diffusivity_mm2_per_d, dt_d: float) -> jnp.ndarray:
    """Fourier multipliers ``exp(D * lambda(k) * dt)``; shape ``(n, n//2+1)`` or ``(n, n//2+1, S)`` for a vector ``D``."""
    sym = grid.laplacian_symbol()
    d = np.asarray(diffusivity_mm2_per_d, dtype=float)
    if d.ndim == 0:
        return jnp.asarray(np.exp(d * sym * dt_d))
    return jnp.asarray(np.exp(sym[:, :, None] * d[None, None, :] * dt_d))


def apply_plane_factor(u, factor):
    """Multiply the 2-D spectrum of ``u`` (spatial axes 0, 1) by ``factor`` and transform back."""
    n0, n1 = u.shape[0], u.shape[1]
    u_hat = jnp.fft.rfft2(u, axes=(0, 1))
    return jnp.fft.irfft2(u_hat * factor, s=(n0, n1), axes=(0, 1))


def radial_diffusion_propagator(grid: RadialGrid, diffusivity_mm2_per_d: float, dt_d: float) -> np.ndarray:
    """Matrix ``exp(dt L)`` of the radial finite-volume diffusion operator, shape ``(n, n)``.

    ``L = A^-1 K`` with ``A`` the ring areas and ``K`` symmetric; ``A^1/2 L A^-1/2`` is symmetric, so the
    exponential comes from one symmetric eigendecomposition.
    """
    lower, diag, upper = radial_diffusion_matrix_bands(grid, diffusivity_mm2_per_d)
    lmat = np.diag(diag) + np.diag(upper[:-1], 1) + np.diag(lower[1:], -1)
    a = grid.ring_areas_mm2()
    sa = np.sqrt(a)
    sym = (sa[:, None] * lmat) / sa[None, :]
    sym = 0.5 * (sym + sym.T)
    w, q = np.linalg.eigh(sym)
    w = np.minimum(w, 0.0)  # the operator is negative semi-definite; clear rounding above zero
    expm = (q * np.exp(w * dt_d)) @ q.T
    return (expm / sa[:, None]) * sa[None, :]


def radial_propagators(grid: RadialGrid, diffusivities_mm2_per_d, dt_d: float) -> jnp.ndarray:
    """Stack of :func:`radial_diffusion_propagator` per species, shape ``(S, n, n)``."""
    return jnp.asarray(np.stack([radial_diffusion_propagator(grid, float(d), dt_d)
                                 for d in np.asarray(diffusivities_mm2_per_d, dtype=float)]))


def apply_radial_propagators(u, props):
    """``u`` of shape ``(n, S)``; species ``s`` is multiplied by ``props[s]``."""
    return jnp.einsum("sij,js->is", props, u)


# --- explicit schemes ---------------------------------------------------------------------------------


def euler_plane_diffusion(u, diffusivity: float, h: float, dt: float):
    """One forward-Euler step of ``du/dt = D lap u`` on the periodic plane."""
    return u + dt * diffusion_plane(u, diffusivity, h)


def heun(f: Callable, y, dt: float):
    """One Heun (explicit trapezoidal, RK2) step of ``dy/dt = f(y)``."""
    k1 = f(y)
    k2 = f(y + dt * k1)
    return y + 0.5 * dt * (k1 + k2)


def stable_plane_diffusion_dt(diffusivity: float, h: float) -> float:
    """Von Neumann limit of forward Euler for the 5-point Laplacian: ``h^2 / (4 D)``."""
    return h * h / (4.0 * diffusivity)


def measured_stable_dt(make_step: Callable[[float], Callable], y0, dt_low: float, dt_high: float,
                       steps: int = 400, rel_tol: float = 1e-3, growth: float = 1.0 + 1e-9) -> float:
    """Largest ``dt`` for which ``steps`` explicit steps do not amplify ``y0`` (bisection on ``dt``).

    ``make_step(dt)`` returns a one-step function ``y -> y_next``. Stable means
    ``max|y_steps| <= growth * max|y0|``; ``dt_low`` must be stable and ``dt_high`` unstable.
    """
    y0 = jnp.asarray(y0)
    ref = float(jnp.max(jnp.abs(y0)))

    def stable(dt: float) -> bool:
        step = make_step(dt)

        @jax.jit
        def run(y):
            return jax.lax.fori_loop(0, steps, lambda _, v: step(v), y)

        y = run(y0)
        m = float(jnp.max(jnp.abs(y)))
        return bool(np.isfinite(m)) and m <= growth * ref

    if not stable(dt_low):
        raise ValueError(f"dt_low = {dt_low} is not stable")
    if stable(dt_high):
        raise ValueError(f"dt_high = {dt_high} is stable: raise it")
    lo, hi = dt_low, dt_high
    while (hi - lo) > rel_tol * lo:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if stable(mid) else (lo, mid)
    return lo
