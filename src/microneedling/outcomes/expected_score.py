"""Expected Goodman & Baron score of a patient's scars: the smooth read-out of the one score model.

A patient carries ``N_k`` scars of each type k (icepick, boxcar, rolling). Each scar's baseline depth is
log-normal around the type's typical depth ``d_k`` (median), with log-SD ``score.scar_depth_log_sd_1`` (a
parameter). Treatment shrinks every scar of type k by the course's relative depth ``r_k(t)``
(:func:`microneedling.course.course_relative_depth`), with the patient's response multiplier ``m`` on the
course's *fill*:

    depth_i(t) = d_i0 * max(0, 1 - m (1 - r_k(t)))

so a scar's Goodman & Baron class follows its current depth through the thresholds of
:mod:`microneedling.outcomes.goodman_baron` (visible, mild, deep; shallower than visible leaves the count) and
the score follows from classes x counts exactly as :func:`~microneedling.outcomes.goodman_baron.population_score`
does for one set of depths. For smooth likelihoods this module returns EXPECTED values over the per-scar depths:

* the fraction of a type's scars deeper than a threshold ``h`` is ``P(d_i > h) = Phi((ln(d_k f) - ln h) / s)``
  (``f = max(0, 1 - m (1 - r))``), and the fraction in a class is a difference of two of these;
* a category's lesion count is binomial (the types that can land in it pooled with their mean probability);
  its expected count multiplier is ``P(X >= 1) + P(X >= b1 + 1) + P(X >= b2 + 1)`` with the binomial tail
  ``P(X >= j) = I_p(j, N - j + 1)`` (regularised incomplete beta in its finite form for whole ``j``,
  differentiable in ``p`` and ``N`` in JAX);
* the qualitative grade (worst-lesion rule) is ``1 + P(any scar >= visible) + P(any >= mild) +
  P(any icepick or boxcar >= deep)``, with ``P(any) = 1 - prod_k (1 - p_k)^N_k``.

Counts need not be integers (the binomial tail is continued in N): a trial patient's count is the one whose
expected baseline score equals the patient's baseline (:func:`count_for_baseline`). All functions are JAX and
vmap-able over patients and times.
"""

from __future__ import annotations

from functools import partial, wraps

import jax
import jax.numpy as jnp
from jax.scipy.special import betainc
from jax.scipy.stats import norm

from microneedling.outcomes.goodman_baron import N_CATEGORIES, TYPE_CODE, category_points, scar_category
from microneedling.params import parameter_value
from microneedling.patient import SCAR_TYPES, ScarType
from microneedling.protocol import Scale

DEPTH_LOG_SD = "score.scar_depth_log_sd_1"
N_BANDS = 4  # depth bands: gone (< visible), [visible, mild), [mild, deep), >= deep
COUNT_BOUNDS = (1e-3, 400.0)  # scars per patient searched by count_for_baseline
_BISECTIONS = 60


def thresholds_mm() -> jnp.ndarray:
    """(visible, mild, deep) depth thresholds of the scales, mm."""
    return jnp.asarray([parameter_value("scoring.gb.visible_depth_mm"), parameter_value("scoring.gb.mild_depth_mm"),
                        parameter_value("scoring.gb.deep_depth_mm")], dtype=jnp.float64)


def band_categories() -> jnp.ndarray:
    """Category index [K, N_BANDS] of a scar of each type in each depth band (-1: gone), read off
    :func:`~microneedling.outcomes.goodman_baron.scar_category` at the band's lower edge."""
    th = thresholds_mm()
    edges = jnp.concatenate([jnp.zeros(1), th])
    codes = jnp.asarray([TYPE_CODE[t] for t in SCAR_TYPES])
    return scar_category(codes[:, None], edges[None, :])


def band_map() -> jnp.ndarray:
    """One-hot [K, N_BANDS, N_CATEGORIES]: which category each (type, band) counts in."""
    cat = band_categories()
    return (cat[..., None] == jnp.arange(N_CATEGORIES)).astype(jnp.float64)


def depth_log_sd() -> float:
    return parameter_value(DEPTH_LOG_SD)


def exceedance(median_mm, log_sd, thresholds=None):
    """P(depth > h) for each threshold h (last axis) of scars log-normal around ``median_mm`` (0 when the
    median is 0: every scar has filled)."""
    th = thresholds_mm() if thresholds is None else thresholds
    med = jnp.asarray(median_mm, dtype=jnp.float64)[..., None]
    safe = jnp.where(med > 0.0, med, 1.0)
    return jnp.where(med > 0.0, norm.cdf((jnp.log(safe) - jnp.log(th)) / log_sd), 0.0)


def band_fractions(median_mm, log_sd, thresholds=None):
    """Fraction of scars in each depth band [..., N_BANDS] (gone, visible-mild, mild-deep, deep)."""
    e = exceedance(median_mm, log_sd, thresholds)
    upper = jnp.concatenate([jnp.ones_like(e[..., :1]), e], axis=-1)
    lower = jnp.concatenate([e, jnp.zeros_like(e[..., :1])], axis=-1)
    return upper - lower


