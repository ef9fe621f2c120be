"""Raters: what a rater records of a true Goodman & Baron score, with rater noise.

A rater records the true value plus Gaussian noise, rounded to the scale's integer steps and clipped to its
range. The quantitative rater SD is derived from the scale's validation (19 of 21 patients scored within
4 points by 4 observers); the qualitative one is calibrated (no inter-rater figure was found).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax.scipy.stats import norm

from microneedling.params import parameter_value
from microneedling.protocol import Scale

QUANT_RATER_SD = "scales.gb_quantitative.rater_sd_points"
QUAL_RATER_SD = "scales.gb_qualitative.rater_sd_grade"


def rater_sd_from_agreement(within: float, fraction: float, n_raters: int) -> float:
    """SD of one rating such that ``n_raters`` independent normal ratings span at most ``within`` with
    probability ``fraction`` (the range distribution of a normal sample; SciPy quadrature + root finding)."""
    from scipy import integrate, optimize, stats

    if not 0.0 < fraction < 1.0 or within <= 0.0 or n_raters < 2:
        raise ValueError("need 0 < fraction < 1, within > 0 and n_raters >= 2")

    def range_cdf(w: float) -> float:
        f = lambda x: n_raters * stats.norm.pdf(x) * (stats.norm.cdf(x + w) - stats.norm.cdf(x)) ** (n_raters - 1)  # noqa: E731
        return integrate.quad(f, -math.inf, math.inf)[0]

    w = optimize.brentq(lambda w: range_cdf(w) - fraction, 1e-3, 50.0)
    return within / w


def rater_sd(scale: Scale, qualitative_sd: float | None = None) -> float:
    """Rater SD on ``scale`` (points or grades); the qualitative one may be given (calibration draws)."""
    if scale is Scale.goodman_baron_quantitative:
        return parameter_value(QUANT_RATER_SD)
    return parameter_value(QUAL_RATER_SD) if qualitative_sd is None else qualitative_sd


def record(key, true, scale: Scale, sd):
    """What a rater records: ``true`` + N(0, sd), rounded to whole points/grades, clipped to the scale."""
    lo, hi = scale.bounds
    noisy = true + sd * jax.random.normal(key, jnp.shape(true))
    return jnp.clip(jnp.round(noisy), lo, hi)


def expected_record(true, scale: Scale, sd):
    """Expected value of :func:`record` (smooth in ``true`` and ``sd``; used for calibration).

    For a rounded, clipped normal: E = lo + sum_k P(true + e > k + 1/2) over the integer steps k in [lo, hi).
    """
    lo, hi = scale.bounds
    steps = jnp.arange(lo, hi)
    z = (true[..., None] - steps - 0.5) / sd
    return lo + jnp.sum(norm.cdf(z), axis=-1)


def expected_cohort_means(baseline_true, true, scale: Scale, sd):
    """Expected recorded cohort mean at baseline (scalar) and at each time point [T] of a cohort whose true scores
    are ``baseline_true`` [n] and ``true`` [n, T], rated with rater SD ``sd`` (:func:`expected_record`)."""
    return expected_record(baseline_true, scale, sd).mean(), expected_record(true, scale, sd).mean(0)
