"""Cohort benchmark: 100,000 virtual patients x 12 months of the healing ODE (4 monthly sessions).

Compared in the same run, on the same model (:mod:`microneedling.healing.model` kinetics, per-patient age factor):
* JAX: :func:`microneedling.healing.cohort.simulate_cohort_chunked` (fourth-order exponential Runge-Kutta on a
  session-graded grid, batched state, jit), in chunks so that peak memory stays bounded, patients sharded
  over the cores; timed after compilation;
* SciPy: ``solve_ivp`` (LSODA, rtol 1e-6, atol 1e-9) in a Python loop over patients, segment by segment;
  a sample of patients is timed and the cohort time extrapolated;
* Numba: the same exponential Runge-Kutta scheme, eigen-coordinates and grid, ``prange`` over patients
  (compiled first, then timed);
* a tight reference (diffrax Tsit5, rtol 1e-10) for a sample of patients: the error of each fast path;
* the JAX path again with float32 steps (``simulate_cohort(..., dtype=float32)``), taken as the fast path only
  when its error is within 1e-4;
* the floating-point work of one step, counted by hand from the scheme (``STEP_FLOPS``) and by XLA's cost
  analysis of the compiled step, and the machine's peak in the same run (a float64 / float32 matmul and an
  elementwise multiply-add chain on all devices): the share of peak each solver reaches.

Prints one JSON line and appends a row to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import jax
import jax.numpy as jnp
import numba
import numpy as np
from scipy.integrate import solve_ivp

import microneedling  # noqa: E402
from microneedling import healing as H
from microneedling.healing.cohort import (
    cohort_step,
    etd_coefficients,
    simulate_cohort,
    simulate_cohort_chunked,
    time_grid,
)

microneedling.configure()  # float64, one XLA host device per core

PATIENTS = int(os.environ.get("COHORT_PATIENTS", 100_000))
CHUNK = int(os.environ.get("COHORT_CHUNK", 20_000))
SCIPY_SAMPLE = int(os.environ.get("COHORT_SCIPY_SAMPLE", 12))
# grid of the JAX and Numba paths (default: cohort_ode's); the trade-off table overrides it
GRID = {k: cast(os.environ[f"COHORT_{k.upper()}"]) for k, cast in
        (("steps_per_segment", int), ("grading", float), ("max_step_days", float)) if f"COHORT_{k.upper()}" in os.environ}
REF_SAMPLE = 4
SESSIONS_DAYS = np.arange(4) * 28.0  # 4 sessions, 4 weeks apart (Harris 2015 median interval)
DOSES = np.ones(4)  # the reference session (healing.injury_dose: 1.5 mm roller on the cheek = dose 1)
T_EVAL = np.linspace(0.0, 365.0, 13)[1:]  # monthly read-outs over 12 months
COMPARED = [H.C3, H.C1, H.E, H.A]  # outputs the scar model reads (relative collagen, elastin, alignment)


def cohort_ages(n: int) -> np.ndarray:
    return np.random.default_rng(0).uniform(18.0, 65.0, n)


def run_jax(p0, af: np.ndarray, dtype=jnp.float64, chunk: int = CHUNK, repeats: int = 2) -> tuple[float, np.ndarray]:
    """Best of ``repeats`` timed solves of the whole cohort (after one compiling call)."""
    simulate_cohort(p0, jnp.asarray(af[:chunk]), SESSIONS_DAYS, DOSES, T_EVAL, dtype=dtype,
                    **GRID).block_until_ready()  # compile
    best, y = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        y = simulate_cohort_chunked(p0, af, SESSIONS_DAYS, DOSES, T_EVAL, chunk=chunk, select=COMPARED, dtype=dtype,
                                    **GRID)
        best = min(best, time.perf_counter() - t0)
    return best, y


# --- floating-point work of one step, and the machine's peak ------------------------------------------------------

# Elementwise operations per patient in one evaluation of healing.model.kinetics_with_baseline, counted from the
# code line by line as XLA counts them (every add, multiply, divide, compare, select, max and abs on a patient's
# row is one; products of shared parameters are scalars and cost nothing per patient):
# influx 7 (cubic by Horner, max), total 1, growth 3, recruit 1, signal 1, recruiting signal Q 3,
# MI 6, MR 5 (influx + recruit shared with MI), TGF-b 5, activation 6 (subtract, compare, abs, add, divide,
# select), F 12, MF 2 (its differentiation term shared with F), cells 2, excess 1, syn3 8, syn1 4, C3 3, C1 3,
# MMP target 4, MMP 2, elastin synthesis 4, elastin 3, laid 7, mass 3, a_new 2, alignment 4.
KINETICS_FLOPS = 102
# per evaluation of the nonlinear part V^-1 f(V w) - D w: the two sparse unit-triangular transforms (a multiply
# and an add per entry of the mode pattern) and the subtraction of the diagonal (2 per species)
NONLINEAR_FLOPS = KINETICS_FLOPS + 2 * 2 * len(H.MODE_PATTERN) + 2 * H.N_SPECIES
# one Krogstad step (healing.solvers.etdrk4_step): 4 evaluations; per species the stage combinations
# a = e w + q1 n0 (3), b = a + q2 (na - n0) (3), c = e w + p1 n0 + 2 p2 (nb - n0) (6),
# w' = e w + b1 n0 + 2 b2 (na + nb) + b4 nc (8); then the session dose (1 add) and the read-out select (1)
STEP_FLOPS = 4 * NONLINEAR_FLOPS + (3 + 3 + 6 + 8 + 2) * H.N_SPECIES


def xla_step_cost(p0, dtype=jnp.float64, sizes: tuple[int, int] = (4096, 8192)) -> dict:
    """XLA's cost analysis of one compiled cohort step (:func:`cohort_step`, the same code the solver scans)
    on two cohort sizes; the difference per patient removes the per-step scalar work."""
    advance, modes = cohort_step(p0, dtype)
    coeff = tuple(c[0] for c in etd_coefficients(modes.rates, jnp.asarray([0.5])))
    costs = []
    for n in sizes:
        def one(w, af):
            adv, _ = cohort_step(p0._replace(age_factor=af), dtype)
            return adv(w, coeff)

        lowered = jax.jit(one).lower(jax.ShapeDtypeStruct((H.N_SPECIES, n), dtype), jax.ShapeDtypeStruct((n,), dtype))
        ca = lowered.compile().cost_analysis()
        ca = ca[0] if isinstance(ca, list) else ca
        costs.append((ca.get("flops", 0.0), ca.get("bytes accessed", 0.0)))
    dn = sizes[1] - sizes[0]
    return {"flops": (costs[1][0] - costs[0][0]) / dn, "bytes": (costs[1][1] - costs[0][1]) / dn}


def _on_all_devices(fn, *args_per_device):
    """Run ``fn`` on every device at once (shard_map over a 1-D mesh of all devices); inputs stacked on axis 0."""
    mesh = jax.sharding.Mesh(np.asarray(jax.devices()), ("d",))
    spec = jax.sharding.PartitionSpec("d")
    mapped = jax.jit(jax.shard_map(lambda *a: fn(*(x[0] for x in a))[None], mesh=mesh,
                                   in_specs=(spec,) * len(args_per_device), out_specs=spec))
    placed = [jax.device_put(a, jax.sharding.NamedSharding(mesh, spec)) for a in args_per_device]
    return mapped, placed


def _best_rate(run, args, flops: float, repeats: int = 5) -> float:
    jax.block_until_ready(run(*args))  # compile
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(run(*args))
        best = min(best, time.perf_counter() - t)
    return flops / best


def machine_peak(dtype=jnp.float64) -> dict:
    """Floating-point peak through the same XLA, in the same run, on all devices (cores) at once:
    ``matmul``: an N x N matrix product per device (2 N^3 flops each; Eigen's blocked GEMM, the best this
    XLA does on this CPU); ``vector``: an elementwise chain of 64 multiply-adds on an L2-resident array per
    device (128 flops per element per pass, fused into one loop): the peak of the kind of code the cohort
    kernel is (elementwise, vectorised over patients)."""
    d = jax.device_count()
    n = 1536
    a = jnp.asarray(np.random.default_rng(1).standard_normal((d, n, n)), dtype=dtype)
    mm, args = _on_all_devices(lambda x, y: x @ y, a, a)
    matmul = _best_rate(mm, args, d * 2.0 * n**3)
    m = 16_384  # 128 kB (float64) per device

    def chain(x):
        for _ in range(64):
            x = x * 0.999 + 0.001
        return x

    x = jnp.asarray(np.random.default_rng(2).uniform(size=(d, m)), dtype=dtype)
    vec, args = _on_all_devices(lambda v: jax.lax.fori_loop(0, 50, lambda _, u: chain(u), v), x)
    vector = _best_rate(vec, args, d * 50 * 128.0 * m)
    return {"matmul_gflops": matmul / 1e9, "vector_gflops": vector / 1e9}


# --- NumPy kinetics for SciPy (the same equations as healing.kinetics_with_baseline) --------------------------------


def _param_vector(p) -> np.ndarray:
    return np.asarray([float(v) for v in p], dtype=np.float64)


FIELD = {name: i for i, name in enumerate(H.HealingParams._fields)}


# species indices (healing.model), frozen into the compiled right-hand side
_P, _Q, _MI, _MR, _T, _F, _MF, _C3, _C1, _MMP, _E, _A = (H.P, H.Q, H.MI, H.MR, H.T, H.F, H.MF, H.C3, H.C1, H.MMP,
                                                          H.E, H.A)


@numba.njit(cache=False, fastmath=False)
def _rhs(y, pv, af, phi0, T0, out):
    f = FIELD_T
    sig, chem, mi, mr, tg = y[_P], y[_Q], y[_MI], y[_MR], y[_T]
    fb, mf, c3, c1, mmp, el, al = y[_F], y[_MF], y[_C3], y[_C1], y[_MMP], y[_E], y[_A]
    infl = ((pv[f[7]] * tg + pv[f[8]]) * tg + pv[f[9]]) * tg + pv[f[10]]
    infl = max(infl, 0.0)
    total = mi + mr
    growth = pv[f[1]] * pv[f[2]] * (1.0 - pv[f[3]] * total)
    recruit = pv[f[11]] * pv[f[33]] * chem  # the recruiting signal Q drives the influx
    alpha = pv[f[0]]
    out[_P] = -pv[f[13]] * sig
    out[_Q] = pv[f[13]] * sig - pv[f[33]] * chem
    out[_MI] = alpha * (infl + recruit) + growth * mi - pv[f[5]] * mi
    out[_MR] = (1.0 - alpha) * (infl + recruit) + growth * mr - pv[f[5]] * mr
    out[_T] = pv[f[4]] * mi - pv[f[6]] * tg + pv[f[12]] * pv[f[13]] * sig
    s = tg - T0
    act = s / (pv[f[14]] + abs(s)) if s > 0.0 else 0.0
    out[_F] = (pv[f[15]] * act * fb * (1.0 - (fb + mf) / pv[f[16]]) - pv[f[17]] * (fb - 1.0) - pv[f[18]] * act * fb)
    out[_MF] = pv[f[18]] * act * fb - pv[f[19]] * mf
    cells = fb + pv[f[20]] * mf
    excess = cells - 1.0
    syn3 = max(1.0 + af * pv[f[23]] * (cells * (1.0 + pv[f[25]] * act) - 1.0), 0.0)
    syn1 = max(1.0 + af * pv[f[24]] * excess, 0.0)
    out[_C3] = pv[f[21]] * (syn3 - mmp * c3)
    out[_C1] = pv[f[22]] * (syn1 - mmp * c1)
    w = pv[f[27]]
    target = w * total / phi0 + (1.0 - w) * (fb + mf)
    out[_MMP] = pv[f[26]] * (target - mmp)
    syn_e = max(1.0 + pv[f[29]] * (c1 - 1.0), 0.0)  # elastin fibre assembly follows collagen I
    out[_E] = pv[f[28]] * (syn_e - mmp * el)
    w1 = pv[f[32]]
    laid = w1 * pv[f[22]] * max(syn1 - 1.0, 0.0) + (1.0 - w1) * pv[f[21]] * max(syn3 - 1.0, 0.0)
    mass = w1 * c1 + (1.0 - w1) * c3
    a_new = pv[f[30]] + (1.0 - pv[f[30]]) * pv[f[31]] * act
    out[_A] = laid / max(mass, 1e-12) * (a_new - al)


# parameter indices in the order _rhs reads them (names of HealingParams)
_ORDER = ["alpha", "k1", "k2_per_d", "k3", "k4", "d1_per_d", "d2_per_d", "tau1", "tau2", "tau3", "tau4",
          "wound_macrophages", "wound_tgfb", "signal_decay_per_d", "tgfb_half_activation",
          "fibroblast_proliferation_per_d", "fibroblast_capacity", "fibroblast_return_per_d",
          "myofibroblast_differentiation_per_d", "myofibroblast_clearance_per_d", "myofibroblast_synthesis_weight",
          "collagen3_turnover_per_d", "collagen1_turnover_per_d", "collagen3_synthesis_gain",
          "collagen1_synthesis_gain", "collagen3_tgfb_gain", "mmp_relaxation_per_d", "mmp_macrophage_weight",
          "elastin_turnover_per_d", "elastin_synthesis_gain", "alignment_baseline", "alignment_tgfb_gain",
          "collagen1_fraction", "recruitment_decay_per_d"]
FIELD_T = tuple(FIELD[n] for n in _ORDER)


@numba.njit(cache=False)
def _apply(pi, pj, entries, x, out):
    """The unit lower-triangular matrix with ``entries`` at (pi, pj) times x (healing.apply_modes)."""
    for s in range(x.shape[0]):
        out[s] = x[s]
    for k in range(pi.shape[0]):
        out[pi[k]] += entries[k] * x[pj[k]]


@numba.njit(cache=False)
def _nonlinear(w, pv, af, phi0, T0, lam, pi, pj, vf, vt, y, dy, out):
    """V^-1 f(V w) - D w, as healing.simulate's nonlinear part."""
    _apply(pi, pj, vf, w, y)
    _rhs(y, pv, af, phi0, T0, dy)
    _apply(pi, pj, vt, dy, out)
    for s in range(w.shape[0]):
        out[s] -= lam[s] * w[s]


