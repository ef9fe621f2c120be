"""One patient, one protocol: predicted Goodman & Baron score over time, updated by the patient's follow-ups.

The patient's scars are either given (counts per type) or follow from a baseline score and a scar mix
(:func:`microneedling.trials.response.scar_counts`). The course runs once at the patient's age on the fill grid
(:func:`microneedling.trials.response.log_relative_depth_grid`); the score is the one expected-score model
(:mod:`microneedling.outcomes.expected_score`) with the calibrated response (:mod:`microneedling.trials.response`).

Uncertainty is carried jointly over posterior draws ``d`` (fill of a new trial: the population median and the
between-trial spread; response SD; rater SD) and a grid of the patient's response deviate ``z`` (multiplier
``exp(sd z - sd^2 / 2)`` on the fill), weighted by the standard-normal density of ``z``. Two intervals:

* ``score_low``/``score_high``: **prediction for this (new) patient** (includes the between-trial spread and
  the patient's own response); shown by default;
* ``score_population_low``/``score_population_high``: **mean of the trial population** fitted (population
  median fill, averaged over patients' responses; parameter uncertainty only).

Patient-level updating: given follow-up scores ``(week, score)`` recorded by a rater, each ``(d, z)`` is
reweighted by the likelihood of the scores (normal rater noise with the draw's rater SD, rounding variance
1/12), which narrows the band and recovers the patient's response (:func:`response_posterior`).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.stats import norm
from pydantic import Field, model_validator

from microneedling.errors import InputError
from microneedling.outcomes.expected_score import depth_log_sd, expected_score, typical_depths_mm
from microneedling.outcomes.raters import rater_sd
from microneedling.patient import SCAR_TYPES, Fitzpatrick, ScarType, Sex
from microneedling.protocol import Protocol, Scale
from microneedling.trials import response
from microneedling.units import AgeYears, PositiveWeeks

Z_GRID = np.linspace(-4.0, 4.0, 81)
DEFAULT_DRAWS = 200


def _weighted_percentile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cw = np.cumsum(weights[order])
    return float(np.interp(q / 100.0 * cw[-1], cw, values[order]))


@partial(jax.jit, static_argnames="scale")
def _scores_dz(log_rel_grid, counts, thetas, zs, scale: Scale):
    """True expected scores [D, Z, T] on ``scale`` for every draw and response deviate."""
    def per_draw(theta):
        rel = response.interpolate_relative_depth(log_rel_grid, theta[0])
        cz = jnp.broadcast_to(counts, (zs.shape[0], counts.shape[-1]))
        return response.true_scores(rel, cz, zs, theta[1], scale)

    return jax.lax.map(per_draw, thetas)


def _counts(scale: Scale, baseline, scar_mix, counts) -> tuple[jnp.ndarray, float]:
    if counts is not None:
        c = jnp.asarray([float(counts.get(t.value, counts.get(t, 0.0))) for t in SCAR_TYPES])
        if float(c.sum()) <= 0.0:
            raise InputError("scar_counts", dict(counts), "needs at least one scar")
        b = float(expected_score(c, typical_depths_mm(), depth_log_sd(), scale))
        return c, b
    lo, hi = scale.bounds
    if baseline is None or not lo < baseline <= hi:
        raise InputError("baseline", baseline, f"must be in ({lo:g}, {hi:g}] on scale {scale.value}")
    w = jnp.asarray([float(scar_mix.get(t.value, scar_mix.get(t, 0.0))) for t in SCAR_TYPES])
    if float(w.sum()) <= 0.0:
        raise InputError("scar_mix", dict(scar_mix), "needs a positive fraction of at least one scar type")
    return response.scar_counts(jnp.asarray([baseline]), (w / w.sum())[None], scale)[0], float(baseline)


def predict_patient(age_years: float, scar_mix: dict | None, baseline: float | None, scale: Scale | str,
                    protocol: Protocol, weeks: list[float], n_draws: int = DEFAULT_DRAWS, seed: int = 0,
                    counts: dict | None = None, follow_ups: list[tuple[float, float]] | None = None,
                    post: response.Posterior | None = None) -> dict:
    """Predicted true score over ``weeks`` of one patient (module docstring): ``score_mean`` with the
    patient's 95% prediction interval (``score_low``/``score_high``) and the trial-population mean's 95%
    interval; ``follow_ups`` (week, recorded score) update the patient's response."""
    scale = Scale(scale)
    post = post or response.posterior()
    c, b0 = _counts(scale, baseline, scar_mix or {}, counts)
    weeks = [float(w) for w in weeks]
    obs = sorted(follow_ups or [])
    all_weeks = sorted({w for w in weeks if w > 0.0} | {float(w) for w, _ in obs if w > 0.0})
    key = jax.random.PRNGKey(seed)
    thetas = post.draws(key, n_draws, new_trial=True)
    thetas_pop = post.draws(key, n_draws, new_trial=False)
    zs = jnp.asarray(Z_GRID)
    prior_w = np.asarray(norm.pdf(zs))
    quantitative = scale is Scale.goodman_baron_quantitative
    if all_weeks:
        grid = jnp.asarray(response.log_relative_depth_grid(protocol, age_years, all_weeks))
        s = np.asarray(_scores_dz(grid, c, thetas, zs, scale))  # [D, Z, T]
        s_pop = np.asarray(_scores_dz(grid, c, thetas_pop, zs, scale))
    else:
        s = s_pop = np.zeros((n_draws, len(Z_GRID), 0))
    full = np.concatenate([np.full(s.shape[:2] + (1,), b0), s], axis=2)
    full_pop = np.concatenate([np.full(s_pop.shape[:2] + (1,), b0), s_pop], axis=2)
    axis = [0.0, *all_weeks]
    logw = np.broadcast_to(np.log(prior_w), s.shape[:2]).copy()
    if obs:
        sd_r = (np.full(n_draws, rater_sd(Scale.goodman_baron_quantitative)) if quantitative
                else np.asarray(thetas[:, 2]))
        sd_tot = np.sqrt(sd_r**2 + 1.0 / 12.0)[:, None]
        for w, y in obs:
            j = axis.index(float(w)) if float(w) in axis else 0
            logw += np.asarray(norm.logpdf(y, full[:, :, j], sd_tot))
    wts = np.exp(logw - logw.max())
    wts /= wts.sum()
    pick = [axis.index(w) if w in axis else 0 for w in weeks]
    flat = full[:, :, pick].reshape(-1, len(weeks))
    wf = wts.reshape(-1)
    pop = np.einsum("dzt,z->dt", full_pop[:, :, pick], prior_w / prior_w.sum())
    z_post = wts.sum(axis=0)
    mean = np.clip(wf @ flat, flat.min(axis=0), flat.max(axis=0))  # a weighted mean lies within its values
    return {
        "weeks": weeks, "scale": scale.value, "baseline": b0,
        "scar_counts": {t.value: float(v) for t, v in zip(SCAR_TYPES, np.asarray(c), strict=True)},
        "score_mean": mean.tolist(),
        "score_low": [_weighted_percentile(flat[:, j], wf, 2.5) for j in range(len(weeks))],
        "score_high": [_weighted_percentile(flat[:, j], wf, 97.5) for j in range(len(weeks))],
        "score_population_mean": pop.mean(0).tolist(),
        "score_population_low": np.percentile(pop, 2.5, axis=0).tolist(),
        "score_population_high": np.percentile(pop, 97.5, axis=0).tolist(),
        "improvement_mean": (1.0 - mean / b0).tolist() if b0 > 0 else [0.0] * len(weeks),
        "follow_ups": [list(o) for o in obs],
        "response_z_mean": float(z_post @ Z_GRID),
        "response_z_sd": float(np.sqrt(z_post @ (Z_GRID - z_post @ Z_GRID) ** 2)),
        "intervals": {"score_low/score_high": "95% prediction for this patient (new patient of a new trial)",
                      "score_population_low/score_population_high": "95% interval of the mean of the trial "
                                                                     "population fitted"},
    }


