"""The healing ODE for a whole cohort at once: one time grid for every patient of an arm, batched state.

Patients of one arm share the protocol, so they share the session days and the read-out times; they differ
in their parameters (age scales wound-driven synthesis, ``HealingParams.age_factor``). So the grid is built
once, in NumPy, from the sessions and the read-out times, and a single ``lax.scan`` of the per-patient
solver's step (:func:`microneedling.healing.solvers.etdrk4_step`: fourth-order exponential Runge-Kutta in the
eigen-coordinates of the linear part, coefficients from :func:`microneedling.healing.solvers.etd_coefficients`)
advances the state of all patients together (shape [species, n]; the kinetics of :mod:`microneedling.healing.model`
act on rows). Steps are graded inside the first ``WINDOW_DAYS`` of each inter-session segment
(t = s_j + W (k/N)^3: minutes right after an injury, days before the next), then at most ``MAX_STEP_DAYS``,
and every read-out time is a grid node, so read-out is exact to the integrator's order with nothing stored
but the read-outs. The default grid (20 steps per window, late steps <= 7 d: 128 steps for 4 monthly
sessions over a year) is within 7e-5 of the tight reference on the benchmark protocol (target 1e-3).
Patients are independent, so the patient axis is sharded over the host devices (one per core, see
:mod:`microneedling`): each device integrates its own block of patients with the same program, and the result
equals the one-device solve. This is the cohort path used by the virtual trials and ``benchmarks/cohort.py``;
the per-patient solvers and the reference (diffrax, adaptive Tsit5) are in :mod:`microneedling.healing.solvers`.
"""

from __future__ import annotations

from functools import cache, partial

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, PartitionSpec

from microneedling.config import require_float64
from microneedling.healing import model, solvers

STEPS_PER_SEGMENT = 20
GRADING = 3.0
WINDOW_DAYS = 28.0
MAX_STEP_DAYS = 7.0
GRID_BUCKET = 256


def time_grid(session_days, t_eval_days, steps_per_segment: int = STEPS_PER_SEGMENT, grading: float = GRADING,
              max_step_days: float = MAX_STEP_DAYS):
    """(step sizes h [K], dose index per step start [K] (-1: none), read-out index per step end [K] (-1: none)).

    Sessions must be sorted and >= 0; read-outs >= 0 (a read-out before the first session is the baseline).
    """
    sessions = np.asarray(session_days, dtype=np.float64)
    t_eval = np.asarray(t_eval_days, dtype=np.float64)
    if sessions.size == 0 or np.any(np.diff(sessions) < 0) or sessions[0] < 0:
        raise ValueError("session days must be non-empty, sorted and >= 0")
    t_end = max(float(t_eval.max()), float(sessions[-1]))
    ends = np.append(sessions[1:], t_end)
    u = (np.arange(steps_per_segment + 1) / steps_per_segment) ** grading
    nodes = [np.asarray([0.0])]
    for s, e in zip(sessions, ends, strict=True):
        # graded steps over the post-injury window, then even steps of at most max_step_days
        window = min(e - s, WINDOW_DAYS)
        nodes.append(s + window * u)
        if e - s > window:
            nodes.append(np.linspace(s + window, e, int(np.ceil((e - s - window) / max_step_days)) + 1))
    nodes.append(t_eval)
    grid = np.unique(np.concatenate(nodes))
    h = np.diff(grid)
    starts = grid[:-1]
    # dose applied at the start of the first step starting at (or after) each session day
    dose_idx = np.full(h.shape, -1, dtype=np.int32)
    for j, s in enumerate(sessions):
        k = int(np.searchsorted(starts, s - 1e-12))
        if k < len(dose_idx):
            dose_idx[k] = j
    out_idx = np.full(h.shape, -1, dtype=np.int32)
    ends_t = grid[1:]
    for i, t in enumerate(t_eval):
        k = int(np.argmin(np.abs(ends_t - t)))
        if abs(ends_t[k] - t) < 1e-9:
            out_idx[k] = i
    # read-outs at time 0 (before anything happened) are the initial state
    at_zero = np.where(np.abs(t_eval) < 1e-12)[0]
    return h, dose_idx, out_idx, at_zero


def _species_major(dy):
    """The kinetics return ``stack(..., axis=-1)`` [n, species]; bring it back to [species, n]."""
    return jnp.moveaxis(dy, -1, 0)


def etd_coefficients(lam, h):
    """Exponential Runge-Kutta coefficients for diagonal ``lam`` [S] and steps ``h`` [K]: the nine arrays of
    :func:`microneedling.healing.solvers.etd_coefficients`, each [K, S]."""
    return solvers.etd_coefficients(jnp.asarray(lam)[None, :], jnp.asarray(h)[:, None])


