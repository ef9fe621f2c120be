"""Global sensitivity (microneedling.sensitivity, ``microneedling sensitivity``): parameter overrides reach the
model as JAX inputs and equal the plain pipeline with the registry's values; the ranges follow their rules; on a
small sample the command runs, gives exactly 0 to parameters that do not enter the outcome and ranks first the
one that decides the icepick depth change."""

from __future__ import annotations

import json

import numpy as np
import pytest

from microneedling import course
from microneedling.params import Parameter, overridden, parameter_value, recording_reads
from microneedling.sensitivity import Reference, evaluate, parameter_range, uncertain_ranges
from microneedling.sensitivity.outcome import OUTPUTS, expected_change
from microneedling.sensitivity.ranges import LOG_DEFAULT, ROW_BOUNDS, ROW_INTERVAL, STATED_INTERVAL
from microneedling.trials.response import calibrated_scar_response

FILL = "trial.fill_efficiency"

# parameters of other engines (topical permeation, the planner's zone caps): no path into the needling course
# the outcome scores at the trials' calibrated fill, so the course engine's own fill (scars.fill_efficiency, the
# prior centre of the calibration) does not enter it
NOT_IN_OUTCOME = ("delivery.potts_guy.intercept", "plan.zone_cap.chin.needle_mm", "scars.fill_efficiency")
DOMINANT_ICEPICK = "scars.icepick.tethering_fraction"


def test_overridden_replaces_values_within_the_block_only():
    v = parameter_value(FILL)
    with overridden({FILL: 2.0 * v}):
        assert parameter_value(FILL) == 2.0 * v
        with overridden({"healing.alpha": 0.4}):
            assert parameter_value(FILL) == 2.0 * v and parameter_value("healing.alpha") == 0.4
    assert parameter_value(FILL) == v
    with pytest.raises(KeyError), overridden({"no.such.parameter": 1.0}):
        pass


def test_recording_reads_names_what_was_read():
    with recording_reads() as names:
        parameter_value("healing.alpha")
    assert names == {"healing.alpha"}


def _row(value, low, high, where):
    return Parameter("x.y", value, "1", low, high, "Lotfi2013", where, "assumed", "", "test")


def test_range_rules():
    assert parameter_range(_row(2.0, 0.0, 10.0, "fitted; posterior 95% interval [1.5, 3.0]")).basis == STATED_INTERVAL
    r = parameter_range(_row(0.5, 0.2, 0.9, "SD; low/high from the 95% Clopper-Pearson interval"))
    assert (r.basis, r.low, r.high) == (ROW_INTERVAL, 0.2, 0.9)
    r = parameter_range(_row(2.0, 0.0, 1000.0, "set by hand; posterior 95% interval [0, 0]"))  # no usable interval
    assert r.basis == LOG_DEFAULT and r.log and r.low == pytest.approx(2.0 / 1.5) and r.high == pytest.approx(3.0)
    assert parameter_range(_row(2.0, 1.8, 1000.0, "set by hand")).low == 1.8  # within the refusal bounds
    r = parameter_range(_row(0.0, 0.0, 1.0, "set by hand"))
    assert (r.basis, r.log, r.low, r.high) == (ROW_BOUNDS, False, 0.0, 1.0)


def test_every_calibrated_and_assumed_row_has_a_range_holding_its_value():
    ranges = uncertain_ranges()
    assert {r.status for r in ranges} == {"calibrated", "assumed"}
    for r in ranges:
        assert r.low < r.high and r.low <= r.value <= r.high, r
        assert not r.log or r.low > 0.0


def test_override_path_equals_the_plain_pipeline_and_moves_with_an_override():
    ref = Reference()
    ranges = uncertain_ranges()
    names = [r.name for r in ranges]
    base = np.asarray([r.value for r in ranges])
    doubled = base.copy()
    doubled[names.index(FILL)] *= 2.0
    y = evaluate(ref, names, np.stack([base, doubled]))
    rel = course.course_relative_depth(ref.protocol, [float(ref.patient.age_years)], [ref.weeks],
                                       response=calibrated_scar_response())[0, :, 0]
    plain = np.concatenate([1.0 - np.asarray(rel), [float(expected_change(ref, rel))]])
    np.testing.assert_allclose(y[0], plain, rtol=1e-10, atol=1e-13)
    assert np.all(y[1, :3] > y[0, :3]), "a larger scar fill must shrink every scar type more"


def test_sensitivity_command_on_a_small_sample(run_cli, tmp_path):
    r = run_cli("sensitivity", "--samples", "8", "--json", "--out", str(tmp_path))
    assert r.code == 0, r.err
    res = r.json()
    n_par = len(uncertain_ranges())
    assert res["evaluations"] == 8 * (n_par + 2) and len(res["ranges"]) == n_par
    assert set(res["outputs"]) == set(OUTPUTS)
    for out in OUTPUTS:
        rows = {row["name"]: row for row in res["outputs"][out]["indices"]}
        for name in NOT_IN_OUTCOME:
            assert rows[name]["ST"] == pytest.approx(0.0, abs=1e-12)
            assert rows[name]["S1"] == pytest.approx(0.0, abs=1e-12)
    # the icepick scar's own assumed geometry decides its depth change: its depth (a deep narrow tract fills
    # little at the calibrated fill) and its tethering (0 by assumption, varied over 0-1)
    icepick = res["outputs"]["depth_change_icepick"]["indices"]
    assert icepick[0]["name"].startswith("scars.icepick.") and icepick[0]["ST"] > 0.3, icepick[:3]
    assert DOMINANT_ICEPICK in [row["name"] for row in icepick[:3]], icepick[:3]
    assert json.loads((tmp_path / "sensitivity.json").read_text())["samples"] == 8
    html = (tmp_path / "report.html").read_text()
    assert "What rests on assumptions" in html and "data:image/png;base64," in html


def test_sensitivity_command_prints_the_top_10(run_cli):
    r = run_cli("sensitivity", "--samples", "2")
    assert r.code == 0, r.err
    assert "top 10 by total index" in r.out and "+/-50% in log space" in r.out


def test_sensitivity_command_refuses_a_sample_size_not_a_power_of_2(run_cli):
    r = run_cli("sensitivity", "--samples", "12")
    assert r.code == 2 and "samples" in r.err
