"""Goodman & Baron acne-scar scales: the one score model, quantitative score (0-84) and qualitative grade (1-4).

Two read-outs of the same scales, for the two things the package scores:

* **A scar population** (one patient's scar groups, the ``course`` command and the report):
  :func:`population_score` and :func:`qualitative_grade` classify every scar group by its type and current
  depth and apply the scales' point table to the counts (rules below).
* **Expected values** (the course, virtual trials, sweeps, ``predict``, the planner and the calibration):
  :mod:`microneedling.outcomes.expected_score` spreads each group's scars log-normally around its depth and
  takes the expected classes, counts and grade with the same thresholds, point table and rules (smooth in
  the depths). What a rater records of a score is :mod:`microneedling.outcomes.raters`.

Quantitative (Goodman & Baron 2006, J Cosmet Dermatol 5:48-52): each lesion category carries points (milder 1,
moderate 2, severe 3, papular 2, keloidal 6); a category's points are multiplied by 1, 2 or 3 for 1-10, 11-20 or
more than 20 lesions (keloids: by area, < 5, 5-20, > 20 cm^2); the score is the sum. The point table is
UNVERIFIED against the primary table (see ``data/parameters/goodman_baron.csv``); its maximum reproduces the
scale's stated 84.

Qualitative (Goodman & Baron 2006, Dermatol Surg 32:1458-66): grade 1 macular (colour, not contour), 2 mild
(not obvious at 50 cm or more, covered by make-up), 3 moderate (obvious at 50 cm), 4 severe. We grade a population
by its worst remaining atrophic lesion: none deeper than the visibility depth -> 1; all shallower than the mild
depth -> 2; a deep (>= 0.5 mm, Fabbrocini 2010) punched-out lesion that stretching cannot flatten (icepick or
boxcar) -> 4; otherwise 3.

Atrophic scars of the model map to categories by type and current depth: icepick -> C2 (deep abnormal base),
B2 once shallower than the deep boundary; boxcar -> C1 / B2 / A2 by depth (deep / shallow / mild); rolling ->
C4 / B1 / A2; any scar shallower than the visibility depth leaves the count. All array functions are JAX and
vmap-able.
"""

from __future__ import annotations

import jax.numpy as jnp

from microneedling.params import parameter_value
from microneedling.patient import ScarType

CATEGORIES = ("A1_macular", "A2_mildly_atrophic_dishlike", "B1_moderately_atrophic_dishlike",
              "B2_punched_out_shallow_small", "B3_shallow_broad_atrophic", "C1_punched_out_deep_normal_small",
              "C2_punched_out_deep_abnormal_small", "C3_linear_troughed", "C4_deep_broad_atrophic", "D1_papular")
N_CATEGORIES = len(CATEGORIES)
_IDX = {c: i for i, c in enumerate(CATEGORIES)}
TYPE_CODE = {ScarType.icepick: 0, ScarType.boxcar: 1, ScarType.rolling: 2}


def category_points() -> jnp.ndarray:
    """Points per category (order of :data:`CATEGORIES`)."""
    return jnp.asarray([parameter_value(f"scoring.gb.{c}.points") for c in CATEGORIES], dtype=jnp.float64)


def count_multiplier(count: jnp.ndarray) -> jnp.ndarray:
    """0 for no lesions, 1 for 1-10, 2 for 11-20, 3 for more than 20 (element-wise)."""
    b1 = parameter_value("scoring.gb.count_band1_max")
    b2 = parameter_value("scoring.gb.count_band2_max")
    count = jnp.asarray(count)
    return jnp.where(count <= 0, 0.0, jnp.where(count <= b1, 1.0, jnp.where(count <= b2, 2.0, 3.0)))


def keloid_multiplier(area_cm2: jnp.ndarray) -> jnp.ndarray:
    a1 = parameter_value("scoring.gb.keloid_area_band1_max_cm2")
    a2 = parameter_value("scoring.gb.keloid_area_band2_max_cm2")
    area_cm2 = jnp.asarray(area_cm2)
    return jnp.where(area_cm2 <= 0, 0.0, jnp.where(area_cm2 < a1, 1.0, jnp.where(area_cm2 <= a2, 2.0, 3.0)))


def quantitative_score(counts: jnp.ndarray, keloid_area_cm2: jnp.ndarray | float = 0.0) -> jnp.ndarray:
    """G&B quantitative score from lesion counts per category (last axis, order of :data:`CATEGORIES`)."""
    pts = category_points()
    counts = jnp.asarray(counts, dtype=jnp.float64)
    keloid = parameter_value("scoring.gb.D2_keloidal.points") * keloid_multiplier(keloid_area_cm2)
    return jnp.sum(pts * count_multiplier(counts), axis=-1) + keloid


