"""Virtual trials against published trials: the fitted ones (goodness of fit) and the held-out ones
(prediction of trials never fitted: the published change must fall inside the predicted 95% interval)."""

from __future__ import annotations

import jax

from microneedling.calibration.trial_response import _FitData, load_trials, predict_held_out
from microneedling.trials.run import posterior
from microneedling.validation.registry import Comparison, comparison, max_abs_z


# Not in the fast set: the fit misses Al Chalabi 2020 by about -5 SE (model improves too much) and Minh 2019 one
# and two months after treatment by +2.7 and +2.0 SE (too little); chi2 36.7 on 5 dof, recorded as failing in
# `microneedling validate` (the misfit widens the posterior by the Birge ratio). Measured cause: the healing
# engine's response to weekly sessions. Under Minh's 12 weekly sessions macrophages plateau at ~89x and TGF-b
# at ~90x baseline from week 4 until ~7 weeks after the last session (after one session they are down to 3.5x
# by week 4), so the net new collagen at week 11 is 3% of that of 12 superposed single sessions (6-weekly pen
# course: 91%). Each trial alone fits (Minh: chi2 2.3 on 3 dof, gain 11.6; Al Chalabi: gain 2.9), but the two
# need gains 4x apart. Neither the maturation lag (30-180 d: chi2 37.8-34.1), the read-out week, Minh's session
# count nor the pen's density removes it; halving the weekly roller's dose does most (chi2 13.9). Al Chalabi's
# unreported scar mix moves chi2 from 5.4 (60% icepick) to 97 (10%): the steep gain erases boxcar and rolling
# scars, leaving the icepick share as the floor of the score. It becomes a fast check once the engines
# reproduce both protocols.
@comparison("trials_fit", fast=False)
def trials_fit() -> Comparison:
    """Mean score of every fitted trial outcome: model (posterior mode) vs published mean, in SE units."""
    post = posterior()
    theta = post.point()
    recs = [r for r in load_trials() if r.role == "fit"]
    labels, obs, err, pred = [], [], [], []
    key = jax.random.PRNGKey(0)
    for i, rec in enumerate(recs):
        d = _FitData(rec, jax.random.fold_in(key, i))
        mean, _ = d.predicted(theta)
        for j, o in enumerate(rec.outcomes):
            labels.append(f"{rec.id} wk {o.week:g}")
            obs.append(o.score_mean)
            err.append(o.score_sd / d.n**0.5)
            pred.append(float(mean[j]))
    return Comparison(
        name="trials_fit", title="Virtual trials vs the published trials they were fitted to",
        quantity="mean recorded score (G&B grade or points)", x_label="trial, week after first session",
        x=labels, observed=obs, observed_err=err, predicted=pred, metric="max |model - mean| / SE of the mean",
        error=max_abs_z(obs, err, pred), tolerance=3.0, sources=[r.source for r in recs],
        notes=("Fitted by microneedling calibrate; the error bars are the standard errors of the published means. "
               "Known misfit: the healing engine holds inflammation near a plateau under weekly sessions, "
               "so Minh 2019 (weekly) and Al Chalabi 2020 (6-weekly) need response gains 4x apart."),
    )


@comparison("trials_held_out", fast=True)
def trials_held_out() -> Comparison:
    """Change of the mean score in trials kept out of the fit: published vs predicted, with the 95% CI."""
    recs = load_trials()
    rows = predict_held_out(recs, posterior())
    outside = sum(not r["inside"] for r in rows)
    return Comparison(
        name="trials_held_out", title="Held-out trials: published change vs the predicted 95% interval",
        quantity="change of the mean score (baseline - score)", x_label="trial, week after first session",
        x=[f"{r['trial']} wk {r['week']:g}" for r in rows], observed=[r["observed_change"] for r in rows],
        observed_err=[0.0] * len(rows), predicted=[r["predicted_change"] for r in rows],
        predicted_band=[tuple(r["predicted_change_ci95"]) for r in rows],
        metric="published changes outside the predicted 95% interval (count)", error=float(outside),
        tolerance=0.0, sources=sorted({r.source for r in recs if r.role == "held_out"}),
        notes="Held-out trials never enter the fit (data/trials/*.yaml, role: held_out).",
    )
