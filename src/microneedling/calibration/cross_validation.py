"""Leave-one-trial-out cross-validation of the hierarchical calibration (``microneedling calibrate --loto``).

For each arm with role ``fit``: refit the hierarchical model without it (NUTS, fewer draws than the full fit),
then predict the left-out arm as a new trial (:func:`microneedling.calibration.hierarchical.predict_held_out`:
its fill drawn with the between-trial spread) and compare the published change of the mean with the 95%
prediction interval. Reported per arm and overall: coverage of the 95% prediction interval and the mean
absolute error of the predicted change (points on the quantitative scale, grades on the qualitative).
Arms that publish only responder rates have no mean to predict; they are listed with their predicted and
published responder rate and stay out of coverage and error. The record is
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
         emulator: dict | None = None, draws: int = h.HELD_OUT_DRAWS) -> dict:
    """Refit without ``left_out`` and predict it: ``{"trial", "rows", "fit_seconds", "fill_median"}``."""
    rest = [r for r in records if r.id != left_out]
    target = [r for r in records if r.id == left_out]
    t0 = time.perf_counter()
    res = h.fit(rest, seed=seed, warmup=warmup, samples=samples, chains=chains, emulator=emulator)
    rows = h.predict_held_out(target, Posterior.from_record(res), draws=draws, roles=("fit",), emulator=emulator)
    return {"trial": left_out, "rows": rows, "fit_seconds": round(time.perf_counter() - t0, 1),
            "fill_median": res["summary"]["fill"]["median"], "tau_median": res["summary"]["tau"]["median"],
            "r_hat_max": res["diagnostics"]["r_hat_max"], "divergences": res["diagnostics"]["divergences"]}


def summarise(folds: list[dict]) -> dict:
    """Coverage and mean absolute errors over every predicted outcome of ``folds``."""
    rows = [r for f in folds for r in f["rows"]]
    quant = [abs(r["predicted_change"] - r["observed_change"]) for r in rows
             if r["scale"] == "goodman_baron_quantitative"]
    qual = [abs(r["predicted_change"] - r["observed_change"]) for r in rows
            if r["scale"] == "goodman_baron_qualitative"]
    per_trial = []
    for f in folds:
        per_trial.append({"trial": f["trial"], "outcomes": len(f["rows"]),
                          "inside95": sum(r["inside"] for r in f["rows"]),
                          "rows": f["rows"], "fill_median_without": f["fill_median"],
                          "tau_median_without": f["tau_median"], "r_hat_max": f["r_hat_max"],
                          "divergences": f["divergences"], "fit_seconds": f["fit_seconds"]})
    return {"trials": len(folds), "outcomes": len(rows),
            "coverage95": float(np.mean([r["inside"] for r in rows])) if rows else float("nan"),
            "mae_quantitative": float(np.mean(quant)) if quant else None,
            "mae_qualitative": float(np.mean(qual)) if qual else None,
            "per_trial": per_trial}


def loto(records: list[TrialRecord], warmup: int = 200, samples: int = 200, chains: int = 1, seed: int = 0,
         emulator: dict | None = None) -> dict:
    """Every fold; the summary of :func:`summarise` with the sampler settings."""
    fit_ids = [r.id for r in records if r.role == "fit"]
    emu = h.emulators([r for r in records if r.role == "fit"], emulator)
    t0 = time.perf_counter()
    folds = [fold(records, i, warmup, samples, chains, seed, emu) for i in fit_ids]
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
