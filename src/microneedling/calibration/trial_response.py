"""Calibration of the clinical-response parameters on published trials (JAX grad), with held-out checks.

Trials live in ``data/trials/*.yaml``, one per paper, each with what was verified in it, where it was read,
what had to be assumed, and a role: ``fit`` (enters the fit), ``held_out`` (predicted, never fitted) or
``record_only`` (recorded, but not simulable or not comparable; the file says why).

Fitted: theta = (gain, response SD, qualitative rater SD) of :mod:`microneedling.trials.run`, in log space.
Objective: half the sum of squared z-scores of each published mean (SE = SD / sqrt(n)) and SD
(SE = SD / sqrt(2 (n - 1))) against the model's expected recorded values on a fixed virtual cohort
(common random numbers, so the objective is smooth), plus weak log-normal priors (SD 1 in log space)
centred on gain 1 (the course model as it is), response SD 0.3 and qualitative rater SD 0.5 grade. The
minimum is found with BFGS on JAX gradients; the posterior is the Laplace approximation (inverse Hessian
by JAX), scaled by the Birge ratio chi^2 / dof when the fit is worse than the data's errors allow. Held-out trials are then simulated as virtual trials (:func:`microneedling.trials.run.simulate_arm`)
and their published change is compared with the predicted 95% interval of the change.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import jax
import jax.numpy as jnp
import numpy as np
import yaml
from jax.scipy.optimize import minimize
from pydantic import Field, model_validator

from microneedling.citations import bibliography
from microneedling.course import course_exposure
from microneedling.errors import InputError
from microneedling.inputs import StrictInput
from microneedling.outcomes.goodman_baron import score_at_severity
from microneedling.outcomes.raters import expected_record, rater_sd
from microneedling.protocol import Scale
from microneedling.trials.population import sample_cohort
from microneedling.trials.run import THETA_NAMES, Posterior, severity, simulate_arm
from microneedling.trials.spec import Arm

N_VIRTUAL = 400
PRIOR_CENTRE = {"trial.response_gain_1": 1.0, "trial.response_log_sd_1": 0.3,
                "scales.gb_qualitative.rater_sd_grade": 0.5}
PRIOR_LOG_SD = 1.0
MAX_RESTARTS = 10  # BFGS restarts after an early stop (line-search failure) before giving up
HELD_OUT_DRAWS = 200
HELD_OUT_SEED = 2024


class Outcome(StrictInput):
    week: Annotated[float, Field(gt=0.0, le=520.0)] | None = None
    score_mean: float | None = None
    score_sd: Annotated[float, Field(ge=0.0)] | None = None
    change_mean: float | None = None
    change_ci95: tuple[float, float] | None = None
    responder_rate: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    n: Annotated[int, Field(ge=1)] | None = None
    where: Annotated[str, Field(min_length=1)]


class TrialRecord(StrictInput):
    """One published trial: what was verified in it, where, and what the simulation of it assumes."""

    id: str
    source: str
    where: Annotated[str, Field(min_length=1)]
    design: str
    modality: str
    role: Literal["fit", "held_out", "record_only"]
    role_reason: Annotated[str, Field(min_length=1)]
    arm: Arm | None = None
    outcomes: list[Outcome] = []
    verified: Annotated[list[str], Field(min_length=1)]
    assumed: dict[str, str] = {}

    @model_validator(mode="after")
    def _consistent(self) -> TrialRecord:
        if self.source not in bibliography():
            raise ValueError(f"source {self.source!r} is not a key of CITATIONS.bib")
        if self.role != "record_only":
            if self.arm is None:
                raise ValueError(f"a {self.role} trial needs an arm to simulate")
            if not self.outcomes or any(o.week is None for o in self.outcomes):
                raise ValueError(f"a {self.role} trial needs outcomes with weeks")
        return self


def load_trials(folder: str | Path | None = None) -> list[TrialRecord]:
    """Every trial record of ``data/trials`` (or ``folder``), sorted by id."""
    if folder is None:
        entries = list(resources.files("microneedling").joinpath("data/trials").iterdir())
    else:
        entries = list(Path(folder).iterdir())
    out = []
    for e in sorted(entries, key=lambda p: p.name):
        if e.name.endswith(".yaml"):
            try:
                out.append(TrialRecord.model_validate(yaml.safe_load(e.read_text(encoding="utf-8"))))
            except Exception as exc:
                raise InputError("trial_file", e.name, f"not a valid trial record ({exc})") from None
    return sorted(out, key=lambda r: r.id)


def fits_this_model(o: Outcome) -> bool:
    """Whether this fit uses outcome ``o``: a mean score with its SD (which gives the standard error) at a week.
    Responder rates and means without an SD do not enter it."""
    return o.week is not None and o.score_mean is not None and o.score_sd is not None


def fit_records(records: list[TrialRecord]) -> list[TrialRecord]:
    """The ``fit`` records with at least one outcome this fit uses."""
    return [r for r in records if r.role == "fit" and any(fits_this_model(o) for o in r.outcomes)]


class _FitData:
    """A fit trial prepared for the objective: fixed cohort, course improvement at the outcome weeks."""

    def __init__(self, rec: TrialRecord, key):
        arm = rec.arm
        pop = arm.population.model_copy(update={"n": N_VIRTUAL})
        self.rec = rec
        self.outcomes = [o for o in rec.outcomes if fits_this_model(o)]
        self.scale = arm.population.baseline.scale
        self.n = arm.population.n
        self.cohort = sample_cohort(pop, key, qualitative_rater_sd=PRIOR_CENTRE[THETA_NAMES[2]])
        self.weeks = [o.week for o in self.outcomes]
        self.x = course_exposure(arm.protocol, self.cohort.age_years, self.weeks)
        self.obs_baseline = arm.population.baseline.mean
        self.obs_baseline_sd = arm.population.baseline.sd

    def predicted(self, theta):
        """(expected recorded mean at each week, predicted SD at each week), conditioned on the published
        baseline: mean = published baseline - model change."""
        gain, sd, qual_sd = theta[0], theta[1], theta[2]
        sd_r = rater_sd(Scale.goodman_baron_quantitative) if self.scale is Scale.goodman_baron_quantitative else qual_sd
        b0 = self.cohort.baseline_true
        s = severity(self.x, self.cohort.scar_weights, self.cohort.response_z, gain, sd)
        true = score_at_severity(b0[:, None], s, self.scale)
        e0 = expected_record(b0, self.scale, sd_r).mean()
        et = expected_record(true, self.scale, sd_r).mean(0)
        mean = self.obs_baseline - (e0 - et)
        # recorded SD: inter-patient spread of the true score, rater noise, rounding (Sheppard, 1/12)
        sd_pred = jnp.sqrt(jnp.var(true, axis=0) + sd_r**2 + 1.0 / 12.0)
        return mean, sd_pred


def _residuals(theta, data: list[_FitData]):
    """z-scores of every published mean and SD the fit uses (:func:`fits_this_model`), in a fixed order."""
    zs = []
    for d in data:
        mean, sd_pred = d.predicted(theta)
        for j, o in enumerate(d.outcomes):
            zs.append((mean[j] - o.score_mean) / (o.score_sd / np.sqrt(d.n)))
            zs.append((sd_pred[j] - o.score_sd) / (o.score_sd / np.sqrt(2.0 * (d.n - 1))))
    return jnp.stack(zs)


def _objective(log_theta, data):
    theta = jnp.exp(log_theta)
    prior_centre = jnp.log(jnp.asarray([PRIOR_CENTRE[n] for n in THETA_NAMES]))
    r = _residuals(theta, data)
    return 0.5 * jnp.sum(r**2) + 0.5 * jnp.sum(((log_theta - prior_centre) / PRIOR_LOG_SD) ** 2)


def fit(records: list[TrialRecord], seed: int = 0) -> dict:
    """Fit theta to the ``fit`` records; returns the posterior and the fit table (data, model, residuals)."""
    fit_recs = fit_records(records)
    if not fit_recs:
        raise InputError("trials", [r.id for r in records], "no trial has role 'fit'")
    key = jax.random.PRNGKey(seed)
    data = [_FitData(r, jax.random.fold_in(key, i)) for i, r in enumerate(fit_recs)]
    x0 = jnp.log(jnp.asarray([PRIOR_CENTRE[n] for n in THETA_NAMES]))
    obj = jax.jit(lambda x: _objective(x, data))
    res = minimize(obj, x0, method="BFGS", options={"maxiter": 200})
    iterations, restarts = int(res.nit), 0
    # BFGS stops early when its line search fails far from the minimum (a stale inverse-Hessian estimate):
    # restart from where it stopped, with a fresh estimate, until it reports convergence
    while not bool(res.success) and restarts < MAX_RESTARTS:
        res = minimize(obj, res.x, method="BFGS", options={"maxiter": 200})
        iterations, restarts = iterations + int(res.nit), restarts + 1
    x = res.x
    hess = jax.hessian(obj)(x)
    # misfit: scale the Laplace covariance by the Birge ratio chi2 / dof when the model cannot reach the
    # published means within their errors (model discrepancy widens the intervals instead of hiding it)
    r = np.asarray(_residuals(jnp.exp(x), data))
    dof = max(len(r) - len(THETA_NAMES), 1)
    birge = max(1.0, float(np.sum(r**2)) / dof)
    cov = jnp.linalg.inv(hess) * birge
    theta = jnp.exp(x)
    rows = []
    for d in data:
        mean, sd_pred = d.predicted(theta)
        for j, o in enumerate(d.outcomes):
            rows.append({
                "trial": d.rec.id, "week": o.week, "scale": d.scale.value, "n": d.n,
                "observed_mean": o.score_mean, "observed_sd": o.score_sd,
                "model_mean": float(mean[j]), "model_sd": float(sd_pred[j]),
                "z_mean": float((mean[j] - o.score_mean) / (o.score_sd / np.sqrt(d.n))),
                "z_sd": float((sd_pred[j] - o.score_sd) / (o.score_sd / np.sqrt(2.0 * (d.n - 1)))),
                "where": o.where,
            })
    sd_log = np.sqrt(np.diag(np.asarray(cov)))
    return {
        "fitted_to": [r.id for r in fit_recs],
        "fitted_sources": list(dict.fromkeys(r.source for r in fit_recs)),  # their CITATIONS.bib keys
        "theta": {n: float(v) for n, v in zip(THETA_NAMES, np.asarray(theta), strict=True)},
        "theta_ci95": {n: [float(np.exp(m - 1.96 * s)), float(np.exp(m + 1.96 * s))]
                       for n, m, s in zip(THETA_NAMES, np.asarray(x), sd_log, strict=True)},
        "posterior": {"names": list(THETA_NAMES), "mean_log": np.asarray(x).tolist(),
                      "cov_log": np.asarray(cov).tolist()},
        "objective": float(res.fun), "converged": bool(res.success), "iterations": iterations, "restarts": restarts,
        "chi2": float(np.sum(r**2)), "dof": dof, "birge_ratio": birge,
        "gradient_norm": float(jnp.linalg.norm(jax.grad(obj)(x))),
        "prior": {"centre": PRIOR_CENTRE, "log_sd": PRIOR_LOG_SD},
        "n_virtual": N_VIRTUAL, "seed": seed,
        "fit": rows,
    }


def observed_changes(rec: TrialRecord) -> list[tuple[float, float, list[float] | None]]:
    """(week, published change of the mean, published CI of the change or None) for each outcome."""
    base = rec.arm.population.baseline.mean
    out = []
    for o in rec.outcomes:
        if o.change_mean is not None:
            out.append((o.week, o.change_mean, list(o.change_ci95) if o.change_ci95 else None))
        elif o.score_mean is not None:
            out.append((o.week, base - o.score_mean, None))
    return out


def predict_held_out(records: list[TrialRecord], post: Posterior, draws: int = HELD_OUT_DRAWS,
                     seed: int = HELD_OUT_SEED) -> list[dict]:
    """Each held-out trial as a virtual trial at its n: predicted change and 95% CI vs the published one."""
    rows = []
    for i, rec in enumerate(r for r in records if r.role == "held_out"):
        weeks = [o.week for o in rec.outcomes]
        key = jax.random.fold_in(jax.random.PRNGKey(seed), i)
        summary = simulate_arm(rec.arm, weeks, key, draws, post)
        for (week, obs, obs_ci), tp in zip(observed_changes(rec), summary["timepoints"], strict=True):
            lo, hi = tp["change_ci95"]
            rows.append({
                "trial": rec.id, "week": week, "scale": summary["scale"], "n": summary["n"],
                "observed_change": obs, "observed_change_ci95": obs_ci,
                "predicted_change": tp["change_mean"], "predicted_change_ci95": [lo, hi],
                "inside": bool(lo <= obs <= hi),
            })
    return rows


def parameter_rows(result: dict) -> str:
    """The calibrated rows of ``data/parameters/trial_response.csv`` for ``result``."""
    bounds = {"trial.response_gain_1": (0.01, 100.0, "1"), "trial.response_log_sd_1": (0.001, 3.0, "1"),
              "scales.gb_qualitative.rater_sd_grade": (0.05, 2.0, "grade")}
    fitted = "; ".join(result["fitted_to"])
    lines = [
        "# Clinical-response parameters of the virtual trials, fitted by `microneedling calibrate`",
        "# (calibration.py) to the trials named in fitted_to (data/trials/*.yaml, role: fit).",
        "# Posterior (log space, Laplace) and the fit table: data/calibration/trial_response_fit.json.",
        "name,value,unit,low,high,source,where,status,fitted_to",
    ]
    for name in THETA_NAMES:
        lo, hi, unit = bounds[name]
        v = result["theta"][name]
        ci = result["theta_ci95"][name]
        where = (f"fitted by microneedling calibrate; posterior 95% interval [{ci[0]:.4g}, {ci[1]:.4g}]; "
                 f"low/high are refusal bounds")
        lines.append(f"{name},{v:.6g},{unit},{lo},{hi},{result['fitted_sources'][0]},\"{where}\",calibrated,{fitted}")
    return "\n".join(lines) + "\n"