def cohort_step(params: model.HealingParams, dtype=jnp.float64):
    """One step of the cohort scheme, for the kinetics of ``params`` (``age_factor`` a scalar or a row [n]):
    ``(advance, modes)`` where ``advance(w, coeff)`` maps the mode-coordinate state ``w`` [species, n] and the
    step's nine coefficients (each [species], :func:`etd_coefficients`) to the next state, and ``modes`` is
    the :func:`microneedling.healing.solvers.linear_modes` decomposition, all in float64.

    ``dtype`` is the precision of the step's arithmetic: the baseline, the modes and the parameters are
    computed in float64 and rounded once to ``dtype``; with float32 the kinetics run on twice as many patients
    per vector instruction, and the caller checks the error (``benchmarks/cohort.py`` against the diffrax
    reference). Used by :func:`_etdrk4_cohort` and by the benchmark's count of floating-point work per step."""
    scalar = params._replace(age_factor=jnp.asarray(1.0))
    phi0, T0 = model.macrophage_baseline(scalar)
    modes = solvers.linear_modes(scalar, phi0)
    cast = partial(jax.tree_util.tree_map, lambda a: jnp.asarray(a).astype(dtype))
    p, phi0_c, T0_c, modes_c = cast(params), cast(phi0), cast(T0), cast(modes)
    lam = modes_c.rates

    def kinetics_rows(y):  # rows [n] per species in, species-major [species, n] out
        return _species_major(model.kinetics_with_baseline(y, p, phi0_c, T0_c))

    def nonlinear(w):  # V^-1 f(V w) - D w on the species-major layout
        return solvers.mode_remainder(kinetics_rows, modes_c, lam[:, None], w)

    def advance(w, coeff):
        return solvers.etdrk4_step(w, nonlinear, *(c.astype(dtype)[:, None] for c in coeff))

    return advance, modes


def _etdrk4_cohort(params: model.HealingParams, y0, h, dose_idx, out_idx, doses, n_out: int, dtype=jnp.float64):
    """Fourth-order exponential Runge-Kutta (:func:`microneedling.healing.solvers.etdrk4_step`, Krogstad 2005) on
    y' = L y + N(y), in the eigen-coordinates w = V^-1 y of the lower-triangular linear part L
    (:func:`microneedling.healing.solvers.linear_modes`: decays plus the linear drives of TGF-b and MMP); state
    species-major [species, n] (patients on the minor, vectorised axis), arithmetic in ``dtype``
    (:func:`cohort_step`). L does not depend on the age factor, so V and the coefficients are shared."""
    advance, modes = cohort_step(params, dtype)
    coeffs = etd_coefficients(modes.rates, h)
    dose_mode = solvers.apply_modes(modes.to_modes, jnp.zeros(model.N_SPECIES).at[model.P].set(1.0))[:, None]
    dose_mode, doses = dose_mode.astype(dtype), doses.astype(dtype)

    def step(carry, xs):
        coeff, hk, di, oi = xs

        def advance_or_skip(carry):
            w, out = carry
            w = w + jnp.where(di >= 0, doses[jnp.maximum(di, 0)], 0.0) * dose_mode
            w = advance(w, coeff)
            slot = jnp.maximum(oi, 0)
            return w, out.at[slot].set(jnp.where(oi >= 0, w, out[slot]))

        # empty steps (h = 0) pad the grid to its bucket and would leave the state unchanged: skip them
        return jax.lax.cond(hk > 0, advance_or_skip, lambda c: c, carry), None

    w0 = solvers.apply_modes(modes.to_modes, jnp.moveaxis(y0, -1, 0)).astype(dtype)
    out0 = jnp.broadcast_to(w0, (n_out,) + w0.shape)
    (_, out), _ = jax.lax.scan(step, (w0, out0), (coeffs, h, dose_idx, out_idx))
    # back to species in float64 (the read-outs only: the transform of T states, not of every step)
    y = solvers.apply_modes(modes.from_modes, jnp.moveaxis(out.astype(jnp.float64), 1, 0))  # [species, T, n]
    return jnp.moveaxis(y, 0, -1)


PATIENT_AXIS = "patients"


@cache
def _patient_mesh(n_devices: int) -> Mesh:
    """A 1-D mesh over the first ``n_devices`` default devices, its one axis the patients."""
    return Mesh(np.asarray(jax.devices()[:n_devices]), (PATIENT_AXIS,))


@partial(jax.jit, static_argnames=("n_out", "n_devices", "dtype"))
def _integrate(params: model.HealingParams, age_factor, y0, h, dose_idx, out_idx, doses, n_out: int,
               n_devices: int = 1, dtype=jnp.float64):
    """:func:`_etdrk4_cohort` for patients with ``age_factor`` [n] and initial states ``y0`` [n, species];
    with ``n_devices`` > 1 (n a multiple of it) each device integrates its own block of n / n_devices
    patients. Returns [T, n, species]."""
    if n_devices == 1:
        return _etdrk4_cohort(params._replace(age_factor=age_factor), y0, h, dose_idx, out_idx, doses, n_out,
                              dtype)

    def block(p, af, y, h, dose_idx, out_idx, doses):
        return _etdrk4_cohort(p._replace(age_factor=af), y, h, dose_idx, out_idx, doses, n_out, dtype)

    shared, per_patient = PartitionSpec(), PartitionSpec(PATIENT_AXIS)
    sharded = jax.shard_map(block, mesh=_patient_mesh(n_devices),
                            in_specs=(shared, per_patient, per_patient, shared, shared, shared, shared),
                            out_specs=PartitionSpec(None, PATIENT_AXIS))
    return sharded(params, age_factor, y0, h, dose_idx, out_idx, doses)