def response_posterior(result: dict) -> tuple[float, float]:
    """(mean, SD) of the patient's response deviate ``z`` after the follow-ups of a :func:`predict_patient` result."""
    return result["response_z_mean"], result["response_z_sd"]


class PredictQuery(Protocol):
    """One patient and one needling protocol for ``microneedling predict``: age, sex, Fitzpatrick type, and
    either scar counts by type (``scar_counts``) or a baseline score on ``scale`` with a ``scar_mix``;
    optional follow-up scores (week, recorded score) on the same scale; followed for ``weeks``."""

    age_years: AgeYears = 30.0
    sex: Sex = Sex.F
    fitzpatrick: Fitzpatrick | None = None
    scale: Scale = Scale.goodman_baron_quantitative
    scar_counts: dict[ScarType, Annotated[float, Field(ge=0.0, le=500.0)]] | None = None
    baseline: Annotated[float, Field(ge=0.0, le=84.0)] | None = None
    scar_mix: dict[ScarType, Annotated[float, Field(ge=0.0, le=1.0)]] | None = None
    follow_ups: list[tuple[Annotated[float, Field(gt=0.0, le=520.0)], Annotated[float, Field(ge=0.0, le=84.0)]]] = []
    weeks: PositiveWeeks = 52.0

    @model_validator(mode="after")
    def _scars_or_baseline(self) -> PredictQuery:
        if self.scar_counts is None and self.baseline is None:
            raise ValueError("give scar counts by type or a baseline score")
        return self


def predict_query(q: PredictQuery, n_draws: int = DEFAULT_DRAWS, seed: int = 0) -> dict:
    """:func:`predict_patient` for a validated :class:`PredictQuery` (every 2 weeks and the follow-up weeks)."""
    weeks = sorted({0.0, *np.arange(2.0, float(q.weeks) + 1e-9, 2.0).tolist(), *[w for w, _ in q.follow_ups]})
    protocol = Protocol(**{k: getattr(q, k) for k in Protocol.model_fields})
    out = predict_patient(q.age_years, {k.value: v for k, v in (q.scar_mix or {}).items()} or {"boxcar": 1.0},
                          q.baseline, q.scale, protocol, weeks, n_draws=n_draws, seed=seed,
                          counts=None if q.scar_counts is None else {k.value: v for k, v in q.scar_counts.items()},
                          follow_ups=[tuple(f) for f in q.follow_ups])
    out["patient"] = {"age_years": q.age_years, "sex": q.sex.value,
                      "fitzpatrick": q.fitzpatrick.value if q.fitzpatrick else None}
    out["protocol"] = protocol.model_dump(mode="json")
    return out