@numba.njit(parallel=True, cache=False)
def _numba_cohort(af, y0, pv, phi0, T0, lam, coef, pi, pj, vf, vt, dose_mode, dose_idx, out_idx, doses, n_out):
    n = af.shape[0]
    S = y0.shape[0]
    out = np.empty((n_out, n, S))
    e1, e2, q1, q2, p1, p2, b1, b2, b4 = coef[0], coef[1], coef[2], coef[3], coef[4], coef[5], coef[6], coef[7], coef[8]
    for i in numba.prange(n):
        w = np.empty(S)
        _apply(pi, pj, vt, y0, w)
        y = np.empty(S)
        dy = np.empty(S)
        n0 = np.empty(S)
        na = np.empty(S)
        nb = np.empty(S)
        nc = np.empty(S)
        a = np.empty(S)
        b = np.empty(S)
        c = np.empty(S)
        for j in range(n_out):
            out[j, i, :] = y0
        for k in range(e1.shape[0]):
            if dose_idx[k] >= 0:
                for s in range(S):
                    w[s] += doses[dose_idx[k]] * dose_mode[s]
            _nonlinear(w, pv, af[i], phi0, T0, lam, pi, pj, vf, vt, y, dy, n0)
            for s in range(S):
                a[s] = e2[k, s] * w[s] + q1[k, s] * n0[s]
            _nonlinear(a, pv, af[i], phi0, T0, lam, pi, pj, vf, vt, y, dy, na)
            for s in range(S):
                b[s] = a[s] + q2[k, s] * (na[s] - n0[s])
            _nonlinear(b, pv, af[i], phi0, T0, lam, pi, pj, vf, vt, y, dy, nb)
            for s in range(S):
                c[s] = e1[k, s] * w[s] + p1[k, s] * n0[s] + 2.0 * p2[k, s] * (nb[s] - n0[s])
            _nonlinear(c, pv, af[i], phi0, T0, lam, pi, pj, vf, vt, y, dy, nc)
            for s in range(S):
                w[s] = e1[k, s] * w[s] + b1[k, s] * n0[s] + 2.0 * b2[k, s] * (na[s] + nb[s]) + b4[k, s] * nc[s]
            if out_idx[k] >= 0:
                _apply(pi, pj, vf, w, y)
                out[out_idx[k], i, :] = y
    return out