def binomial_tail(j, n, p):
    """P(X >= j) for X ~ Binomial(n, p), continued to real n: ``I_p(j, n - j + 1)``; 0 when n < j.

    For a whole ``j`` known when tracing (a count band's edge) the regularised incomplete beta has the finite
    form ``I_p(j, b) = 1 - (1 - p)^b sum_{i < j} Gamma(b + i) / (Gamma(b) i!) p^i`` (``b = n - j + 1`` real;
    the negative-binomial form of the beta distribution function for a whole first argument), summed term by
    term: exact for every real ``n`` and over 100x faster than the continued fraction of
    ``jax.scipy.special.betainc`` (tested to agree with it), which is used when ``j`` is traced or not whole
    (the sensitivity analysis varies the band edges continuously)."""
    n = jnp.asarray(n, dtype=jnp.float64)
    p = jnp.clip(jnp.asarray(p, dtype=jnp.float64), 0.0, 1.0)
    b = n - j + 1.0
    valid = b > 0.0
    b = jnp.where(valid, b, 1.0)
    if not _whole(j):
        return jnp.where(valid, betainc(jnp.asarray(j, dtype=jnp.float64), b, p), 0.0)
    # sum_i t_i with t_i = (1 - p)^b Gamma(b + i) / (Gamma(b) i!) p^i, by Horner's rule on the ratios
    # t_{i+1} / t_i = p (b + i) / (i + 1); (1 - p)^b may underflow to 0 only where every term is below 1e-270
    acc = jnp.ones_like(b * p)
    for i in range(int(j) - 2, -1, -1):
        acc = 1.0 + p * (b + i) / (i + 1.0) * acc
    below = (1.0 - p) ** b * acc
    return jnp.where(valid, jnp.clip(1.0 - below, 0.0, 1.0), 0.0)


def _traced(*values) -> bool:
    return any(isinstance(v, jax.core.Tracer) for v in values)


def _whole(x) -> bool:
    """A whole number from 1 to 1000 known when tracing (not a JAX tracer)."""
    if _traced(x):
        return False
    v = float(x)
    return v.is_integer() and 1.0 <= v <= 1000.0


def _bands():
    """The count bands' upper edges (scars): Python numbers, or JAX tracers when the registry is overridden
    with traced values (:func:`microneedling.params.overridden`)."""
    b = parameter_value("scoring.gb.count_band1_max"), parameter_value("scoring.gb.count_band2_max")
    return tuple(v if _traced(v) else float(v) for v in b)


def _jit_with_static_bands(fn):
    """``fn`` compiled with the band edges ``b1``, ``b2`` static (they size the binomial sums), or ``fn`` itself,
    inside the caller's trace, when the edges are traced."""
    jitted = partial(jax.jit, static_argnames=("b1", "b2"))(fn)

    @wraps(fn)
    def call(*args, b1, b2):
        return (fn if _traced(b1, b2) else jitted)(*args, b1=b1, b2=b2)

    return call


def expected_multiplier(n, p):
    """Expected count multiplier (0 / 1 / 2 / 3 for 0, 1-b1, b1+1-b2, more) of a binomial count."""
    b1, b2 = _bands()
    return _multiplier(n, p, b1=b1, b2=b2)


@_jit_with_static_bands
def _multiplier(n, p, *, b1, b2):
    return sum(binomial_tail(j, n, p) for j in (1.0, b1 + 1.0, b2 + 1.0))


def scar_fill_factor(rel_depth, multiplier):
    """``max(0, 1 - m (1 - r))``: a scar's depth relative to its baseline for a patient with response
    multiplier ``m`` on the course's fill (``r`` the course's relative depth)."""
    return jnp.maximum(1.0 - multiplier * (1.0 - rel_depth), 0.0)


@_jit_with_static_bands
def _quantitative(counts, median_mm, log_sd, bm, points, th, *, b1, b2):
    counts = jnp.asarray(counts, dtype=jnp.float64)
    frac = band_fractions(median_mm, log_sd, th)  # [..., G, B]
    p_cat = jnp.einsum("...kb,kbc->...kc", frac, bm)  # share of a group's scars in each category
    lam = jnp.einsum("...k,...kc->...c", counts, p_cat)  # expected count per category
    reach = jnp.einsum("...k,kc->...c", counts, (bm.sum(axis=1) > 0).astype(jnp.float64))
    p = jnp.where(reach > 0.0, lam / jnp.where(reach > 0.0, reach, 1.0), 0.0)
    return jnp.sum(points * _multiplier(reach, p, b1=b1, b2=b2), axis=-1)


def expected_quantitative(counts, median_mm, log_sd, types=None):
    """Expected G&B quantitative score (points) of ``counts`` [..., G] scars in groups whose depths are
    log-normal around ``median_mm`` [..., G]; group g has scar type ``types[g]`` (index in
    :data:`~microneedling.patient.SCAR_TYPES`; default: one group per type in that order)."""
    bm = band_map() if types is None else band_map()[jnp.asarray(types)]  # [G, B, C]
    b1, b2 = _bands()
    return _quantitative(counts, median_mm, log_sd, bm, category_points(), thresholds_mm(), b1=b1, b2=b2)


