"""Global sensitivity of the predicted 6-month change to the calibrated and assumed parameters: Sobol indices.

Every ``calibrated`` and ``assumed`` registry row (:func:`microneedling.sensitivity.ranges.uncertain_ranges`)
is varied over its range at once. Saltelli's extension of the Sobol sequence (SALib
``SALib.sample.sobol.sample``, ``calc_second_order=False``: N (D + 2) parameter vectors for D parameters and N
base samples) is evaluated through the course pipeline with the cohort solver, vmapped over the vectors
(:func:`microneedling.sensitivity.outcome.outcome_function`), and SALib's estimators
(``SALib.analyze.sobol.analyze``: Saltelli 2010 first order, Jansen total) give for each output

* ``S1``, the first-order index: the share of the output's variance due to the parameter alone;
* ``ST``, the total index: the share due to the parameter including all its interactions (0 for a parameter
  that does not enter the output);

each with the half-width of its 95% bootstrap interval (``S1_conf``, ``ST_conf``). Estimates can fall slightly
outside [0, 1] at small N; the intervals say how far to trust them. Outputs and reference patient:
:mod:`microneedling.sensitivity.outcome`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from microneedling.sensitivity.outcome import (
    OUTPUT_LABELS,
    OUTPUTS,
    Reference,
    outcome_function,
    session_inputs,
    session_parameters,
)
from microneedling.sensitivity.ranges import LOG_FACTOR, ParameterRange, uncertain_ranges

CHUNK = 64
"""Parameter vectors per vmapped evaluation (one compiled kernel serves every chunk)."""
CONF_LEVEL = 0.95
RESAMPLES = 200

RANGE_RULES = (
    "Ranges: an interval stated in the row (the posterior 95% interval of a calibrated row) if present; the "
    "row's low/high where the row says they are an interval; otherwise +/-50% in log space (log-uniform from "
    f"value / {LOG_FACTOR:g} to value x {LOG_FACTOR:g}, within the row's refusal bounds) for a positive value; "
    "otherwise (value 0 or below) uniform over the row's low/high."
)


def _problem(ranges: list[ParameterRange]) -> dict:
    return {"num_vars": len(ranges), "names": [r.name for r in ranges], "bounds": [list(r.bounds) for r in ranges]}


def sample_values(ranges: list[ParameterRange], samples: int, seed: int = 0) -> np.ndarray:
    """Saltelli sample [samples (D + 2), D] of parameter values (in their units) over ``ranges``."""
    from SALib.sample import sobol as sobol_sample

    u = sobol_sample.sample(_problem(ranges), samples, calc_second_order=False, seed=seed)
    return np.column_stack([r.from_sample(u[:, j]) for j, r in enumerate(ranges)])


def session_columns(ref: Reference, values: np.ndarray, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(dose [R], penetration depth [R]) of one session for each parameter vector, the mechanics evaluated once
    per distinct set of the parameters they read."""
    idx = [j for j, n in enumerate(names) if n in session_parameters(ref)]
    known: dict[tuple[float, ...], tuple[float, float]] = {}
    dose, pen = np.empty(values.shape[0]), np.empty(values.shape[0])
    for i, row in enumerate(values):
        key = tuple(float(row[j]) for j in idx)
        if key not in known:
            known[key] = session_inputs(ref, {names[j]: v for j, v in zip(idx, key, strict=True)})
        dose[i], pen[i] = known[key]
    return dose, pen


def evaluate(ref: Reference, names: list[str], values: np.ndarray, chunk: int = CHUNK,
             on_progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Outputs [R, len(OUTPUTS)] of the parameter vectors ``values`` [R, D] (columns named ``names``), in chunks
    of ``chunk`` vectors; ``on_progress(done, total)`` after each."""
    dose, pen = session_columns(ref, values, names)
    f = outcome_function(ref, names)
    n = values.shape[0]
    out = np.empty((n, len(OUTPUTS)))
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        take = np.minimum(np.arange(start, start + chunk), n - 1)  # the last chunk padded with its last row
        out[start:stop] = np.asarray(f(values[take], dose[take], pen[take]))[: stop - start]
        if on_progress:
            on_progress(stop, n)
    return out


def run_sensitivity(samples: int = 256, seed: int = 0, ref: Reference | None = None, chunk: int = CHUNK,
                    on_progress: Callable[[int, int], None] | None = None) -> dict:
    """Sobol indices of every output (:data:`OUTPUTS`) to every calibrated and assumed parameter, from
    ``samples`` base samples (a power of 2). Returns a JSON-ready dict: the reference, the range rules and
    each parameter's range, and per output its mean and SD over the sample and the indices sorted by ``ST``."""
    from SALib.analyze import sobol as sobol_analyze

    if samples < 2 or samples & (samples - 1):
        raise ValueError(f"samples must be a power of 2 of at least 2, got {samples}")
    ref = ref or Reference()
    t0 = time.perf_counter()
    ranges = uncertain_ranges()
    names = [r.name for r in ranges]
    values = sample_values(ranges, samples, seed)
    y = evaluate(ref, names, values, chunk, on_progress)
    bad = ~np.isfinite(y)
    if bad.any():
        raise FloatingPointError(f"{int(bad.any(axis=1).sum())} of {len(y)} parameter vectors gave a non-finite "
                                 "output")
    problem = _problem(ranges)
    outputs = {}
    for k, out in enumerate(OUTPUTS):
        si = sobol_analyze.analyze(problem, y[:, k], calc_second_order=False, num_resamples=RESAMPLES,
                                   conf_level=CONF_LEVEL, seed=seed)
        rows = [{"name": n, "S1": float(si["S1"][j]), "S1_conf": float(si["S1_conf"][j]),
                 "ST": float(si["ST"][j]), "ST_conf": float(si["ST_conf"][j])} for j, n in enumerate(names)]
        rows.sort(key=lambda r: -r["ST"])
        outputs[out] = {"label": OUTPUT_LABELS[out], "mean": float(y[:, k].mean()), "sd": float(y[:, k].std()),
                        "indices": rows}
    p = ref.protocol
    return {
        "reference": {"patient": ref.patient.id, "age_years": float(ref.patient.age_years),
                      "protocol": {"device": p.device.value, "needle_length_mm": p.needle_length_mm,
                                   "sessions": p.sessions, "interval_weeks": p.interval_weeks,
                                   "zone": p.zone.value},
                      "readout_weeks": ref.weeks},
        "samples": samples, "evaluations": int(values.shape[0]), "seed": seed, "conf_level": CONF_LEVEL,
        "range_rules": RANGE_RULES,
        "ranges": [{"name": r.name, "status": r.status, "unit": r.unit, "value": r.value, "low": r.low,
                    "high": r.high, "log": r.log, "basis": r.basis} for r in ranges],
        "session_parameters": sorted(set(names) & session_parameters(ref)),
        "outputs": outputs,
        "seconds": time.perf_counter() - t0,
    }


def top(result: dict, output: str = "gb_quantitative_change", n: int = 10) -> list[dict]:
    """The ``n`` parameters with the largest total index on ``output``, each with its range."""
    ranges = {r["name"]: r for r in result["ranges"]}
    return [{**row, **{k: ranges[row["name"]][k] for k in ("status", "unit", "value", "low", "high", "basis")}}
            for row in result["outputs"][output]["indices"][:n]]
