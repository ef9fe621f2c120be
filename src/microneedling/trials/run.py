"""Virtual clinical trials: cohorts through the course model, scored on the Goodman & Baron scales.

For each arm: virtual patients (:mod:`microneedling.trials.population`) each carry a true baseline score, the
arm's scar mix and a response deviate. The course model (:mod:`microneedling.course`: injury -> healing ODE ->
scar depth of each type) gives the relative depth of each scar type at each timepoint, and the one score model
(:mod:`microneedling.outcomes.expected_score`) turns the patient's scars (counts matching the baseline, depths
log-normal around the type's depth) into an expected score; the calibrated clinical response
(:mod:`microneedling.trials.response`: the course's scar-fill efficiency, between-trial spread, per-patient
response multiplier on the fill) and rater noise (:mod:`microneedling.outcomes.raters`) complete it.

Two intervals, named plainly (``microneedling trial``, sweeps, ``predict`` and the planner show the first):

* ``*_ci95`` -- **prediction for a new trial** of this arm's size: for each of ``draws`` posterior draws the
  fill of a new trial (population median x the between-trial spread), a bootstrap resample of the cohort and
  fresh rater noise; the 2.5 and 97.5 percentiles of the cohort means;
* ``*_ci95_population`` -- **mean of this trial population**: the expected recorded cohort mean at the
  population median fill of each posterior draw (parameter uncertainty only).

Untreated arms (``device: none``) keep their depth: their change is rater noise only. Same seed, same numbers.

Output of :func:`run_trial` (``microneedling trial SPEC.yaml --json`` prints it as one JSON object; the numbers
below show the format only)::

    {"name": "example-trial", "seed": 1,
     "arms": {"needling": {"n": 30, "scale": "goodman_baron_quantitative", "baseline_mean": 14.0,
                           "timepoints": [{"week": 12, "score_mean": 11.2, "score_ci95": [9.1, 13.3],
                                           "score_ci95_population": [10.4, 12.0],
                                           "change_mean": 2.8, "change_ci95": [0.9, 4.7],
                                           "change_ci95_population": [2.0, 3.6],
                                           "responder_rate": 0.61, "responder_rate_ci95": [0.43, 0.77]}]}}}

``change_mean`` is baseline minus score (positive = better) on the arm's scale. A responder improves by at
least one grade (qualitative scale) or by at least 25% of the baseline score (quantitative scale);
``responder_rate_ci95`` is the prediction interval of the rate a new trial of this size records.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.outcomes.raters import expected_cohort_means, rater_sd, record
from microneedling.protocol import Scale
from microneedling.trials import response
from microneedling.trials.population import SCAR_TYPES, sample_cohort
from microneedling.trials.response import THETA_NAMES, Posterior, posterior
from microneedling.trials.spec import Arm, TrialSpec

QUANT_RESPONDER_REDUCTION = 0.25  # responder: >= 25% score reduction (quantitative scale)
QUAL_RESPONDER_GRADES = 1.0  # responder: >= 1 grade of improvement (qualitative scale)


def responders(rec0, rec, scale: Scale):
    """1 where a patient is a responder (module docstring), else 0; ``rec0`` [n] and ``rec`` [n, T] recorded."""
    if scale is Scale.goodman_baron_qualitative:
        return (rec0[:, None] - rec >= QUAL_RESPONDER_GRADES).astype(jnp.float64)
    return ((rec0[:, None] - rec) >= QUANT_RESPONDER_REDUCTION * rec0[:, None]).astype(jnp.float64) * (
        rec0[:, None] > 0.0
    )


@partial(jax.jit, static_argnames=("scale",))
def arm_statistics(key, log_rel_grid, counts, baseline_true, z, thetas, thetas_population, scale: Scale,
                   quant_rater_sd: float):
    """Per-draw cohort statistics. ``thetas`` [D, 3] (fill of a new trial, response SD, qualitative rater SD)
    give the prediction for a new trial: ``score``/``change`` (cohort means, [D, T]), ``score_boot`` /
    ``change_boot`` (bootstrap-resampled means), ``baseline`` [D] and ``responder`` [D, T];
    ``thetas_population`` (population median fill) give ``score_pop``/``change_pop``, the expected recorded
    cohort means."""
    n = baseline_true.shape[0]

    def rater(theta):
        return quant_rater_sd if scale is Scale.goodman_baron_quantitative else theta[2]

    def one(args):
        k, theta, theta_pop = args
        k0, k1, kb = jax.random.split(k, 3)
        sd_r = rater(theta)
        true = response.true_scores(response.interpolate_relative_depth(log_rel_grid, theta[0]), counts, z,
                                    theta[1], scale)
        rec0 = record(k0, baseline_true, scale, sd_r)
        rec = record(k1, true, scale, sd_r)
        idx = jax.random.randint(kb, (n,), 0, n)
        change = rec0[:, None] - rec
        sd_p = rater(theta_pop)
        true_pop = response.true_scores(response.interpolate_relative_depth(log_rel_grid, theta_pop[0]), counts, z,
                                        theta_pop[1], scale)
        e0, et = expected_cohort_means(baseline_true, true_pop, scale, sd_p)
        return {
            "score": rec.mean(0), "change": change.mean(0), "baseline": rec0.mean(),
            "score_boot": rec[idx].mean(0), "change_boot": change[idx].mean(0),
            "responder": responders(rec0, rec, scale).mean(0), "score_pop": et, "change_pop": e0 - et,
        }

    keys = jax.random.split(key, thetas.shape[0])
    return jax.lax.map(one, (keys, thetas, thetas_population))


def _summary(stats: dict, weeks: list[float], n: int, scale: Scale) -> dict:
    st = {k: np.asarray(v) for k, v in stats.items()}
    out = {"n": n, "scale": scale.value, "baseline_mean": float(st["baseline"].mean()), "timepoints": []}
    for j, w in enumerate(weeks):
        tp = {"week": float(w), "score_mean": float(st["score"][:, j].mean())}
        tp["score_ci95"] = [float(v) for v in np.percentile(st["score_boot"][:, j], [2.5, 97.5])]
        tp["score_ci95_population"] = [float(v) for v in np.percentile(st["score_pop"][:, j], [2.5, 97.5])]
        tp["change_mean"] = float(st["change"][:, j].mean())
        tp["change_ci95"] = [float(v) for v in np.percentile(st["change_boot"][:, j], [2.5, 97.5])]
        tp["change_ci95_population"] = [float(v) for v in np.percentile(st["change_pop"][:, j], [2.5, 97.5])]
        tp["responder_rate"] = float(st["responder"][:, j].mean())
        tp["responder_rate_ci95"] = [float(v) for v in np.percentile(st["responder"][:, j], [2.5, 97.5])]
        out["timepoints"].append(tp)
    return out


def arm_key(seed: int, index: int):
    """The JAX key of arm ``index`` of a trial with ``seed`` (arms are independent of each other)."""
    return jax.random.fold_in(jax.random.PRNGKey(seed), index)


def simulate_arm(arm: Arm, weeks: list[float], key, draws: int, post: Posterior | None = None,
                 log_rel_grid=None) -> dict:
    """One arm: cohort -> course -> scores; the summary of the arm (module docstring). ``log_rel_grid``: the
    arm's course on the fill grid when already computed
    (:func:`microneedling.trials.response.log_relative_depth_grid`)."""
    post = post or posterior()
    k_cohort, k_theta, k_stats = jax.random.split(key, 3)
    cohort = sample_cohort(arm.population, k_cohort, qualitative_rater_sd=float(post.point()[2]))
    if log_rel_grid is None:
        log_rel_grid = response.log_relative_depth_grid(arm.protocol, arm.population.age_years.mean, weeks)
    counts = response.scar_counts(cohort.baseline_true, cohort.scar_weights, cohort.scale)
    thetas = post.draws(k_theta, draws, new_trial=True)
    thetas_pop = post.draws(k_theta, draws, new_trial=False)
    stats = arm_statistics(k_stats, jnp.asarray(log_rel_grid), counts, cohort.baseline_true, cohort.response_z,
                           thetas, thetas_pop, cohort.scale, rater_sd(Scale.goodman_baron_quantitative))
    return _summary(stats, weeks, cohort.n, cohort.scale)


def run_trial(spec: TrialSpec) -> dict:
    """The whole trial: ``{"name", "seed", "arms": {arm: summary}}`` (output described in the module docstring)."""
    post = posterior()
    arms = {}
    for i, arm in enumerate(spec.arms):
        arms[arm.name] = simulate_arm(arm, list(spec.timepoints_weeks), arm_key(spec.seed, i), spec.draws, post)
    return {"name": spec.name, "seed": spec.seed, "arms": arms}


def results_rows(result: dict) -> list[dict]:
    """Flat rows (one per arm and timepoint) for CSV / Parquet."""
    rows = []
    for arm, a in result["arms"].items():
        for tp in a["timepoints"]:
            rows.append({
                "arm": arm, "n": a["n"], "scale": a["scale"], "baseline_mean": a["baseline_mean"],
                "week": tp["week"], "score_mean": tp["score_mean"], "score_ci95_low": tp["score_ci95"][0],
                "score_ci95_high": tp["score_ci95"][1], "change_mean": tp["change_mean"],
                "change_ci95_low": tp["change_ci95"][0], "change_ci95_high": tp["change_ci95"][1],
                "change_ci95_population_low": tp["change_ci95_population"][0],
                "change_ci95_population_high": tp["change_ci95_population"][1],
                "responder_rate": tp["responder_rate"],
            })
    return rows


__all__ = ["SCAR_TYPES", "THETA_NAMES", "Posterior", "posterior", "run_trial", "simulate_arm", "results_rows",
           "arm_statistics", "responders"]
