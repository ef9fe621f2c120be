"""Validation: the sub-models that have published measurements against them (not every sub-model has).
The registry (:mod:`~microneedling.validation.registry`), the report (:mod:`~microneedling.validation.report`) and one module
of comparisons per model family: :mod:`~microneedling.validation.skin`, :mod:`~microneedling.validation.mechanics`
(needle insertion, punctures, injury, other modalities), :mod:`~microneedling.validation.healing` (healing,
scars, scoring), :mod:`~microneedling.validation.delivery`, :mod:`~microneedling.validation.trials`,
:mod:`~microneedling.validation.spatial`.
"""

from microneedling.validation.registry import (
    Comparison,
    comparison,
    registered,
    run_comparison,
)
from microneedling.validation.report import (
    render_validation_report,
    run_all,
)

__all__ = [
    "Comparison",
    "comparison",
    "registered",
    "render_validation_report",
    "run_all",
    "run_comparison",
]