def simulate_cohort(params: model.HealingParams, age_factor, session_days, session_doses, t_eval_days,
                    steps_per_segment: int = STEPS_PER_SEGMENT, grading: float = GRADING,
                    alignment: float | None = None, devices: int | None = None,
                    max_step_days: float = MAX_STEP_DAYS, dtype=jnp.float64) -> jnp.ndarray:
    """States [T, n, species] at ``t_eval_days`` for n patients with ``age_factor`` [n] (other parameters
    shared), sessions at ``session_days`` (days after the first) with ``session_doses``; the tissue starts
    unwounded (a read-out on a session day is the state just after it), with collagen ``alignment``
    (default: the unwounded dermis's; a scar starts higher).

    The patients are split over ``devices`` devices (default: all, at most one per patient); the cohort is
    padded to a multiple of the device count and the padding dropped from the result, which is returned on
    the first device. ``dtype`` (float64 or float32) is the precision of the steps (:func:`cohort_step`);
    the result is float64 either way."""
    require_float64()
    dtype = jnp.dtype(dtype)
    if dtype not in (jnp.dtype(jnp.float64), jnp.dtype(jnp.float32)):
        raise ValueError(f"dtype must be float64 or float32, got {dtype}")
    age_factor = jnp.atleast_1d(jnp.asarray(age_factor, dtype=jnp.float64))
    n = age_factor.shape[0]
    n_devices = max(1, min(devices or jax.device_count(), jax.device_count(), n))
    padded = -n % n_devices
    if padded:  # repeat the last patient; its copies are dropped below
        age_factor = jnp.concatenate([age_factor, jnp.broadcast_to(age_factor[-1], (padded,))])
    y_base = model.baseline_state(params, alignment=alignment)
    y0 = jnp.broadcast_to(y_base, (age_factor.shape[0], y_base.shape[0]))
    h, dose_idx, out_idx, _ = time_grid(session_days, t_eval_days, steps_per_segment, grading, max_step_days)
    # pad to a bucketed length with empty steps (h = 0 leaves the state unchanged), so that protocols of
    # similar length share one compiled kernel
    pad = -len(h) % GRID_BUCKET
    h = np.concatenate([h, np.zeros(pad)])
    dose_idx = np.concatenate([dose_idx, np.full(pad, -1, dtype=np.int32)])
    out_idx = np.concatenate([out_idx, np.full(pad, -1, dtype=np.int32)])
    y = _integrate(params, age_factor, y0, jnp.asarray(h), jnp.asarray(dose_idx), jnp.asarray(out_idx),
                   jnp.asarray(session_doses, dtype=jnp.float64), int(np.size(t_eval_days)), n_devices, dtype)
    if n_devices > 1:
        y = jax.device_put(y[:, :n], jax.devices()[0])
    return _dosed_at_sessions(y, session_days, session_doses, t_eval_days)


def _dosed_at_sessions(y, session_days, session_doses, t_eval_days):
    """A read-out on a session day reports the state just after that session, as the per-patient solvers do:
    the grid reads out at the end of the step before the dose, and a dose only adds to the signal ``P``."""
    hit = np.abs(np.asarray(t_eval_days, dtype=np.float64)[:, None]
                 - np.asarray(session_days, dtype=np.float64)[None, :]) < 1e-9  # [T, sessions]
    if not hit.any():
        return y
    added = jnp.asarray(hit.astype(np.float64)) @ jnp.asarray(session_doses, dtype=jnp.float64)  # [T]
    return y.at[:, :, model.P].add(added[:, None])


def simulate_cohort_chunked(params: model.HealingParams, age_factor, session_days, session_doses, t_eval_days,
                            chunk: int = 10_000, workers: int | None = None, alignment: float | None = None,
                            select: list[int] | None = None, **grid) -> np.ndarray:
    """:func:`simulate_cohort` over chunks of ``chunk`` patients (bounded memory), run by ``workers`` threads
    (default: the CPU count; XLA releases the GIL, so chunks run on all cores). Returns a NumPy array
    [T, n, species] (or only the species in ``select``). ``grid``: ``steps_per_segment``, ``grading``,
    ``max_step_days`` and ``dtype`` of :func:`simulate_cohort`."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    af = np.atleast_1d(np.asarray(age_factor, dtype=np.float64))
    starts = list(range(0, af.shape[0], chunk))

    def run(i: int) -> np.ndarray:
        y = simulate_cohort(params, jnp.asarray(af[i:i + chunk]), session_days, session_doses, t_eval_days,
                            alignment=alignment, **grid)
        return np.asarray(y if select is None else y[..., select])

    n_workers = min(workers or os.cpu_count() or 1, len(starts))
    if n_workers <= 1:
        parts = [run(i) for i in starts]
    else:
        with ThreadPoolExecutor(n_workers) as ex:
            parts = list(ex.map(run, starts))
    return np.concatenate(parts, axis=1)
