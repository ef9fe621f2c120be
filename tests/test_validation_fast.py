"""Every fast model-vs-data comparison passes its stated tolerance (the validation report's CI guard)."""

import pytest

from microneedling.citations import bibliography
from microneedling.validation.registry import registered, run_comparison


@pytest.mark.parametrize("name", registered(fast_only=True))
def test_comparison_within_tolerance(name):
    c = run_comparison(name)
    assert c.sources and all(s in bibliography() for s in c.sources)
    assert len(c.observed) == len(c.predicted) == len(c.observed_err) == len(c.x) > 0
    assert c.passed, f"{c.title}: {c.metric} = {c.error:.3g} > tolerance {c.tolerance:.3g}"