def scar_category(type_code: jnp.ndarray, depth_mm: jnp.ndarray) -> jnp.ndarray:
    """Category index of an atrophic scar of ``type_code`` (0 icepick, 1 boxcar, 2 rolling) at ``depth_mm``;
    -1 once it is shallower than the visibility depth."""
    deep = parameter_value("scoring.gb.deep_depth_mm")
    mild = parameter_value("scoring.gb.mild_depth_mm")
    visible = parameter_value("scoring.gb.visible_depth_mm")
    type_code, depth_mm = jnp.asarray(type_code), jnp.asarray(depth_mm)
    ice = jnp.where(depth_mm >= deep, _IDX["C2_punched_out_deep_abnormal_small"], _IDX["B2_punched_out_shallow_small"])
    box = jnp.where(depth_mm >= deep, _IDX["C1_punched_out_deep_normal_small"],
                    jnp.where(depth_mm >= mild, _IDX["B2_punched_out_shallow_small"],
                              _IDX["A2_mildly_atrophic_dishlike"]))
    roll = jnp.where(depth_mm >= deep, _IDX["C4_deep_broad_atrophic"],
                     jnp.where(depth_mm >= mild, _IDX["B1_moderately_atrophic_dishlike"],
                               _IDX["A2_mildly_atrophic_dishlike"]))
    cat = jnp.where(type_code == 0, ice, jnp.where(type_code == 1, box, roll))
    return jnp.where(depth_mm < visible, -1, cat)


def population_counts(type_codes: jnp.ndarray, counts: jnp.ndarray, depths_mm: jnp.ndarray) -> jnp.ndarray:
    """Lesion counts per category of scar groups (last axis: groups) -> [..., N_CATEGORIES]."""
    cat = scar_category(type_codes, depths_mm)
    onehot = (cat[..., None] == jnp.arange(N_CATEGORIES)).astype(jnp.float64)
    return jnp.sum(onehot * jnp.asarray(counts, dtype=jnp.float64)[..., None], axis=-2)


def population_score(type_codes, counts, depths_mm) -> jnp.ndarray:
    """G&B quantitative score of scar groups (type, count, current depth)."""
    return quantitative_score(population_counts(type_codes, counts, depths_mm))


def qualitative_grade(type_codes, counts, depths_mm) -> jnp.ndarray:
    """G&B qualitative grade 1-4 of scar groups by the worst remaining lesion (rule in the module docstring)."""
    deep = parameter_value("scoring.gb.deep_depth_mm")
    mild = parameter_value("scoring.gb.mild_depth_mm")
    visible = parameter_value("scoring.gb.visible_depth_mm")
    type_codes = jnp.asarray(type_codes)
    depths_mm = jnp.asarray(depths_mm, dtype=jnp.float64)
    present = jnp.asarray(counts) > 0
    d = jnp.where(present, depths_mm, 0.0)
    worst = jnp.max(d, axis=-1)
    unstretchable = jnp.any(present & (type_codes <= 1) & (depths_mm >= deep), axis=-1)
    grade = jnp.where(worst < visible, 1, jnp.where(worst < mild, 2, 3))
    return jnp.where(unstretchable, 4, grade)


def score_scar_groups(types, counts, depths_mm, macular: int = 0, papular: int = 0) -> tuple[float, int]:
    """Quantitative score (points) and qualitative grade of a patient's scar groups: ``types`` (ScarType),
    ``counts`` and current ``depths_mm``, one entry per group (all zones together).

    ``macular`` and ``papular`` are the counts of non-atrophic lesions charted beside them (flat colour marks:
    category A1; raised hypertrophic papules: D1). They add their category's points like any other category;
    papules make the grade at least 2 (the qualitative scale's grade 2 includes mild hypertrophic scars), and
    macules alone leave it at 1 (the scale's macular grade)."""
    codes = jnp.asarray([TYPE_CODE[ScarType(t)] for t in types], dtype=jnp.int32)
    counts, depths_mm = jnp.asarray(counts, dtype=jnp.float64), jnp.asarray(depths_mm, dtype=jnp.float64)
    per_category = population_counts(codes, counts, depths_mm)
    per_category = per_category.at[_IDX["A1_macular"]].add(macular).at[_IDX["D1_papular"]].add(papular)
    grade = int(qualitative_grade(codes, counts, depths_mm)) if len(types) else 1
    if papular > 0:
        grade = max(grade, 2)
    return float(quantitative_score(per_category)), grade
