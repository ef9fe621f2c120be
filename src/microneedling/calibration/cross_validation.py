"""Leave-one-trial-out cross-validation of the hierarchical calibration (``microneedling calibrate --loto``).

For each arm with role ``fit``: refit the hierarchical model without it (NUTS, fewer draws than the full fit),
then predict the left-out arm as a new trial (:func:`microneedling.calibration.hierarchical.predict_held_out`:
its fill drawn with the between-trial spread) and compare the published change of the mean with the 95%
prediction interval. Reported per arm and overall: coverage of the 95% prediction interval and the mean
absolute error of the predicted change (points on the quantitative scale, grades on the qualitative).
Arms that publish responder rates are compared on the rate: the 95% prediction interval of the rate a new trial
of that size records. The ``held_out`` arms, never fitted, are predicted by the full fit and reported with the
folds as *out-of-sample*. The record is
``data/calibration/trial_loto.json``; ``microneedling validate`` reads it.
"""

from __future__ import annotations

import json
import time
from importlib import resources

import numpy as np

from microneedling.calibration import hierarchical as h
from microneedling.calibration.trial_response import TrialRecord
from microneedling.trials.response import Posterior

LOTO_FILE = "data/calibration/trial_loto.json"
COVERAGE_THRESHOLD = 0.8  # validate fails below this coverage of the 95% prediction interval


def fold(records: list[TrialRecord], left_out: str, warmup: int, samples: int, chains: int = 1, seed: int = 0,
         emulator: dict | None = None, draws: int = h.HELD_OUT_DRAWS,
         prepared: list[h.ArmData] | None = None) -> dict:
    """Refit without ``left_out`` and predict it: ``{"trial", "rows", "fit_seconds", "fill_median", ...}``."""
    rest = [r for r in records if r.id != left_out]
    target = [r for r in records if r.id == left_out]
    t0 = time.perf_counter()
    res = h.fit(rest, seed=seed, warmup=warmup, samples=samples, chains=chains, emulator=emulator, prepared=prepared)
    rows = h.predict_held_out(target, Posterior.from_record(res), draws=draws, roles=("fit",), emulator=emulator)
    return {"trial": left_out, "kind": "cross-validated", "rows": rows,
            "fit_seconds": round(time.perf_counter() - t0, 1),
            "fill_median": res["summary"]["fill"]["median"], "tau_median": res["summary"]["tau"]["median"],
            "r_hat_max": _finite(res["diagnostics"]["r_hat_max"]), "ess_bulk_min": _finite(res["diagnostics"]["ess_bulk_min"]),
            "divergences": res["diagnostics"]["divergences"]}


def _finite(x: float) -> float | None:
    """``x``, or None where ArviZ cannot compute it (R-hat of a one-chain fold)."""
    return float(x) if np.isfinite(x) else None


def _mae(rows: list[dict], quantity: str, scale: str | None = None) -> float | None:
    errs = [abs(r["predicted"] - r["observed"]) for r in rows
            if r["quantity"] == quantity and (scale is None or r["scale"] == scale)]
    return float(np.mean(errs)) if errs else None


def summarise(folds: list[dict]) -> dict:
    """Coverage of the 95% prediction intervals and mean absolute errors over every predicted outcome of
    ``folds`` (changes of the mean and responder rates)."""
    rows = [r for f in folds for r in f["rows"]]
    per_trial = [{"trial": f["trial"], "kind": f["kind"], "outcomes": len(f["rows"]),
                  "inside95": sum(r["inside"] for r in f["rows"]), "rows": f["rows"]}
                 | {k: f[k] for k in ("fill_median", "tau_median", "r_hat_max", "ess_bulk_min", "divergences", "fit_seconds")
                    if k in f}
                 for f in folds]
    return {"trials": len(folds), "outcomes": len(rows),
            "coverage95": float(np.mean([r["inside"] for r in rows])) if rows else float("nan"),
            "mae_quantitative": _mae(rows, "change", "goodman_baron_quantitative"),
            "mae_qualitative": _mae(rows, "change", "goodman_baron_qualitative"),
            "mae_responder_rate": _mae(rows, "responder_rate"),
            "per_trial": per_trial}


def loto(records: list[TrialRecord], warmup: int = 300, samples: int = 300, chains: int = 2, seed: int = 0,
         emulator: dict | None = None, full_fit: dict | None = None, progress=None) -> dict:
    """Every fold (the arms are prepared once and shared), plus the ``held_out`` arms predicted by the full fit
    (``full_fit``, a :func:`~microneedling.calibration.hierarchical.fit` record; they never enter any fit, so
    their predictions are out-of-sample). The summary of :func:`summarise` with the sampler settings."""
    fit_recs = [r for r in records if r.role == "fit"]
    emu = h.emulators([r for r in records if r.role in ("fit", "held_out")], emulator)
    t0 = time.perf_counter()
    prepared = h.prepare(records, seed, emulator=emu)
    folds = []
    for rec in fit_recs:
        folds.append(fold(records, rec.id, warmup, samples, chains, seed, emu, prepared=prepared))
        if progress:
            progress(rec.id)
    if full_fit is not None:
        rows = h.predict_held_out(records, Posterior.from_record(full_fit), emulator=emu)
        for arm in dict.fromkeys(r["trial"] for r in rows):
            folds.append({"trial": arm, "kind": "out-of-sample", "rows": [r for r in rows if r["trial"] == arm]})
    out = summarise(folds)
    out["sampler"] = {"warmup": warmup, "samples": samples, "chains": chains, "seed": seed,
                      "seconds": round(time.perf_counter() - t0, 1)}
    return out


def stored() -> dict | None:
    """The stored cross-validation record, or None when ``calibrate --loto`` has not been run."""
    try:
        return json.loads(resources.files("microneedling").joinpath(LOTO_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
