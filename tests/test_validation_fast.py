"""Every fast model-vs-data comparison passes its stated tolerance (the validation report's CI guard), and
``microneedling validate --fast`` writes the report of them all. The command runs after the comparisons in this
module, so it reuses the kernels they compiled."""

import json

import pytest

from microneedling.citations import bibliography
from microneedling.validation.registry import registered, run_comparison


@pytest.mark.parametrize("name", registered(fast_only=True))
def test_comparison_within_tolerance(name):
    c = run_comparison(name)
    assert c.sources and all(s in bibliography() for s in c.sources)
    assert len(c.observed) == len(c.predicted) == len(c.observed_err) == len(c.x) > 0
    assert c.passed, f"{c.title}: {c.metric} = {c.error:.3g} > tolerance {c.tolerance:.3g}"


def test_validate_fast_writes_report(run_cli, tmp_path):
    r = run_cli("validate", "--fast", "--out", str(tmp_path), "--json")
    assert r.code == 0, r.err
    payload = json.loads(r.out)
    assert payload["failed"] == []
    html = (tmp_path / "validation.html").read_text()
    assert "data:image/png;base64," in html and "References" in html
    for c in payload["comparisons"]:
        assert c["sources"] and c["metric"] and c["tolerance"] >= 0
