"""Clinical response of virtual patients: the course's fill, per-patient response and the expected score.

The score is mechanistic (:mod:`microneedling.outcomes.expected_score`): a patient's scars shrink with the
course's relative depth ``r_k(t)`` of each scar type, and their Goodman & Baron classes and counts give the
score. What the trial layer adds, with calibrated parameters (``data/parameters/trial_response.csv``; posterior
draws in ``data/calibration/trial_response_fit.json``, fitted by ``microneedling calibrate``):

* the **scar-fill efficiency** of the course engine (:class:`microneedling.tissue.scars.ScarResponse` ``fill``):
  the trials' population median ``trial.fill_efficiency`` and the between-trial SD of its logarithm
  ``trial.fill_log_tau_1`` (a trial-level random effect: trials differ in ways the protocol does not record);
* each patient's **response multiplier** ``m`` on the fill, log-normal with mean 1 and log-SD
  ``trial.response_log_sd_1``: a scar's depth is ``d0 max(0, 1 - m (1 - r))``;
* **raters** (:mod:`microneedling.outcomes.raters`), qualitative SD calibrated, quantitative SD derived.

The course's relative depth depends on the fill only through the floor lift, so each arm's healing is solved
once and its relative depth computed on a grid of fill values (:data:`FILL_GRID`, the real pipeline,
:func:`microneedling.course.course_relative_depth_grid`); between grid values ``ln r`` is interpolated
linearly in the fill (exact for the floor-lift law of :func:`microneedling.tissue.scars.scar_depth`, in which
``ln r`` is affine in the fill). The course is run at the arm's mean age: over ages 25-35 the relative depths
differ by less than 0.02.

A patient's scar count is the one whose expected baseline score equals the patient's baseline
(:func:`~microneedling.outcomes.expected_score.count_for_baseline`), split over the types by the scar mix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import jax
import jax.numpy as jnp
import numpy as np

from microneedling.citations import cite
from microneedling.course import course_relative_depth_grid
from microneedling.outcomes import expected_score as es
from microneedling.outcomes.raters import QUAL_RATER_SD
from microneedling.params import get_parameter, parameter_value
from microneedling.protocol import Protocol, Scale
from microneedling.tissue.scars import ScarResponse, scar_response_params

FILL = "trial.fill_efficiency"
FILL_TAU = "trial.fill_log_tau_1"
RESPONSE_SD = "trial.response_log_sd_1"
THETA_NAMES = (FILL, FILL_TAU, RESPONSE_SD, QUAL_RATER_SD)
FILL_GRID = np.geomspace(0.05, 200.0, 13)
FIT_FILE = "data/calibration/trial_response_fit.json"
LOG_REL_FLOOR = -30.0  # ln of the relative depth of a scar that has filled (exp(-30) ~ 1e-13)


def log_relative_depth_grid(protocol: Protocol, age_years: float, weeks) -> np.ndarray:
    """``ln`` of the course's relative depth of each scar type at ``weeks`` for each fill of
    :data:`FILL_GRID`, at one age: [G, K, T] (0 for an untreated arm)."""
    rel = np.asarray(course_relative_depth_grid(protocol, [float(age_years)], list(weeks), FILL_GRID))[:, 0]
    return np.maximum(np.log(np.clip(rel, 1e-300, None)), LOG_REL_FLOOR)


def interpolate_relative_depth(log_rel_grid, fill):
    """Relative depth [..., K, T] at scar-fill efficiency ``fill`` (scalar or [...]) from a grid [G, K, T]:
    ``ln r`` linear in the fill between grid values, clamped to the grid's ends."""
    x = jnp.asarray(FILL_GRID)
    f = jnp.clip(jnp.asarray(fill, dtype=jnp.float64), x[0], x[-1])
    i = jnp.clip(jnp.searchsorted(x, f, side="right") - 1, 0, x.shape[0] - 2)
    t = (f - x[i]) / (x[i + 1] - x[i])
    g = jnp.asarray(log_rel_grid)
    lo, hi = g[i], g[i + 1]
    t = t[..., None, None]
    return jnp.exp((1.0 - t) * lo + t * hi)


