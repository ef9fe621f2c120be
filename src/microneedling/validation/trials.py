"""Virtual trials against published trials, labelled by how each arm enters: *fit* (goodness of fit of the
hierarchical calibration), *cross-validated* (each fit arm predicted by a fit without it, stored by
``microneedling calibrate --loto``) and *out-of-sample* (held-out arms, never fitted: the published change
must fall inside the predicted 95% interval for a new trial)."""

from __future__ import annotations

import json
from importlib import resources

from microneedling.calibration.hierarchical import predict_held_out
from microneedling.calibration.trial_response import load_trials
from microneedling.trials.response import FIT_FILE, posterior
from microneedling.validation.cross_validation import prediction_fields  # also registers its comparison
from microneedling.validation.registry import Comparison, comparison, max_abs_z


@comparison("trials_fit", fast=True)
def trials_fit() -> Comparison:
    """*fit*: every fitted mean and SD, model (posterior median of the arm's own fill) vs published, in SE
    units (the stored fit table of the NUTS calibration)."""
    fit = json.loads(resources.files("microneedling").joinpath(FIT_FILE).read_text(encoding="utf-8"))
    rows = [r for r in fit["fit"] if r["quantity"] == "mean"]
    return Comparison(
        name="trials_fit", title="fit: virtual trials vs the published arms they were fitted to",
        quantity="mean recorded score (G&B grade or points)", x_label="trial, week after first session",
        x=[f"{r['trial']} wk {r['week']:g}" for r in rows], observed=[r["observed"] for r in rows],
        observed_err=[r["se"] for r in rows], predicted=[r["model"] for r in rows],
        metric="max |model - mean| / SE of the mean", error=max_abs_z([r["observed"] for r in rows],
                                                                       [r["se"] for r in rows],
                                                                       [r["model"] for r in rows]),
        tolerance=3.0, sources=fit["fitted_to"],
        notes=(f"fit: hierarchical NUTS calibration (microneedling calibrate), chi2 {fit['chi2']:.1f} on "
               f"{fit['n_observations']} published means and SDs; R-hat max "
               f"{fit['diagnostics']['r_hat_max']:.3f}, {fit['diagnostics']['divergences']} divergences."),
    )


@comparison("trials_held_out", fast=True)
def trials_held_out() -> Comparison:
    """*out-of-sample*: change of the mean score in arms kept out of the fit: published vs predicted, with the
    95% prediction interval for a new trial."""
    recs = load_trials()
    rows = predict_held_out(recs, posterior())
    outside = sum(not r["inside"] for r in rows)
    return Comparison(
        name="trials_held_out", title="out-of-sample: published change vs the predicted 95% interval for a new trial",
        **prediction_fields(rows),
        metric="published changes outside the predicted 95% interval (count)", error=float(outside),
        tolerance=0.0, sources=sorted({r.source for r in recs if r.role == "held_out"}),
        notes="out-of-sample: held-out arms never enter the fit (data/trials/*.yaml, role: held_out).",
    )
