"""Goodman & Baron scoring against hand-computed examples from the scale's definition.

Definition used (Goodman & Baron 2006, J Cosmet Dermatol 5:48-52; point table UNVERIFIED, see goodman_baron.csv):
milder categories 1 point, moderate 2, severe 3, papular 2, keloidal 6; points x 1 for 1-10 lesions, x 2 for
11-20, x 3 for more than 20 (keloids by area: < 5, 5-20, > 20 cm^2); total 0-84. Depth boundaries: deep boxcar
>= 0.5 mm, shallow 0.1-0.5 mm (Fabbrocini 2010 Table 1); mild/moderate at 0.2 mm (calibrated).
"""

from __future__ import annotations

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microneedling.outcomes import goodman_baron


def counts(**by_category):
    c = np.zeros(goodman_baron.N_CATEGORIES)
    for name, n in by_category.items():
        c[goodman_baron.CATEGORIES.index(name)] = n
    return c


@pytest.mark.parametrize("kw, expected", [
    # 5 mildly atrophic (1 pt x1) = 1
    (dict(A2_mildly_atrophic_dishlike=5), 1.0),
    # 12 shallow punched-out (2 pts x2) + 3 deep abnormal (3 x1) = 4 + 3
    (dict(B2_punched_out_shallow_small=12, C2_punched_out_deep_abnormal_small=3), 7.0),
    # 25 icepick deep (3 x3) + 10 macular (1 x1) + 11 rolling deep (3 x2) = 9 + 1 + 6
    (dict(C2_punched_out_deep_abnormal_small=25, A1_macular=10, C4_deep_broad_atrophic=11), 16.0),
    # band edges: 10 -> x1, 11 -> x2, 20 -> x2, 21 -> x3 (moderate, 2 pts)
    (dict(B1_moderately_atrophic_dishlike=10), 2.0),
    (dict(B1_moderately_atrophic_dishlike=11), 4.0),
    (dict(B1_moderately_atrophic_dishlike=20), 4.0),
    (dict(B1_moderately_atrophic_dishlike=21), 6.0),
])
def test_hand_computed_scores(kw, expected):
    assert float(goodman_baron.quantitative_score(counts(**kw))) == expected


def test_keloid_area_multiplier_and_range():
    """Keloids 6 points x area band; the full table sums to the stated maximum 84, an empty face to 0."""
    assert float(goodman_baron.quantitative_score(counts(), keloid_area_cm2=3.0)) == 6.0
    assert float(goodman_baron.quantitative_score(counts(), keloid_area_cm2=10.0)) == 12.0
    assert float(goodman_baron.quantitative_score(counts(), keloid_area_cm2=30.0)) == 18.0
    full = np.full(goodman_baron.N_CATEGORIES, 30.0)
    assert float(goodman_baron.quantitative_score(full, keloid_area_cm2=30.0)) == 84.0
    assert float(goodman_baron.quantitative_score(counts())) == 0.0


def test_scar_categories_by_type_and_depth():
    """icepick deep -> C2, shallow -> B2; boxcar 0.6 -> C1, 0.3 -> B2, 0.15 -> A2; rolling 0.6 -> C4, 0.3 -> B1;
    anything under 0.1 mm -> not counted."""
    cat = lambda t, d: int(goodman_baron.scar_category(t, d))  # noqa: E731
    idx = goodman_baron.CATEGORIES.index
    assert cat(0, 1.0) == idx("C2_punched_out_deep_abnormal_small")
    assert cat(0, 0.3) == idx("B2_punched_out_shallow_small")
    assert cat(1, 0.6) == idx("C1_punched_out_deep_normal_small")
    assert cat(1, 0.3) == idx("B2_punched_out_shallow_small")
    assert cat(1, 0.15) == idx("A2_mildly_atrophic_dishlike")
    assert cat(2, 0.6) == idx("C4_deep_broad_atrophic")
    assert cat(2, 0.3) == idx("B1_moderately_atrophic_dishlike")
    assert cat(2, 0.05) == -1


def test_population_score_hand_example():
    """12 boxcar at 0.3 mm (B2: 2 x2 = 4) + 6 rolling at 0.3 mm (B1: 2 x1 = 2) + 5 icepick at 0.8 mm (C2: 3 x1 = 3)
    = 9; grade 4 (deep punched-out icepick). After the icepicks fill to 0.05 mm: 6, grade 3."""
    t, c = np.array([1, 2, 0]), np.array([12, 6, 5])
    assert float(goodman_baron.population_score(t, c, np.array([0.3, 0.3, 0.8]))) == 9.0
    assert int(goodman_baron.qualitative_grade(t, c, np.array([0.3, 0.3, 0.8]))) == 4
    assert float(goodman_baron.population_score(t, c, np.array([0.3, 0.3, 0.05]))) == 6.0
    assert int(goodman_baron.qualitative_grade(t, c, np.array([0.3, 0.3, 0.05]))) == 3
    assert int(goodman_baron.qualitative_grade(t, c, np.array([0.15, 0.15, 0.05]))) == 2
    assert int(goodman_baron.qualitative_grade(t, c, np.array([0.05, 0.05, 0.05]))) == 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(1, 60), st.floats(0.0, 2.0)), min_size=1, max_size=6))
def test_score_bounds_and_monotone_in_depth(groups):
    """Any atrophic population scores in [0, 84], grade in 1..4; making every scar shallower never raises either."""
    t = np.array([g[0] for g in groups])
    c = np.array([g[1] for g in groups])
    d = np.array([g[2] for g in groups])
    s, g = float(goodman_baron.population_score(t, c, d)), int(goodman_baron.qualitative_grade(t, c, d))
    assert 0.0 <= s <= 84.0 and 1 <= g <= 4
    s2, g2 = float(goodman_baron.population_score(t, c, 0.5 * d)), int(goodman_baron.qualitative_grade(t, c, 0.5 * d))
    assert g2 <= g
    # halving depth moves a scar to a milder category; the score can only rise through merging counts across
    # the multiplier bands, which is bounded by the count multiplier of the merged category
    assert s2 <= s + 3.0 * len(groups)


def test_vmap_over_patients():
    t = np.array([[1, 2], [0, 1]])
    c = np.array([[12, 6], [25, 3]])
    d = np.array([[0.3, 0.6], [1.0, 0.05]])
    out = jax.vmap(goodman_baron.population_score)(t, c, d)
    np.testing.assert_array_equal(out, [4.0 + 3.0, 9.0])