@jax.jit
def _grade(counts, median_mm, log_sd, punched, th):
    counts = jnp.asarray(counts, dtype=jnp.float64)
    e = exceedance(median_mm, log_sd, th)  # [..., G, 3]

    def p_any(p, mask):
        return 1.0 - jnp.prod(jnp.where(mask, (1.0 - p) ** counts, 1.0), axis=-1)

    all_types = jnp.ones(punched.shape[0], dtype=bool)
    return 1.0 + p_any(e[..., 0], all_types) + p_any(e[..., 1], all_types) + p_any(e[..., 2], punched)


def expected_grade(counts, median_mm, log_sd, types=None):
    """Expected G&B qualitative grade (1-4) by the worst-lesion rule (module docstring); arguments as
    :func:`expected_quantitative`."""
    types = jnp.arange(len(SCAR_TYPES)) if types is None else jnp.asarray(types)
    punched = jnp.asarray([TYPE_CODE[t] <= 1 for t in SCAR_TYPES])[types]
    return _grade(counts, median_mm, log_sd, punched, thresholds_mm())


def expected_score(counts, median_mm, log_sd, scale: Scale, types=None):
    """Expected score on ``scale`` (quantitative points or qualitative grade)."""
    if scale is Scale.goodman_baron_quantitative:
        return expected_quantitative(counts, median_mm, log_sd, types)
    return expected_grade(counts, median_mm, log_sd, types)


def score_course(counts, depth0_mm, rel_depth, multiplier, log_sd, scale: Scale):
    """Expected score along a course: ``counts`` [..., K], baseline median depths ``depth0_mm`` [K], the
    course's relative depth ``rel_depth`` [..., K, T] and the response ``multiplier`` [...] -> [..., T]."""
    f = scar_fill_factor(rel_depth, jnp.asarray(multiplier)[..., None, None])
    med = jnp.asarray(depth0_mm)[..., :, None] * f  # [..., K, T]
    med_t = jnp.moveaxis(med, -1, 0)  # [T, ..., K]
    out = jax.vmap(lambda m: expected_score(counts, m, log_sd, scale))(med_t)
    return jnp.moveaxis(out, 0, -1)


def count_for_baseline(baseline, weights, depth0_mm, log_sd, scale: Scale):
    """Total scar count N (counts ``N w_k``) whose expected baseline score equals ``baseline`` (bisection in
    log N over :data:`COUNT_BOUNDS`; the score rises with N). Not differentiable; computed once per patient."""
    w = jnp.asarray(weights, dtype=jnp.float64)
    d0 = jnp.asarray(depth0_mm, dtype=jnp.float64)

    def score(log_n):
        return expected_score(jnp.exp(log_n) * w, d0, log_sd, scale)

    def step(_, bounds):
        lo, hi = bounds
        mid = 0.5 * (lo + hi)
        above = score(mid) > baseline
        return jnp.where(above, lo, mid), jnp.where(above, mid, hi)

    lo, hi = jnp.log(COUNT_BOUNDS[0]), jnp.log(COUNT_BOUNDS[1])
    lo, hi = jax.lax.fori_loop(0, _BISECTIONS, step, (lo, hi))
    return jnp.exp(0.5 * (lo + hi))


def typical_depths_mm() -> jnp.ndarray:
    """Median baseline depth of each scar type (:data:`SCAR_TYPES` order), mm."""
    return jnp.asarray([parameter_value(f"scars.{t.value}.depth_mm") for t in SCAR_TYPES], dtype=jnp.float64)


def group_slots(n_groups: int) -> int:
    """Array length for ``n_groups`` scar groups: the next power of two, at least 4. Patients differ in how
    many groups they have; padding to a few lengths lets a few compiled kernels serve them all instead of a
    compilation per new count."""
    return max(4, 1 << max(n_groups - 1, 0).bit_length())


def expected_scar_groups(types, counts, depths_mm) -> tuple[float, float]:
    """Expected quantitative score (points) and grade of a patient's scar groups: ``types`` (ScarType),
    ``counts`` and current median ``depths_mm``, one entry per group (all zones together).

    The groups are padded to :func:`group_slots` with empty groups (count 0), which add nothing to either
    score: a group enters the quantitative score through its count-weighted category shares and the grade
    through ``(1 - p) ** count``."""
    pad = group_slots(len(counts)) - len(counts)
    idx = jnp.asarray([SCAR_TYPES.index(ScarType(t)) for t in types] + [0] * pad)
    counts = jnp.asarray(list(counts) + [0.0] * pad, dtype=jnp.float64)
    depths = jnp.asarray(list(depths_mm) + [1.0] * pad, dtype=jnp.float64)
    return (float(expected_quantitative(counts, depths, depth_log_sd(), idx)),
            float(expected_grade(counts, depths, depth_log_sd(), idx)))