def numba_inputs(p0):
    h, dose_idx, out_idx, _ = time_grid(SESSIONS_DAYS, T_EVAL, **GRID)
    phi0, T0 = H.macrophage_baseline(p0)
    modes = H.linear_modes(p0, phi0)
    coef = np.stack([np.asarray(c) for c in etd_coefficients(modes.rates, jnp.asarray(h))])
    pi = np.asarray([ij[0] for ij in H.MODE_PATTERN], dtype=np.int64)
    pj = np.asarray([ij[1] for ij in H.MODE_PATTERN], dtype=np.int64)
    vf = np.asarray([float(v) for v in modes.from_modes])
    vt = np.asarray([float(v) for v in modes.to_modes])
    dose_mode = np.asarray(H.apply_modes(modes.to_modes, jnp.zeros(H.N_SPECIES).at[H.P].set(1.0)))
    y0 = np.asarray(H.baseline_state(p0))
    return (y0, _param_vector(p0), float(phi0), float(T0), np.asarray(modes.rates), coef, pi, pj, vf, vt,
            dose_mode, dose_idx, out_idx, DOSES.astype(np.float64), len(T_EVAL))


def run_numba(p0, af: np.ndarray) -> tuple[float, np.ndarray]:
    args = numba_inputs(p0)
    _numba_cohort(af[:8], *args)  # compile
    t0 = time.perf_counter()
    y = _numba_cohort(af, *args)
    return time.perf_counter() - t0, y[:, :, COMPARED]


