"""`microneedling validate`: exits 1 when a comparison misses its tolerance (the report of the real comparisons is
checked in test_validation_fast.py, after they ran there)."""

import json

import pytest

from microneedling.validation import registry as validation
from microneedling.validation.registry import Comparison, max_abs_z, max_rel_error, rmse


def test_failed_comparison_exits_1_and_is_reported(run_cli, tmp_path, monkeypatch):
    def bad() -> Comparison:
        return Comparison(name="deliberately_off", title="Deliberately off", quantity="q", x_label="x",
                          x=[1.0, 2.0], observed=[1.0, 2.0], observed_err=[0.1, 0.1], predicted=[1.0, 3.0],
                          metric="max |z|", error=max_abs_z([1.0, 2.0], [0.1, 0.1], [1.0, 3.0]), tolerance=2.0,
                          sources=["Davis2004"])

    validation.registered()  # import the comparison modules first, so they do not register into the patched dict
    # only the deliberately failing comparison is registered (the real ones run in test_validation_fast.py)
    monkeypatch.setattr(validation, "_REGISTRY", {"deliberately_off": validation._Entry("deliberately_off", True, bad)})
    r = run_cli("validate", "--fast", "--out", str(tmp_path), "--json")
    assert r.code == 1
    assert json.loads(r.out)["failed"] == ["deliberately_off"]
    assert "FAIL" in (tmp_path / "validation.html").read_text()


def test_metrics_against_hand_computation():
    assert max_abs_z([1.0, 2.0], [0.5, 1.0], [2.0, 2.5]) == pytest.approx(2.0)
    assert max_rel_error([2.0, 4.0], [2.2, 3.0]) == pytest.approx(0.25)
    assert rmse([0.0, 0.0], [3.0, 4.0]) == pytest.approx((12.5) ** 0.5)


@pytest.mark.parametrize("coverage, code", [(0.9, 0), (0.7, 1)])
def test_cross_validation_is_reported_and_low_coverage_exits_1(run_cli, tmp_path, monkeypatch, coverage, code):
    from microneedling.validation import cross_validation as cv

    record = {"trials": 2, "outcomes": 10, "coverage95": coverage, "mae_quantitative": 1.5,
              "mae_qualitative": 0.2, "mae_responder_rate": 0.05, "sampler": {"chains": 1},
              "per_trial": [{"trial": "A", "kind": "cross-validated", "outcomes": 5, "inside95": 4, "rows": []},
                            {"trial": "B", "kind": "out-of-sample", "outcomes": 5, "inside95": 5, "rows": []}]}
    validation.registered()
    monkeypatch.setattr(validation, "_REGISTRY", {})
    monkeypatch.setattr(cv, "stored", lambda: record)
    r = run_cli("validate", "--fast", "--out", str(tmp_path), "--json")
    assert r.code == code, r.out
    out = json.loads(r.out)["cross_validation"]
    assert {"trials", "coverage95", "mae_quantitative", "mae_qualitative", "per_trial"} <= set(out)
    assert out["coverage95"] == coverage and ("cross_validation" in json.loads(r.out)["failed"]) == (code == 1)
