"""Spatial solver throughput: our JAX finite-volume stepper vs py-pde on the same problem, same grid, same run.

Problem: two-species reaction-diffusion on a periodic N x N square (a growth-factor-like signal ``u`` made by
cells ``v``, which grow logistically where the signal is):

    u_t = Du lap u + v - k u
    v_t = Dv lap v + r u v (1 - v)

5-point Laplacian, forward Euler with the same fixed step on both sides (dt = 0.2 h^2 / Du, inside the
measured stability limit h^2 / (4 Du)). Both start from the same random field; the final fields are
compared (they solve the same discrete system, so they must agree to rounding).

Printed: cell-updates per second (grid cells x steps / wall time, after compilation) for each solver and
their ratio; the machine's memory bandwidth measured in the same run (NumPy copy and triad on arrays far
larger than the caches) and the share of the bandwidth roofline our stepper reaches, counting the minimum
traffic of one step: each species read once and written once, 2 x 8 bytes per species per cell (32 B per
cell update for two species). "ours_blocked" advances 8 steps per sweep over memory by temporal blocking in
row strips (exactly the same arithmetic); "ours_plain" sweeps once per step. "ours_numba" is the
multi-threaded, cache-blocked Numba stencil of :mod:`microneedling.healing.spatial.stencil` (same step, the
same sums; ``k`` steps per sweep in strips, one thread per core), timed with ``k = 1`` too ("ours_numba_k1",
one sweep per step). The bandwidth is measured both by NumPy (one thread) and by a Numba ``prange`` copy and
triad (all cores); the roofline takes the best of them, so a multi-threaded kernel is held to the multi-
threaded bandwidth. The default 2048 x 2048 grid (64 MB of state) is far larger than the caches, so the
bandwidth roofline is the relevant bound for one sweep per step; temporal blocking moves less than the
32 B per update that the roofline counts, so its share can pass 100%.
Run: ``python benchmarks/spatial.py [N] [steps]`` (steps a multiple of 8).
"""

from __future__ import annotations

import json
import os
import sys
import time

import jax
import jax.numpy as jnp
import numba
import numpy as np

import microneedling  # noqa: E402
from microneedling.healing.spatial.operators import diffusion_plane
from microneedling.healing.spatial.stencil import euler_blocked
from microneedling.healing.spatial.stepping import strip_blocked

microneedling.configure()  # float64, one XLA host device per core

DU, DV, K, R = 1.0, 0.01, 1.0, 1.0
BYTES_PER_CELL_UPDATE = 2 * 2 * 8  # two species, each read once and written once, float64


def _rd_step(h, dt):
    def step(s):
        u, v = s
        return (u + dt * (diffusion_plane(u, DU, h) + v - K * u),
                v + dt * (diffusion_plane(v, DV, h) + R * u * v * (1.0 - v)))

    return step


def _time(run, u, v, repeats: int = 3):
    out = jax.block_until_ready(run(u, v))  # compile
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        out = jax.block_until_ready(run(u, v))
        best = min(best, time.perf_counter() - t)
    return best, np.asarray(out[0]), np.asarray(out[1])


def ours(u0, v0, h, dt, steps):
    """JAX: the project's 5-point operator, Euler steps in one jitted loop (one sweep per step)."""
    step = _rd_step(h, dt)
    run = jax.jit(lambda u, v: jax.lax.fori_loop(0, steps, lambda _, s: step(s), (u, v)))
    return _time(run, jnp.asarray(u0), jnp.asarray(v0))


