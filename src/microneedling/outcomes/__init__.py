"""Outcomes: the Goodman & Baron scales (:mod:`~microneedling.outcomes.goodman_baron`, the one score model, and its expected values over per-scar
depths, :mod:`~microneedling.outcomes.expected_score`) and
what a rater records of a score (:mod:`~microneedling.outcomes.raters`).
"""

from microneedling.outcomes.expected_score import (
    count_for_baseline,
    expected_grade,
    expected_quantitative,
    score_course,
)
from microneedling.outcomes.goodman_baron import (
    CATEGORIES,
    TYPE_CODE,
    population_counts,
    population_score,
    qualitative_grade,
    quantitative_score,
    scar_category,
)
from microneedling.outcomes.raters import (
    expected_cohort_means,
    expected_record,
    rater_sd,
    rater_sd_from_agreement,
    record,
)

__all__ = [
    "CATEGORIES",
    "TYPE_CODE",
    "count_for_baseline",
    "expected_grade",
    "expected_quantitative",
    "score_course",
    "expected_cohort_means",
    "expected_record",
    "population_counts",
    "population_score",
    "qualitative_grade",
    "quantitative_score",
    "rater_sd",
    "rater_sd_from_agreement",
    "record",
    "scar_category",
]
