"""1-D diffusion through a membrane held at a donor concentration on top and a sink below.

Two solutions of dc/dt = D(t) d2c/dz2 - k c on 0 < z < L, c(0, t) = c_top, c(L, t) = 0, c(z, 0) = 0:

* :func:`crank_cumulative` / :func:`crank_flux`: closed form for constant D and k = 0 (Crank, The Mathematics
  of Diffusion, membrane permeation; lag time L^2 / 6D). Fourier series for late times, the error-function
  (image) series for early times, so both converge in a few terms everywhere.
* :func:`solve_column`: finite differences on N cells (nodes at i L / N), theta-method in time (Crank-Nicolson
  with implicit-Euler start steps, or implicit Euler), tridiagonal solve per step, JAX ``lax.scan``. D(t) and the
  open area fraction phi(t) may vary in time (closing microneedle channels). The flux into the sink uses the
  second-order one-sided gradient; the cumulative amount is the trapezoid integral of phi J. Second order in
  space and (Crank-Nicolson) in time, measured in tests/test_delivery.py.

Units are the caller's, consistently: lengths in cm, time in h, D in cm^2/h, concentrations in mg/cm^3 give
fluxes in mg/cm^2/h and amounts in mg/cm^2.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
from jax.scipy.special import erfc

_FOURIER_TERMS = 40
_IMAGE_TERMS = 6
_SWITCH_TAU = 0.1


def _tau(t, d, length):
    return jnp.maximum(jnp.asarray(t, dtype=float), 0.0) * d / length**2


def crank_cumulative(t, d, length, c_top):
    """Amount per area that has left through z = L by time t (constant D, empty membrane at t = 0)."""
    tau = _tau(t, d, length)
    n = jnp.arange(1, _FOURIER_TERMS + 1)
    tau_f = jnp.maximum(tau, _SWITCH_TAU)[..., None]
    late = tau_f[..., 0] - 1.0 / 6.0 - (2.0 / jnp.pi**2) * jnp.sum(
        ((-1.0) ** n) / n**2 * jnp.exp(-(n**2) * jnp.pi**2 * tau_f), axis=-1)
    a = (2.0 * jnp.arange(_IMAGE_TERMS) + 1.0)
    tau_e = jnp.maximum(tau, 1e-300)[..., None]
    early = jnp.sum(4.0 * jnp.sqrt(tau_e / jnp.pi) * jnp.exp(-(a**2) / (4.0 * tau_e))
                    - 2.0 * a * erfc(a / (2.0 * jnp.sqrt(tau_e))), axis=-1)
    return length * c_top * jnp.where(tau < _SWITCH_TAU, early, late)


def crank_flux(t, d, length, c_top):
    """Flux per area through z = L at time t (constant D, empty membrane at t = 0)."""
    tau = _tau(t, d, length)
    n = jnp.arange(1, _FOURIER_TERMS + 1)
    tau_f = jnp.maximum(tau, _SWITCH_TAU)[..., None]
    late = 1.0 + 2.0 * jnp.sum(((-1.0) ** n) * jnp.exp(-(n**2) * jnp.pi**2 * tau_f), axis=-1)
    a = (2.0 * jnp.arange(_IMAGE_TERMS) + 1.0)
    tau_e = jnp.maximum(tau, 1e-300)[..., None]
    early = jnp.sum(2.0 / jnp.sqrt(jnp.pi * tau_e) * jnp.exp(-(a**2) / (4.0 * tau_e)), axis=-1)
    return d * c_top / length * jnp.where(tau < _SWITCH_TAU, early, late)


def lag_time(d, length):
    """Time-axis intercept of the steady-state cumulative line, L^2 / (6 D)."""
    return length**2 / (6.0 * d)


@partial(jax.jit, static_argnames=("n_cells",))
def solve_column(times, d, area, c_top, length, n_cells: int, theta, loss_rate=0.0):
    """Finite-difference solution on a column of ``n_cells`` cells.

    Args:
        times: (T,) increasing times, times[0] = start (column empty).
        d: (T,) diffusivity at each time. area: (T,) open area fraction multiplying the flux.
        c_top: donor-side concentration (scalar). length: column length. theta: (T-1,) theta of each step
            (0.5 Crank-Nicolson, 1.0 implicit Euler). loss_rate: first-order loss in the column (1/time).

    Returns:
        (flux, cumulative): (T,) flux per skin area phi J through the bottom and its time integral.
    """
    times = jnp.asarray(times, dtype=float)
    d = jnp.asarray(d, dtype=float)
    area = jnp.asarray(area, dtype=float)
    theta = jnp.broadcast_to(jnp.asarray(theta, dtype=float), (times.shape[0] - 1,))
    dx = length / n_cells
    m = n_cells - 1  # interior nodes 1..N-1

    def bottom_flux(c, d_now):
        # second-order one-sided gradient at z = L with c_N = 0
        c_nm1 = c[-1]
        c_nm2 = c[-2]
        return d_now * (4.0 * c_nm1 - c_nm2) / (2.0 * dx)

    def apply_op(c, d_now):
        # D d2c/dz2 - k c on interior nodes, with c_0 = c_top and c_N = 0
        left = jnp.concatenate([jnp.array([c_top]), c[:-1]])
        right = jnp.concatenate([c[1:], jnp.array([0.0])])
        return d_now * (left - 2.0 * c + right) / dx**2 - loss_rate * c

    def step(carry, inputs):
        c, q, f_prev = carry
        dt, d0, d1, a1, th = inputs
        rhs = c + (1.0 - th) * dt * apply_op(c, d0)
        rhs = rhs.at[0].add(th * dt * d1 * c_top / dx**2)
        off = -th * dt * d1 / dx**2 * jnp.ones(m)
        diag = (1.0 + th * dt * (2.0 * d1 / dx**2 + loss_rate)) * jnp.ones(m)
        dl = off.at[0].set(0.0)
        du = off.at[-1].set(0.0)
        c_new = jax.lax.linalg.tridiagonal_solve(dl, diag, du, rhs[:, None])[:, 0]
        f_new = a1 * bottom_flux(c_new, d1)
        q_new = q + 0.5 * dt * (f_prev + f_new)
        return (c_new, q_new, f_new), (f_new, q_new)

    dts = jnp.diff(times)
    inputs = (dts, d[:-1], d[1:], area[1:], theta)
    c0 = jnp.zeros(m)
    _, (flux, cum) = jax.lax.scan(step, (c0, 0.0, 0.0), inputs)
    return jnp.concatenate([jnp.zeros(1), flux]), jnp.concatenate([jnp.zeros(1), cum])


def rannacher_theta(n_steps: int, start_steps: int = 2):
    """Crank-Nicolson thetas with ``start_steps`` implicit-Euler steps first (damps the start-up jump)."""
    th = jnp.full((n_steps,), 0.5)
    return th.at[:start_steps].set(1.0)


@partial(jax.jit, static_argnames=("n_cells",))
def solve_column_to_compartment(times, d, area, c_top, length, n_cells: int, theta, capacity, clearance_rate):
    """As :func:`solve_column`, but the column drains into a well-mixed compartment instead of a sink.

    The compartment (thickness ``capacity`` per unit skin area, first-order clearance ``clearance_rate``) shares
    the bottom node's concentration c_N. Half-cell balance at the bottom node, per unit open area:
    (dx/2 + capacity/phi) dc_N/dt = D (c_{N-1} - c_N)/dx - (clearance_rate capacity/phi) c_N.

    Returns:
        (uptake, compartment_c): (T,) amount per skin area that has entered the compartment (held + cleared)
        and the compartment concentration.
    """
    times = jnp.asarray(times, dtype=float)
    d = jnp.asarray(d, dtype=float)
    area = jnp.maximum(jnp.asarray(area, dtype=float), 1e-300)
    theta = jnp.broadcast_to(jnp.asarray(theta, dtype=float), (times.shape[0] - 1,))
    dx = length / n_cells
    m = n_cells  # unknowns: nodes 1..N (node N is the compartment)

    def diagonals(d_now, a_now):
        w = capacity / a_now
        lower = jnp.full(m, d_now / dx**2)
        diag = jnp.full(m, -2.0 * d_now / dx**2)
        upper = jnp.full(m, d_now / dx**2)
        denom = dx / 2.0 + w
        lower = lower.at[-1].set(d_now / dx / denom)
        diag = diag.at[-1].set(-(d_now / dx + clearance_rate * w) / denom)
        return lower.at[0].set(0.0), diag, upper.at[-1].set(0.0)

    def apply(lo, di, up, c, d_now):
        out = di * c
        out = out.at[1:].add(lo[1:] * c[:-1])
        out = out.at[:-1].add(up[:-1] * c[1:])
        return out.at[0].add(d_now * c_top / dx**2)

    def step(carry, inputs):
        c, cleared = carry
        dt, d0, d1, a0, a1, th = inputs
        lo0, di0, up0 = diagonals(d0, a0)
        lo1, di1, up1 = diagonals(d1, a1)
        rhs = c + (1.0 - th) * dt * apply(lo0, di0, up0, c, d0)
        rhs = rhs.at[0].add(th * dt * d1 * c_top / dx**2)
        c_new = jax.lax.linalg.tridiagonal_solve(-th * dt * lo1, 1.0 - th * dt * di1, -th * dt * up1,
                                                 rhs[:, None])[:, 0]
        cleared_new = cleared + dt * clearance_rate * capacity * (th * c_new[-1] + (1.0 - th) * c[-1])
        return (c_new, cleared_new), (capacity * c_new[-1] + cleared_new, c_new[-1])

    inputs = (jnp.diff(times), d[:-1], d[1:], area[:-1], area[1:], theta)
    _, (uptake, cd) = jax.lax.scan(step, (jnp.zeros(m), 0.0), inputs)
    return jnp.concatenate([jnp.zeros(1), uptake]), jnp.concatenate([jnp.zeros(1), cd])