def ours_blocked(u0, v0, h, dt, steps, k: int = 8, strip: int = 32):
    """JAX with temporal blocking (:func:`strip_blocked`): k steps per sweep over memory."""
    n = u0.shape[0]
    advance = strip_blocked(_rd_step(h, dt), n, k, strip)
    if steps % k:
        raise ValueError(f"steps = {steps} must be a multiple of k = {k}")
    run = jax.jit(lambda u, v: jax.lax.fori_loop(0, steps // k, lambda _, s: advance(s), (u, v)))
    return _time(run, jnp.asarray(u0), jnp.asarray(v0))


@numba.njit(inline="always")
def _reaction(u, v):
    return v - K * u, R * u * v * (1.0 - v)


def ours_numba(u0, v0, h, dt, steps, k: int = 8, strip: int = 64, repeats: int = 3):
    """Numba: :func:`euler_blocked`, ``k`` steps per sweep in strips of ``strip`` rows, on all cores."""
    euler_blocked(u0[:2 * strip], v0[:2 * strip], _reaction, DU, DV, h, dt, k, k, strip)  # compile
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        u, v = euler_blocked(u0, v0, _reaction, DU, DV, h, dt, steps, k, strip)
        best = min(best, time.perf_counter() - t)
    return best, u, v


@numba.njit(parallel=True)
def _copy_parallel(a, b):
    for i in numba.prange(a.shape[0]):
        b[i] = a[i]


@numba.njit(parallel=True)
def _add_parallel(a, b, c):
    for i in numba.prange(a.shape[0]):
        a[i] = b[i] + c[i]


def pypde(u0, v0, n, length, dt, steps):
    """py-pde: same equations, Cartesian periodic grid, Euler solver, fixed dt, numba backend.

    Only the stepping is timed: the numba stepper is built and compiled once (a first short call), then the
    same stepper advances the state ``steps`` steps.
    """
    import pde

    grid = pde.CartesianGrid([[0.0, length], [0.0, length]], [n, n], periodic=True)
    state = pde.FieldCollection([pde.ScalarField(grid, u0), pde.ScalarField(grid, v0)])
    eq = pde.PDE({"u": f"{DU} * laplace(u) + v - {K} * u", "v": f"{DV} * laplace(v) + {R} * u * v * (1 - v)"})
    solver = pde.EulerSolver(eq, backend="numba", adaptive=False)
    stepper = solver.make_stepper(state, dt)
    stepper(state.copy(), 0.0, 0.5 * dt)  # compile (one step)
    work = state.copy()
    t = time.perf_counter()
    stepper(work, 0.0, dt * (steps - 0.5))  # advances while t < t_end: exactly `steps` steps
    elapsed = time.perf_counter() - t
    return elapsed, work[0].data.copy(), work[1].data.copy()


def bandwidth_bytes_per_s(mb: int = 512, repeats: int = 5) -> dict:
    """Best-of-``repeats`` NumPy copy (16 B moved per element) and triad (24 B) on ``mb`` MB arrays."""
    n = mb * 2**20 // 8
    a, b, c = np.ones(n), np.ones(n), np.ones(n)
    best_copy = best_triad = 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        np.copyto(b, a)
        best_copy = max(best_copy, 16 * n / (time.perf_counter() - t))
        t = time.perf_counter()
        np.add(b, c, out=a)  # a = b + c: two reads, one write
        best_triad = max(best_triad, 24 * n / (time.perf_counter() - t))
    _copy_parallel(a[:16], b[:16])  # compile
    _add_parallel(a[:16], b[:16], c[:16])
    par_copy = par_add = 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        _copy_parallel(a, b)
        par_copy = max(par_copy, 16 * n / (time.perf_counter() - t))
        t = time.perf_counter()
        _add_parallel(a, b, c)
        par_add = max(par_add, 24 * n / (time.perf_counter() - t))
    best = max(best_copy, best_triad, par_copy, par_add)
    return {"copy_GBps": best_copy / 1e9, "add_GBps": best_triad / 1e9, "threads": numba.get_num_threads(),
            "parallel_copy_GBps": par_copy / 1e9, "parallel_add_GBps": par_add / 1e9, "best_GBps": best / 1e9}


def main(n: int = 2048, steps: int = 48) -> dict:
    length = 10.0
    h = length / n
    dt = 0.2 * h * h / DU
    rng = np.random.default_rng(0)
    u0 = rng.uniform(0.0, 1.0, (n, n))
    v0 = rng.uniform(0.0, 1.0, (n, n))
    bw = bandwidth_bytes_per_s()
    t_plain, u1, v1 = ours(u0, v0, h, dt, steps)
    t_block, ub, vb = ours_blocked(u0, v0, h, dt, steps)
    t_numba, un, vn = ours_numba(u0, v0, h, dt, steps)
    t_numba1, un1, vn1 = ours_numba(u0, v0, h, dt, steps, k=1)
    t_pde, u2, v2 = pypde(u0, v0, n, length, dt, steps)
    diff = float(max(np.max(np.abs(ub - u2)), np.max(np.abs(vb - v2)), np.max(np.abs(u1 - u2))))
    diff_numba = float(max(np.max(np.abs(un - ub)), np.max(np.abs(vn - vb)), np.max(np.abs(un1 - ub)),
                           np.max(np.abs(vn1 - vb))))
    updates = n * n * steps
    rate = {"ours_numba": updates / t_numba, "ours_numba_k1": updates / t_numba1, "ours_blocked": updates / t_block,
            "ours_plain": updates / t_plain, "pypde": updates / t_pde}
    roofline_rate = bw["best_GBps"] * 1e9 / BYTES_PER_CELL_UPDATE
    result = {
        "grid": f"{n}x{n}", "steps": steps, "species": 2, "state_MB": 2 * 8 * n * n / 2**20,
        "seconds": {"ours_numba": t_numba, "ours_numba_k1": t_numba1, "ours_blocked": t_block,
                    "ours_plain": t_plain, "pypde": t_pde},
        "cell_updates_per_s": rate,
        "ratio_ours_over_pypde": rate["ours_blocked"] / rate["pypde"],
        "ratio_plain_over_pypde": rate["ours_plain"] / rate["pypde"],
        "ratio_numba_over_pypde": rate["ours_numba"] / rate["pypde"],
        "ratio_numba_over_blocked": rate["ours_numba"] / rate["ours_blocked"],
        "max_abs_difference_vs_pypde": diff, "max_abs_difference_numba_vs_jax": diff_numba,
        "bandwidth": bw, "bytes_per_cell_update": BYTES_PER_CELL_UPDATE,
        "roofline_cell_updates_per_s": roofline_rate,
        "share_of_roofline": {k: v / roofline_rate for k, v in rate.items()},
        "cpus": os.cpu_count(), "load_average_1min": os.getloadavg()[0], "jax_backend": jax.default_backend(),
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
