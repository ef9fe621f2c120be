"""Forward-Euler reaction-diffusion on the periodic plane as a multi-threaded, cache-blocked stencil (Numba).

Two species ``u``, ``v`` on a periodic ``(n0, n1)`` grid, spacing ``h`` (mm), step ``dt`` (d)::

    u <- u + dt * (Du lap u + fu(u, v))
    v <- v + dt * (Dv lap v + fv(u, v))

with the 5-point Laplacian of :func:`microneedling.healing.spatial.operators.laplacian_plane` (same sums in the
same order, divided by ``h * h``), so the result equals the JAX steps of
:func:`~microneedling.healing.spatial.operators.diffusion_plane` to rounding. ``reaction`` is a Numba-compiled
function ``(u, v) -> (fu, fv)`` of one cell's values; it is compiled into the loop (inlined and vectorised).

Temporal blocking (Wellein et al. 2009, "Efficient temporal blocking for stencil computations by multicore-aware
wavefront parallelization"; here the simpler overlapped-tile form): the rows are split into strips, each strip
is copied with ``k`` halo rows on each side into a per-thread buffer, stepped ``k`` times there (each step the
valid band shrinks by one row per side, which the halo absorbs) and its centre written back. Memory traffic so
falls from ``k`` sweeps of the whole state to one; the halo rows cost ``2 k / strip`` extra arithmetic.
Strips are shared out over the threads (``numba.prange``; ``NUMBA_NUM_THREADS`` or
``numba.set_num_threads``), each thread with its own buffer, sized to stay in its core's cache.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit
def _row(src_u, src_v, dst_u, dst_v, r, reaction, du, dv, h2, dt):
    """One Euler step of row ``r`` of the buffers (rows r - 1 and r + 1 read; columns periodic). The two
    wrap-around columns are done apart, so the interior loop has no branch and vectorises."""
    n1 = src_u.shape[1]
    up_u, mid_u, dn_u = src_u[r - 1], src_u[r], src_u[r + 1]
    up_v, mid_v, dn_v = src_v[r - 1], src_v[r], src_v[r + 1]
    out_u, out_v = dst_u[r], dst_v[r]
    for j in (0, n1 - 1):
        jl = j - 1 if j > 0 else n1 - 1
        jr = j + 1 if j < n1 - 1 else 0
        uc = mid_u[j]
        vc = mid_v[j]
        lap_u = (up_u[j] + dn_u[j] + mid_u[jl] + mid_u[jr] - 4.0 * uc) / h2
        lap_v = (up_v[j] + dn_v[j] + mid_v[jl] + mid_v[jr] - 4.0 * vc) / h2
        fu, fv = reaction(uc, vc)
        out_u[j] = uc + dt * (du * lap_u + fu)
        out_v[j] = vc + dt * (dv * lap_v + fv)
    for j in range(1, n1 - 1):
        uc = mid_u[j]
        vc = mid_v[j]
        lap_u = (up_u[j] + dn_u[j] + mid_u[j - 1] + mid_u[j + 1] - 4.0 * uc) / h2
        lap_v = (up_v[j] + dn_v[j] + mid_v[j - 1] + mid_v[j + 1] - 4.0 * vc) / h2
        fu, fv = reaction(uc, vc)
        out_u[j] = uc + dt * (du * lap_u + fu)
        out_v[j] = vc + dt * (dv * lap_v + fv)


@numba.njit(parallel=True)
def _sweep(u, v, out_u, out_v, reaction, du, dv, h2, dt, k, strip, buf):
    """``k`` steps of the whole plane from (u, v) into (out_u, out_v), strip by strip; ``buf`` [threads, 4,
    strip + 2 k, n1] holds each thread's two ping-pong copies of the strip with its halo."""
    n0 = u.shape[0]
    strips = n0 // strip
    workers = buf.shape[0]
    rows = strip + 2 * k
    for w in numba.prange(workers):
        a_u, a_v, b_u, b_v = buf[w, 0], buf[w, 1], buf[w, 2], buf[w, 3]
        for s in range(w, strips, workers):
            top = s * strip - k
            for r in range(rows):
                src = (top + r) % n0
                a_u[r, :] = u[src, :]
                a_v[r, :] = v[src, :]
            src_u, src_v, dst_u, dst_v = a_u, a_v, b_u, b_v
            for t in range(k):
                # after t steps rows t .. rows - 1 - t are valid; this step makes rows t + 1 .. rows - 2 - t
                for r in range(t + 1, rows - 1 - t):
                    _row(src_u, src_v, dst_u, dst_v, r, reaction, du, dv, h2, dt)
                src_u, src_v, dst_u, dst_v = dst_u, dst_v, src_u, src_v
            for r in range(strip):
                out_u[s * strip + r, :] = src_u[k + r, :]
                out_v[s * strip + r, :] = src_v[k + r, :]


def euler_blocked(u, v, reaction, du: float, dv: float, h: float, dt: float, steps: int, k: int = 8,
                  strip: int = 32, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``steps`` forward-Euler steps of the two-species system above from ``u``, ``v`` (float64 ``(n0, n1)``),
    ``k`` steps per sweep over memory in strips of ``strip`` rows (``strip`` must divide n0; the last
    ``steps % k`` steps are one sweep of their own), on ``threads`` threads (default: Numba's). Returns the
    new fields; the inputs are not changed."""
    u = np.ascontiguousarray(u, dtype=np.float64)
    v = np.ascontiguousarray(v, dtype=np.float64)
    if u.shape != v.shape or u.ndim != 2:
        raise ValueError("u and v must be 2-D fields of the same shape")
    n0, n1 = u.shape
    if strip < 1 or n0 % strip:
        raise ValueError(f"strip = {strip} must divide n0 = {n0}")
    if k < 1 or k > strip or n1 < 3 or n0 < 3:
        raise ValueError("need 1 <= k <= strip and at least 3 rows and columns")
    workers = min(threads or numba.get_num_threads(), n0 // strip)
    cur_u, cur_v = u.copy(), v.copy()
    nxt_u, nxt_v = np.empty_like(u), np.empty_like(v)
    buf = np.empty((workers, 4, strip + 2 * k, n1))
    h2 = h * h
    done = 0
    while done < steps:
        kk = min(k, steps - done)
        buf_k = buf if kk == k else np.empty((workers, 4, strip + 2 * kk, n1))
        _sweep(cur_u, cur_v, nxt_u, nxt_v, reaction, du, dv, h2, dt, kk, strip, buf_k)
        cur_u, nxt_u = nxt_u, cur_u
        cur_v, nxt_v = nxt_v, cur_v
        done += kk
    return cur_u, cur_v
