"""Outcomes: the Goodman & Baron scales (:mod:`~microneedling.outcomes.goodman_baron`, the one score model) and
what a rater records of a score (:mod:`~microneedling.outcomes.raters`).
"""

from microneedling.outcomes.goodman_baron import (
    CATEGORIES,
    TYPE_CODE,
    population_counts,
    population_score,
    qualitative_grade,
    quantitative_score,
    scar_category,
    score_at_severity,
    severity_of_score,
)
from microneedling.outcomes.raters import (
    expected_record,
    rater_sd,
    rater_sd_from_agreement,
    record,
)

__all__ = [
    "CATEGORIES",
    "TYPE_CODE",
    "expected_record",
    "population_counts",
    "population_score",
    "qualitative_grade",
    "quantitative_score",
    "rater_sd",
    "rater_sd_from_agreement",
    "record",
    "scar_category",
    "score_at_severity",
    "severity_of_score",
]
