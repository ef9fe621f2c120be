"""*cross-validated*: leave-one-trial-out predictions of the fitted arms (stored by ``microneedling calibrate
--loto``, :mod:`microneedling.calibration.cross_validation`): each fit arm's published change against the 95%
prediction interval of a fit without it. ``microneedling validate`` fails when the coverage is below
:data:`~microneedling.calibration.cross_validation.COVERAGE_THRESHOLD`."""

from __future__ import annotations

from microneedling.calibration.cross_validation import COVERAGE_THRESHOLD, stored
from microneedling.calibration.trial_response import load_trials
from microneedling.validation.registry import Comparison, comparison


def cross_validation_summary() -> dict | None:
    """``{"trials", "coverage95", "mae_quantitative", "mae_qualitative", "per_trial", ...}`` of the stored
    record (None before ``calibrate --loto`` has run)."""
    cv = stored()
    if cv is None:
        return None
    return {"trials": cv["trials"], "outcomes": cv["outcomes"], "coverage95": cv["coverage95"],
            "coverage_threshold": COVERAGE_THRESHOLD, "mae_quantitative": cv["mae_quantitative"],
            "mae_qualitative": cv["mae_qualitative"], "mae_responder_rate": cv.get("mae_responder_rate"),
            "per_trial": [{k: t[k] for k in ("trial", "kind", "outcomes", "inside95", "rows")}
                          for t in cv["per_trial"]],
            "sampler": cv["sampler"]}


def prediction_fields(rows: list[dict]) -> dict:
    """The :class:`Comparison` fields of predicted arms (rows of
    :func:`~microneedling.calibration.hierarchical.predict_held_out`): published change or responder rate
    against the prediction and its 95% prediction interval."""
    return {"quantity": "change of the mean score (baseline - score), or responder rate",
            "x_label": "trial, week after first session",
            "x": [f"{r['trial']} wk {r['week']:g}{'' if r['quantity'] == 'change' else ' responders'}" for r in rows],
            "observed": [r["observed"] for r in rows], "observed_err": [0.0] * len(rows),
            "predicted": [r["predicted"] for r in rows], "predicted_band": [tuple(r["predicted_ci95"]) for r in rows]}


@comparison("trials_cross_validated", fast=True)
def trials_cross_validated() -> Comparison:
    """*cross-validated*: each fit arm predicted by a fit without it; published change vs 95% interval."""
    cv = stored()
    rows = [] if cv is None else [r for t in cv["per_trial"] for r in t["rows"]]
    outside = sum(not r["inside"] for r in rows)
    coverage = cv["coverage95"] if cv else 0.0
    return Comparison(
        name="trials_cross_validated",
        title="cross-validated: each fitted arm predicted by a fit without it (leave one trial out)",
        **prediction_fields(rows),
        metric="1 - coverage of the 95% prediction interval", error=1.0 - coverage,
        tolerance=1.0 - COVERAGE_THRESHOLD, sources=sorted({r.source for r in load_trials() if r.role == "fit"}),
        notes=(f"cross-validated: {len(rows)} outcomes, {outside} outside; MAE "
               f"{cv['mae_quantitative'] if cv else None} points (quantitative), "
               f"{cv['mae_qualitative'] if cv else None} grades (qualitative)."),
    )