def run_scipy(p0, af: np.ndarray) -> tuple[float, np.ndarray]:
    pv = _param_vector(p0)
    phi0, T0 = (float(v) for v in H.macrophage_baseline(p0))
    y_base = np.asarray(H.baseline_state(p0))
    ends = np.append(SESSIONS_DAYS[1:], T_EVAL.max())
    out = np.empty((len(T_EVAL), len(af), len(COMPARED)))
    t0 = time.perf_counter()
    for i, a in enumerate(af):
        buf = np.empty(H.N_SPECIES)

        def f(t, y, a=a, buf=buf):
            _rhs(y, pv, a, phi0, T0, buf)
            return buf.copy()

        y = y_base.copy()
        for j, (s, e) in enumerate(zip(SESSIONS_DAYS, ends, strict=True)):
            y[0] += DOSES[j]
            inside = (T_EVAL > s) & (T_EVAL <= e)
            ts = np.append(T_EVAL[inside & (T_EVAL < e)], e)
            sol = solve_ivp(f, (s, e), y, method="LSODA", rtol=1e-6, atol=1e-9, t_eval=ts)
            out[inside, i, :] = sol.y[COMPARED][:, : int(inside.sum())].T
            y = sol.y[:, -1].copy()
    return time.perf_counter() - t0, out