def multiplier(z, sd):
    """Response multiplier on the fill, log-normal with mean 1: ``exp(sd z - sd^2 / 2)``."""
    return jnp.exp(sd * z - 0.5 * sd**2)


@jax.jit
def _counts(baseline, weights, log_sd, quantitative):
    d0 = es.typical_depths_mm()

    def one(b, w):
        q = es.count_for_baseline(b, w, d0, log_sd, Scale.goodman_baron_quantitative)
        g = es.count_for_baseline(b, w, d0, log_sd, Scale.goodman_baron_qualitative)
        return jnp.where(quantitative, q, g) * w

    return jax.vmap(one)(baseline, weights)


def scar_counts(baseline_true, weights, scale: Scale) -> jnp.ndarray:
    """Scar counts [n, K] whose expected baseline score is ``baseline_true`` [n], split by ``weights`` [n, K]."""
    b = jnp.atleast_1d(jnp.asarray(baseline_true, dtype=jnp.float64))
    w = jnp.broadcast_to(jnp.asarray(weights, dtype=jnp.float64), (b.shape[0], len(es.SCAR_TYPES)))
    return _counts(b, w, es.depth_log_sd(), scale is Scale.goodman_baron_quantitative)


def true_scores(rel, counts, z, sd, scale: Scale):
    """Expected true score [n, T] of patients with ``counts`` [n, K] and response deviates ``z`` [n] under a
    course with relative depths ``rel`` [K, T] and response spread ``sd``."""
    return es.score_course(counts, es.typical_depths_mm(), rel, multiplier(z, sd), es.depth_log_sd(), scale)


def calibrated_scar_response(fill: float | None = None) -> ScarResponse:
    """The course engine's scar response with the trials' calibrated fill (population median) or ``fill``."""
    return scar_response_params()._replace(fill=parameter_value(FILL) if fill is None else float(fill))


@dataclass(frozen=True)
class Posterior:
    """Posterior draws (NUTS, thinned) of the population log-fill ``mu``, the between-trial SD ``tau``, the
    response spread and the qualitative rater SD."""

    mu: np.ndarray
    tau: np.ndarray
    response_sd: np.ndarray
    qual_sd: np.ndarray

    @classmethod
    def from_record(cls, record: dict) -> Posterior:
        d = record["draws"]
        return cls(*(np.asarray(d[k], dtype=np.float64) for k in ("mu", "tau", "response_sd", "qual_sd")))

    def draws(self, key, n: int, new_trial: bool = True) -> jnp.ndarray:
        """``n`` parameter sets (fill, response SD, qualitative rater SD), shape (n, 3). ``new_trial``: the fill
        of a new trial (includes the between-trial spread ``tau``); else the population median fill (the mean
        of the trial population fitted)."""
        k_idx, k_eta = jax.random.split(key)
        idx = jax.random.randint(k_idx, (n,), 0, self.mu.shape[0])
        eta = jax.random.normal(k_eta, (n,)) if new_trial else jnp.zeros(n)
        fill = jnp.exp(jnp.asarray(self.mu)[idx] + jnp.asarray(self.tau)[idx] * eta)
        return jnp.stack([fill, jnp.asarray(self.response_sd)[idx], jnp.asarray(self.qual_sd)[idx]], axis=1)

    def point(self) -> np.ndarray:
        """Posterior medians (fill, response SD, qualitative rater SD)."""
        return np.asarray([np.exp(np.median(self.mu)), np.median(self.response_sd), np.median(self.qual_sd)])


@lru_cache(maxsize=1)
def posterior() -> Posterior:
    """The calibrated posterior (records the sources of the calibrated parameters)."""
    for name in THETA_NAMES:
        get_parameter(name)
    fit = json.loads(resources.files("microneedling").joinpath(FIT_FILE).read_text(encoding="utf-8"))
    for key in fit["fitted_to"]:
        cite(key)
    return Posterior.from_record(fit)
