"""The expected Goodman & Baron score equals the mean of the exact score model over random per-scar depths.

The exact model (:mod:`microneedling.outcomes.goodman_baron`) classes each scar by its depth and applies the
point table to the counts; the expected-value model takes the same classes, thresholds and rules in
expectation over log-normal per-scar depths. A Monte Carlo over depths must reproduce it.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from microneedling.outcomes import expected_score as es
from microneedling.outcomes import goodman_baron as gb
from microneedling.patient import SCAR_TYPES
from microneedling.protocol import Scale

CODES = np.asarray([gb.TYPE_CODE[t] for t in SCAR_TYPES])


def _monte_carlo(counts, median, log_sd, n_mc=4000, seed=0):
    """Mean exact score and grade over per-scar depths drawn log-normal around ``median`` (integer counts)."""
    rng = np.random.default_rng(seed)
    types = np.repeat(np.arange(len(SCAR_TYPES)), counts)
    med = np.asarray(median)[types]
    depths = med * np.exp(log_sd * rng.standard_normal((n_mc, types.size)))
    codes, ones = jnp.asarray(CODES[types]), jnp.ones(types.size)
    score = jax.vmap(lambda d: gb.population_score(codes, ones, d))(jnp.asarray(depths))
    grade = jax.vmap(lambda d: gb.qualitative_grade(codes, ones, d))(jnp.asarray(depths))
    return float(np.mean(score)), float(np.mean(grade)), float(np.std(score) / np.sqrt(n_mc))


@pytest.mark.parametrize("counts,median", [
    ((4, 6, 3), (1.0, 0.3, 0.3)),
    ((0, 15, 0), (0.6, 0.25, 0.3)),
    ((12, 14, 9), (0.45, 0.18, 0.12)),
])
def test_expected_score_and_grade_match_monte_carlo_of_the_exact_model(counts, median):
    log_sd = 0.4
    mc_score, mc_grade, se = _monte_carlo(counts, median, log_sd)
    q = float(es.expected_quantitative(jnp.asarray(counts, float), jnp.asarray(median), log_sd))
    g = float(es.expected_grade(jnp.asarray(counts, float), jnp.asarray(median), log_sd))
    # categories fed by two types (B2: icepick + boxcar; A2: boxcar + rolling) take a pooled binomial
    assert q == pytest.approx(mc_score, abs=max(4 * se, 0.03 * mc_score))
    assert g == pytest.approx(mc_grade, abs=0.02)


def test_per_group_types_equal_the_per_type_layout():
    counts, median = jnp.asarray([3.0, 7.0, 5.0]), jnp.asarray([0.8, 0.3, 0.25])
    per_type = es.expected_quantitative(counts, median, 0.4)
    per_group = es.expected_quantitative(counts, median, 0.4, types=jnp.asarray([0, 1, 2]))
    assert float(per_type) == pytest.approx(float(per_group))


def test_group_slots_are_powers_of_two_of_at_least_four():
    assert [es.group_slots(n) for n in (0, 1, 4, 5, 8, 9, 17)] == [4, 4, 4, 8, 8, 16, 32]


@pytest.mark.parametrize("n_groups", [1, 3, 5, 9])
def test_scar_groups_padded_with_empty_groups_score_as_unpadded(n_groups):
    """The scar-list score pads the groups to a few array lengths; the padding changes neither score."""
    rng = np.random.default_rng(n_groups)
    idx = rng.integers(0, len(SCAR_TYPES), n_groups)
    counts, depths = rng.integers(1, 20, n_groups).astype(float), rng.uniform(0.1, 1.2, n_groups)
    q, g = es.expected_scar_groups([SCAR_TYPES[i].value for i in idx], list(counts), list(depths))
    log_sd = es.depth_log_sd()
    q0 = es.expected_quantitative(jnp.asarray(counts), jnp.asarray(depths), log_sd, types=jnp.asarray(idx))
    g0 = es.expected_grade(jnp.asarray(counts), jnp.asarray(depths), log_sd, types=jnp.asarray(idx))
    assert (q, g) == pytest.approx((float(q0), float(g0)), rel=1e-12)


@pytest.mark.parametrize("scale,baseline", [(Scale.goodman_baron_quantitative, 16.39),
                                            (Scale.goodman_baron_quantitative, 6.0),
                                            (Scale.goodman_baron_qualitative, 3.29)])
def test_count_for_baseline_inverts_the_expected_score(scale, baseline):
    w = jnp.asarray([0.34, 0.33, 0.33])
    d0 = es.typical_depths_mm()
    n = es.count_for_baseline(baseline, w, d0, 0.4, scale)
    assert float(es.expected_score(n * w, d0, 0.4, scale)) == pytest.approx(baseline, abs=1e-6)


def test_scores_fall_as_scars_fill_and_vanish_when_filled():
    counts = jnp.asarray([5.0, 8.0, 6.0])
    rel = jnp.stack([jnp.linspace(1.0, 0.0, 6)] * 3)  # [K, T]
    q = np.asarray(es.score_course(counts, es.typical_depths_mm(), rel, 1.0, 0.4, Scale.goodman_baron_quantitative))
    g = np.asarray(es.score_course(counts, es.typical_depths_mm(), rel, 1.0, 0.4, Scale.goodman_baron_qualitative))
    assert np.all(np.diff(q) <= 1e-9) and np.all(np.diff(g) <= 1e-9)
    assert q[-1] == pytest.approx(0.0, abs=1e-9) and g[-1] == pytest.approx(1.0, abs=1e-9)


def test_response_multiplier_acts_on_the_fill_not_as_an_exponent():
    rel = jnp.asarray([[0.8]] * 3)
    f = es.scar_fill_factor(rel, 2.0)
    assert np.allclose(np.asarray(f), 0.6)  # 1 - 2 (1 - 0.8)
    assert float(es.scar_fill_factor(0.3, 2.0)) == 0.0  # more than filled: gone, never negative


def test_expected_score_is_differentiable_in_the_fill():
    counts = jnp.asarray([5.0, 8.0, 6.0])

    def score(r):
        return es.score_course(counts, es.typical_depths_mm(), jnp.full((3, 1), r), 1.0, 0.4,
                               Scale.goodman_baron_quantitative)[0]

    g = float(jax.grad(score)(0.7))
    fd = (float(score(0.7 + 1e-5)) - float(score(0.7 - 1e-5))) / 2e-5
    assert g > 0 and g == pytest.approx(fd, rel=1e-4)


def test_binomial_tail_equals_the_regularised_incomplete_beta():
    """The finite sum for a whole first argument against ``betainc`` (real counts, p from 0 to 1, n below j)."""
    from jax.scipy.special import betainc

    rng = np.random.default_rng(3)
    n = np.concatenate([rng.uniform(0.0, 400.0, 4000), [0.5, 10.0, 20.9, 21.0, 400.0]])
    p = np.concatenate([rng.uniform(0.0, 1.0, 4000), [0.0, 1.0, 0.3, 1e-9, 1.0 - 1e-9]])
    for j in (1.0, 11.0, 21.0):
        ours = np.asarray(es.binomial_tail(j, n, p))
        ok = n - j + 1.0 > 0.0
        ref = np.where(ok, np.asarray(betainc(j, np.where(ok, n - j + 1.0, 1.0), p)), 0.0)
        np.testing.assert_allclose(ours, ref, atol=1e-11)
    # integer n: the binomial distribution itself
    from scipy.stats import binom
    np.testing.assert_allclose(np.asarray(es.binomial_tail(11.0, 30.0, 0.4)), binom.sf(10, 30, 0.4), rtol=1e-12)


def test_traced_band_edges_take_the_general_tail_and_agree_at_whole_values():
    """The sensitivity analysis traces the band edges: the betainc path gives the finite sum's value at a whole
    edge and stays defined between whole values."""
    n, p = jnp.asarray([5.0, 30.0, 250.0]), jnp.asarray([0.2, 0.5, 0.05])
    traced = jax.jit(lambda j: es.binomial_tail(j, n, p))
    np.testing.assert_allclose(np.asarray(traced(11.0)), np.asarray(es.binomial_tail(11.0, n, p)), atol=1e-11)
    between = np.asarray(traced(11.5))
    assert np.all(between <= np.asarray(es.binomial_tail(11.0, n, p)) + 1e-12)
    assert np.all(between >= np.asarray(es.binomial_tail(12.0, n, p)) - 1e-12)