def reference(p0, af: np.ndarray) -> np.ndarray:
    out = []
    for a in af:
        p = p0._replace(age_factor=jnp.asarray(a))
        y = H.simulate_reference(p, jnp.asarray(SESSIONS_DAYS), jnp.asarray(DOSES), jnp.asarray(T_EVAL))
        out.append(np.asarray(y)[:, COMPARED])
    return np.stack(out, axis=1)


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> dict:
    p0 = H.default_healing_params(30.0)
    af = np.asarray(H.age_factor(cohort_ages(PATIENTS)))
    peak64, peak32 = machine_peak(jnp.float64), machine_peak(jnp.float32)
    jax_s, y_jax = run_jax(p0, af)
    jax32_s, y_jax32 = run_jax(p0, af, jnp.float32)
    numba_s, y_nb = run_numba(p0, af)
    scipy_s, y_sp = run_scipy(p0, af[:SCIPY_SAMPLE])
    per_patient = scipy_s / SCIPY_SAMPLE
    idx = np.linspace(0, PATIENTS - 1, REF_SAMPLE).astype(int)
    ref = reference(p0, af[idx])
    err = lambda y: float(np.max(np.abs(y - ref)))  # noqa: E731
    steps = len(time_grid(SESSIONS_DAYS, T_EVAL, **GRID)[0])
    xla64, xla32 = xla_step_cost(p0, jnp.float64), xla_step_cost(p0, jnp.float32)
    work = STEP_FLOPS * steps * PATIENTS  # floating-point operations of the whole cohort solve

    def share(seconds: float, peak: dict) -> dict:
        rate = work / seconds / 1e9
        return {"gflops": round(rate, 2), "of_matmul": round(rate / peak["matmul_gflops"], 4),
                "of_vector": round(rate / peak["vector_gflops"], 4)}

    err32 = err(y_jax32[:, idx])
    fast_s = jax32_s if err32 <= 1e-4 else jax_s  # float32 only where the error budget allows
    res = {
        "patients": PATIENTS, "months": 12, "sessions": len(SESSIONS_DAYS),
        "seconds": round(jax_s, 3), "chunk": CHUNK, "steps": steps,
        "baseline_seconds_per_patient": round(per_patient, 5),
        "baseline_seconds_extrapolated": round(per_patient * PATIENTS, 1),
        "speedup": round(per_patient * PATIENTS / jax_s, 1),
        "numba_seconds": round(numba_s, 3), "numba_ratio": round(numba_s / jax_s, 3),
        "max_error_jax": err(y_jax[:, idx]), "max_error_numba": err(y_nb[:, idx]),
        "max_error_scipy": float(np.max(np.abs(y_sp[:, :1] - reference(p0, af[:1])))),
        "jax_vs_numba_max_diff": float(np.max(np.abs(y_jax - y_nb))),
        "seconds_float32": round(jax32_s, 3), "max_error_jax_float32": err32,
        "fast_path": "float32" if fast_s == jax32_s else "float64", "fast_seconds": round(fast_s, 3),
        "fast_speedup": round(per_patient * PATIENTS / fast_s, 1), "fast_numba_ratio": round(numba_s / fast_s, 3),
        "flops_per_patient_step": {"hand": STEP_FLOPS, "xla_float64": xla64["flops"], "xla_float32": xla32["flops"]},
        "xla_bytes_per_patient_step": {"float64": xla64["bytes"], "float32": xla32["bytes"]},
        "peak_float64": {k: round(v, 2) for k, v in peak64.items()},
        "peak_float32": {k: round(v, 2) for k, v in peak32.items()},
        "share_float64": share(jax_s, peak64), "share_float32": share(jax32_s, peak32),
        "share_numba": share(numba_s, peak64),
        "peak_rss_gib": round(peak_rss_gib(), 2), "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(), "machine": platform.machine(), "jax": jax.__version__, "numba": numba.__version__,
    }
    return res


