"""Virtual clinical trials: cohorts through the course model, scored on the Goodman & Baron scales.

For each arm: virtual patients (:mod:`microneedling.trials.population`) go through the course model
(:mod:`microneedling.course`: injury -> healing ODE -> scar depth of each type), which gives each
patient's *exposure* ``x_k(t) = -ln(depth_k(t) / depth_k(0))`` per scar type k. The clinical response adds
what the course model does not know, with calibrated parameters (``data/parameters/trial_response.csv``,
posterior in ``data/calibration/trial_response_fit.json``, fitted by ``microneedling calibrate``):

* relative severity ``s = sum_k w_k exp(-m x_k) = sum_k w_k (depth_k / depth_k(0))^m`` (w_k the scar mix):
  m = 1 takes the course model's relative depth as it is;
* each patient's multiplier ``m = gain * exp(sd * z - sd^2 / 2)`` (log-normal, mean ``gain``) is the
  inter-patient variability of response;
* raters record the true score with noise (:mod:`microneedling.outcomes.raters`).

Uncertainty (the interval of the mean includes parameter uncertainty): for each of ``draws`` posterior
draws of (gain, sd, qualitative rater SD) the cohort is bootstrap-resampled, scored with fresh rater noise,
and its mean taken; the 2.5 and 97.5 percentiles of those means are the 95% interval. So the interval holds
parameter uncertainty, inter-patient variability at the arm's n and measurement noise. Untreated arms
(``device: none``) have ``x = 0``: their change is rater noise only. Same seed, same numbers.

Output of :func:`run_trial` (``microneedling trial SPEC.yaml --json`` prints it as one JSON object; the numbers
below show the format only)::

    {"name": "example-trial", "seed": 1,
     "arms": {"needling": {"n": 30, "scale": "goodman_baron_quantitative", "baseline_mean": 14.0,
                           "timepoints": [{"week": 12, "score_mean": 11.2, "score_ci95": [10.1, 12.3],
                                           "change_mean": 2.8, "change_ci95": [2.0, 3.6],
                                           "responder_rate": 0.61}]}}}

``change_mean`` is baseline minus score (positive = better) on the arm's scale; ``*_ci95`` is the 95% interval
of the mean of this trial population. A responder improves by at least one grade (qualitative scale) or by at
least 25% of the baseline score (quantitative scale).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib import resources

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.citations import cite
from microneedling.course import course_exposure
from microneedling.outcomes.goodman_baron import score_at_severity
from microneedling.outcomes.raters import QUAL_RATER_SD, rater_sd, record
from microneedling.params import get_parameter
from microneedling.protocol import Protocol, Scale
from microneedling.trials.population import SCAR_TYPES, sample_cohort, scar_weights
from microneedling.trials.spec import Arm, TrialSpec

GAIN = "trial.response_gain_1"
RESPONSE_SD = "trial.response_log_sd_1"
THETA_NAMES = (GAIN, RESPONSE_SD, QUAL_RATER_SD)
QUANT_RESPONDER_REDUCTION = 0.25  # responder: >= 25% score reduction (quantitative scale)
QUAL_RESPONDER_GRADES = 1.0  # responder: >= 1 grade of improvement (qualitative scale)


@dataclass(frozen=True)
class Posterior:
    """Gaussian posterior of log(theta) (Laplace approximation at the fit), theta in :data:`THETA_NAMES`."""

    mean_log: np.ndarray
    cov_log: np.ndarray

    def draws(self, key, n: int) -> jnp.ndarray:
        """``n`` draws of theta (natural scale), shape (n, 3)."""
        chol = jnp.linalg.cholesky(jnp.asarray(self.cov_log) + 1e-12 * jnp.eye(len(self.mean_log)))
        z = jax.random.normal(key, (n, len(self.mean_log)))
        return jnp.exp(jnp.asarray(self.mean_log) + z @ chol.T)

    def point(self) -> np.ndarray:
        return np.exp(self.mean_log)


FIT_FILE = "data/calibration/trial_response_fit.json"


@lru_cache(maxsize=1)
def posterior() -> Posterior:
    """The calibrated posterior (records the sources of the calibrated parameters)."""
    for name in THETA_NAMES:
        get_parameter(name)
    fit = json.loads(resources.files("microneedling").joinpath(FIT_FILE).read_text(encoding="utf-8"))
    for key in fit["fitted_sources"]:
        cite(key)
    return Posterior(np.asarray(fit["posterior"]["mean_log"]), np.asarray(fit["posterior"]["cov_log"]))


def severity(x, weights, z, gain, sd):
    """Relative severity [n, T] (1 = baseline) of patients with exposure ``x`` [n, K, T], scar weights
    ``weights`` [n, K] and response deviates ``z`` [n]."""
    m = gain * jnp.exp(sd * z - 0.5 * sd**2)
    return jnp.einsum("nk,nkt->nt", weights, jnp.exp(-m[:, None, None] * x))


def responders(rec0, rec, scale: Scale):
    """1 where a patient is a responder (module docstring), else 0; ``rec0`` [n] and ``rec`` [n, T] recorded."""
    if scale is Scale.goodman_baron_qualitative:
        return (rec0[:, None] - rec >= QUAL_RESPONDER_GRADES).astype(jnp.float64)
    return ((rec0[:, None] - rec) >= QUANT_RESPONDER_REDUCTION * rec0[:, None]).astype(jnp.float64) * (
        rec0[:, None] > 0.0
    )


@partial(jax.jit, static_argnames=("scale",))
def arm_statistics(key, x, weights, baseline_true, z, thetas, scale: Scale, quant_rater_sd: float):
    """Per-draw cohort statistics. Returns a dict of arrays over draws: ``score``/``change`` (cohort means
    at each timepoint, [D, T]), ``score_boot``/``change_boot`` (bootstrap-resampled means, [D, T]),
    ``baseline`` [D] and ``responder`` [D, T]."""
    n = baseline_true.shape[0]

    def one(args):
        k, theta = args
        gain, sd, qual_sd = theta[0], theta[1], theta[2]
        sd_r = quant_rater_sd if scale is Scale.goodman_baron_quantitative else qual_sd
        k0, k1, kb = jax.random.split(k, 3)
        s = severity(x, weights, z, gain, sd)
        rec0 = record(k0, baseline_true, scale, sd_r)
        rec = record(k1, score_at_severity(baseline_true[:, None], s, scale), scale, sd_r)
        idx = jax.random.randint(kb, (n,), 0, n)
        change = rec0[:, None] - rec
        return {
            "score": rec.mean(0), "change": change.mean(0), "baseline": rec0.mean(),
            "score_boot": rec[idx].mean(0), "change_boot": change[idx].mean(0),
            "responder": responders(rec0, rec, scale).mean(0),
        }

    keys = jax.random.split(key, thetas.shape[0])
    return jax.lax.map(one, (keys, thetas))


def _summary(stats: dict, weeks: list[float], n: int, scale: Scale) -> dict:
    st = {k: np.asarray(v) for k, v in stats.items()}
    out = {"n": n, "scale": scale.value, "baseline_mean": float(st["baseline"].mean()), "timepoints": []}
    for j, w in enumerate(weeks):
        lo_s, hi_s = np.percentile(st["score_boot"][:, j], [2.5, 97.5])
        lo_c, hi_c = np.percentile(st["change_boot"][:, j], [2.5, 97.5])
        out["timepoints"].append({
            "week": float(w),
            "score_mean": float(st["score"][:, j].mean()),
            "score_ci95": [float(lo_s), float(hi_s)],
            "change_mean": float(st["change"][:, j].mean()),
            "change_ci95": [float(lo_c), float(hi_c)],
            "responder_rate": float(st["responder"][:, j].mean()),
        })
    return out


def arm_key(seed: int, index: int):
    """The JAX key of arm ``index`` of a trial with ``seed`` (arms are independent of each other)."""
    return jax.random.fold_in(jax.random.PRNGKey(seed), index)


def simulate_arm(arm: Arm, weeks: list[float], key, draws: int, post: Posterior | None = None) -> dict:
    """One arm: cohort -> course -> scores; the summary of the arm (module docstring)."""
    post = post or posterior()
    k_cohort, k_theta, k_stats = jax.random.split(key, 3)
    cohort = sample_cohort(arm.population, k_cohort, qualitative_rater_sd=float(post.point()[2]))
    x = course_exposure(arm.protocol, cohort.age_years, weeks)
    thetas = post.draws(k_theta, draws)
    stats = arm_statistics(k_stats, x, cohort.scar_weights, cohort.baseline_true, cohort.response_z, thetas, cohort.scale,
                           rater_sd(Scale.goodman_baron_quantitative))
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
                "responder_rate": tp["responder_rate"],
            })
    return rows


def predict_patient(age_years: float, scar_mix: dict, baseline: float, scale: Scale | str, protocol: Protocol,
                    weeks: list[float], n_draws: int = 200, seed: int = 0) -> dict:
    """One patient profile under ``protocol``: mean and 95% band of the true score over ``weeks``.

    The band holds parameter uncertainty (posterior draws) and the spread of individual response (a new
    response deviate per draw); rater noise is left out (this is the patient's score, not a rating).
    ``scar_mix`` maps scar type -> fraction; ``baseline`` is the current score on ``scale``.
    """
    scale = Scale(scale)
    lo, hi = scale.bounds
    if not lo < baseline <= hi:
        from microneedling.errors import InputError

        raise InputError("baseline", baseline, f"must be in ({lo:g}, {hi:g}] on scale {scale.value}")
    post = posterior()
    k_theta, k_z = jax.random.split(jax.random.PRNGKey(seed))
    thetas = post.draws(k_theta, n_draws)
    w = scar_weights({k: v for k, v in scar_mix.items()})
    w = w / jnp.sum(w)
    x = course_exposure(protocol, [float(age_years)], weeks)[0]  # [K, T]
    z = jax.random.normal(k_z, (n_draws,))
    m = thetas[:, 0] * jnp.exp(thetas[:, 1] * z - 0.5 * thetas[:, 1] ** 2)
    s = jnp.einsum("k,dkt->dt", w, jnp.exp(-m[:, None, None] * x[None]))
    scores = np.asarray(score_at_severity(jnp.asarray(baseline), s, scale))
    return {
        "weeks": [float(x) for x in weeks], "scale": scale.value, "baseline": float(baseline),
        "score_mean": scores.mean(0).tolist(),
        "score_low": np.percentile(scores, 2.5, axis=0).tolist(),
        "score_high": np.percentile(scores, 97.5, axis=0).tolist(),
        "improvement_mean": (1.0 - np.asarray(s)).mean(0).tolist(),
    }


__all__ = ["SCAR_TYPES", "Posterior", "posterior", "run_trial", "simulate_arm", "predict_patient",
           "results_rows", "arm_statistics", "severity", "responders"]
