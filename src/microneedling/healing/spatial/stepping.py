"""Time stepping for the transport operators (times in days).

* Diffusion is advanced exactly for the semi-discrete finite-volume system: in Fourier space on the
  periodic plane (the symbol of the 5-point operator, :meth:`PlaneGrid.laplacian_symbol`), and with the
  matrix exponential of the symmetrised radial operator in the axisymmetric cell. Neither has a step limit,
  and both keep the total amount (the zero mode / the area-weighted constant vector) exactly.
* Reaction and chemotaxis are explicit, with the fast linear decays of the kinetics (the diagonal of its
  Jacobian at rest) advanced exactly (ETD2RK, second order; Heun when there are none); the two are combined
  by Strang splitting
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

from microneedling.healing.spatial.grid import PlaneGrid, RadialGrid
from microneedling.healing.spatial.operators import diffusion_plane, radial_diffusion_matrix_bands

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


def radial_eigensystem(grid: RadialGrid, diffusivity_mm2_per_d: float) -> tuple[np.ndarray, ...]:
    """``(w, left, right)`` with ``exp(dt L) = left @ diag(exp(w dt)) @ right`` for the radial operator ``L``.

    ``L = A^-1 K`` with ``A`` the ring areas and ``K`` symmetric; ``A^1/2 L A^-1/2 = Q diag(w) Q^T`` is
    symmetric, so ``left = A^-1/2 Q`` and ``right = Q^T A^1/2``.
    """
    lower, diag, upper = radial_diffusion_matrix_bands(grid, diffusivity_mm2_per_d)
    lmat = np.diag(diag) + np.diag(upper[:-1], 1) + np.diag(lower[1:], -1)
    a = grid.ring_areas_mm2()
    sa = np.sqrt(a)
    sym = (sa[:, None] * lmat) / sa[None, :]
    sym = 0.5 * (sym + sym.T)
    w, q = np.linalg.eigh(sym)
    w = np.minimum(w, 0.0)  # the operator is negative semi-definite; clear rounding above zero
    w[np.argmax(w)] = 0.0  # its one zero mode (constants) exactly: keeps the total amount for any dt
    return w, q / sa[:, None], q.T * sa[None, :]


def radial_diffusion_propagator(grid: RadialGrid, diffusivity_mm2_per_d: float, dt_d: float) -> np.ndarray:
    """Matrix ``exp(dt L)`` of the radial finite-volume diffusion operator, shape ``(n, n)``."""
    w, left, right = radial_eigensystem(grid, diffusivity_mm2_per_d)
    return (left * np.exp(w * dt_d)) @ right


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


def _phi12(z):
    """``phi1 = (e^z - 1)/z`` and ``phi2 = (e^z - 1 - z)/z^2`` with Taylor series near 0 (traceable)."""
    small = jnp.abs(z) < 1e-3
    zs = jnp.where(small, 1.0, z)
    phi1 = jnp.where(small, 1.0 + z / 2.0 + z**2 / 6.0, jnp.expm1(zs) / zs)
    phi2 = jnp.where(small, 0.5 + z / 6.0 + z**2 / 24.0, (jnp.expm1(zs) - zs) / zs**2)
    return phi1, phi2


def etd2(f: Callable, rates) -> Callable:
    """Second-order exponential Runge-Kutta step ``(y, dt) -> y_next`` (Cox & Matthews 2002, ETD2RK).

    ``rates`` (per species, <= 0, on the last axis) is a diagonal linear part ``L`` advanced exactly; the
    rest ``N(y) = f(y) - L y`` is explicit. With ``rates = 0`` this is Heun's method.
    """
    lam = jnp.asarray(rates, dtype=jnp.float64)

    def step(y, dt):
        z = lam * dt
        e = jnp.exp(z)
        p1, p2 = _phi12(z)
        n0 = f(y) - lam * y
        a = e * y + dt * p1 * n0
        n1 = f(a) - lam * a
        return a + dt * p2 * (n1 - n0)

    return step


def graded_steps(t_end_d: float, saves: int, steps_per_save: int, grading: float) -> np.ndarray:
    """Step sizes ``(saves, steps_per_save)`` of the graded grid ``t_k = T (k / N)^grading``, N = saves * steps.

    Steps start tiny right after the injury, when the injury signal decays within hours, and grow toward
    the end (the exact treatment of the fast decays keeps the large ones stable). Save times are every
    ``steps_per_save`` nodes: ``T (j / saves)^grading``.
    """
    n = saves * steps_per_save
    t = t_end_d * (np.arange(n + 1) / n) ** grading
    return np.diff(t).reshape(saves, steps_per_save)


def strip_blocked(step: Callable, n: int, k: int, strip: int) -> Callable:
    """``k`` explicit steps over a periodic ``(n, n)`` plane by temporal blocking in row strips.

    ``step`` maps a tuple of ``(rows, n)`` arrays to the same shapes using periodic neighbours. Each strip
    of ``strip`` rows is taken with ``k`` halo rows on each side, stepped ``k`` times while it sits in cache
    (the halo rows absorb the wrong wrap-around values, one row per step), and its centre written back. The
    result equals ``k`` plain steps exactly; memory traffic falls from ``k`` sweeps to about one.
    """
    if n % strip:
        raise ValueError(f"strip = {strip} must divide n = {n}")
    count = n // strip
    rows = jnp.asarray((np.arange(count)[:, None] * strip + np.arange(-k, strip + k)[None, :]) % n)

    def advance(state):
        def one(i):
            s = tuple(a[rows[i]] for a in state)
            for _ in range(k):
                s = step(s)
            return tuple(a[k:k + strip] for a in s)

        out = jax.lax.map(one, jnp.arange(count))
        return tuple(a.reshape((n,) + a.shape[2:]) for a in out)

    return advance


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