def record(res: dict) -> None:
    path = Path(__file__).with_name("RESULTS.md")
    header = "\n## Cohort (benchmarks/cohort.py)\n\n" \
             "| date (UTC) | patients | JAX s | SciPy s/patient | speedup | Numba s | Numba/JAX | JAX err | " \
             "Numba err | peak RSS GiB | cpus | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if "## Cohort (benchmarks/cohort.py)" not in text:
        text += header
    row = (f"| {datetime.now(UTC):%Y-%m-%d %H:%M} | {res['patients']} | {res['seconds']} | "
           f"{res['baseline_seconds_per_patient']} | {res['speedup']} | {res['numba_seconds']} | "
           f"{res['numba_ratio']} | {res['max_error_jax']:.2e} | {res['max_error_numba']:.2e} | "
           f"{res['peak_rss_gib']} | {res['cpus']} | {res['load_average_1min']} |\n")
    marker = "## Cohort (benchmarks/cohort.py)"
    head, _, tail = text.partition(marker)
    # my section ends at the next level-2 heading; the row goes after its last table row
    end = tail.find("\n## ")
    section, rest = (tail, "") if end < 0 else (tail[:end], tail[end:])
    lines = section.split("\n")
    last = max(i for i, ln in enumerate(lines) if ln.startswith("|"))
    lines.insert(last + 1, row.rstrip("\n"))
    path.write_text(head + marker + "\n".join(lines) + rest, encoding="utf-8")


if __name__ == "__main__":
    result = main()
    print(json.dumps(result))
    if "--no-record" not in sys.argv:
        record(result)
