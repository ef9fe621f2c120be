"""``microneedling delivery``: one JSON object with the issue's keys; bad input exits 2 with one line naming the
field, nothing on stdout."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REQUIRED = ("channel_half_closure_hours", "cumulative_uptake_ug_per_cm2", "intact_skin_uptake_ug_per_cm2",
            "enhancement")


def test_named_molecule_json(run_cli):
    r = run_cli("delivery", "--molecule", "ascorbic-acid", "--needle-length-mm", "0.5", "--hours", "24", "--json")
    assert r.code == 0, r.err
    out = r.json()
    assert all(k in out for k in REQUIRED)
    assert out["channel_half_closure_hours"] > 0
    assert out["cumulative_uptake_ug_per_cm2"] > out["intact_skin_uptake_ug_per_cm2"] > 0
    assert out["enhancement"] > 1
    assert r.out.count("\n") == r.out.strip().count("\n") + 1  # one object, then a newline


def test_occlusion_flag_lengthens_closure(run_cli):
    base = ("delivery", "--molecule", "ascorbic-acid", "--needle-length-mm", "0.5", "--json")
    o = run_cli(*base, "--occluded").json()
    n = run_cli(*base).json()
    assert o["channel_half_closure_hours"] > n["channel_half_closure_hours"]
    assert o["cumulative_uptake_ug_per_cm2"] > n["cumulative_uptake_ug_per_cm2"]


def test_free_mw_and_logp(run_cli):
    r = run_cli("delivery", "--mw-da", "300", "--logp", "-1", "--needle-length-mm", "1.0",
                "--concentration-mg-per-ml", "5", "--json")
    assert r.code == 0, r.err
    out = r.json()
    assert out["mw_da"] == 300 and out["logp"] == -1 and out["concentration_mg_per_ml"] == 5
    assert out["enhancement"] > 1


def _one_line_error(r, field):
    assert r.code == 2
    assert r.out == ""
    assert r.err.count("\n") == 1 and field in r.err


def test_unknown_molecule(run_cli):
    r = run_cli("delivery", "--molecule", "vitamin-z", "--needle-length-mm", "0.5")
    _one_line_error(r, "molecule")
    assert "ascorbic-acid" in r.err


# run_cli captures afresh on every call, so sharing it across examples is safe
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(max_value=0.0, allow_nan=False, allow_infinity=False))
def test_non_positive_molecular_weight(run_cli, mw):
    r = run_cli("delivery", "--mw-da", repr(mw), "--logp", "1", "--needle-length-mm", "0.5")
    _one_line_error(r, "mw_da")


def test_molecule_and_mw_together_or_missing(run_cli):
    _one_line_error(run_cli("delivery", "--needle-length-mm", "0.5"), "molecule")
    _one_line_error(run_cli("delivery", "--molecule", "egf", "--mw-da", "100", "--needle-length-mm", "0.5"),
                    "molecule")
    _one_line_error(run_cli("delivery", "--mw-da", "100", "--needle-length-mm", "0.5"), "logp")


def test_bad_session_values(run_cli):
    _one_line_error(run_cli("delivery", "--molecule", "egf", "--needle-length-mm", "5"), "needle_length_mm")
    _one_line_error(run_cli("delivery", "--molecule", "egf", "--needle-length-mm", "1", "--hours", "0"), "hours")
    _one_line_error(run_cli("delivery", "--molecule", "egf", "--needle-length-mm", "1",
                            "--concentration-mg-per-ml", "-1"), "concentration_mg_per_ml")


def test_finite_dose_option(run_cli):
    """5 uL/cm^2 of a 10 mg/mL serum holds 50 ug/cm^2: uptake cannot exceed it."""
    r = run_cli("delivery", "--molecule", "niacinamide", "--needle-length-mm", "1.0", "--dose-ul-per-cm2", "5",
                "--json")
    assert r.code == 0, r.err
    out = r.json()
    assert out["dose_applied_ug_per_cm2"] == 50.0
    assert 0 < out["cumulative_uptake_ug_per_cm2"] <= 50.0
    _one_line_error(run_cli("delivery", "--molecule", "egf", "--needle-length-mm", "1", "--dose-ul-per-cm2", "0"),
                    "dose_ul_per_cm2")


def test_dermal_clearance_option(run_cli):
    base = ("delivery", "--molecule", "ascorbic-acid", "--needle-length-mm", "0.5", "--json")
    sink = run_cli(*base).json()
    slow = run_cli(*base, "--dermal-clearance-per-h", "0.1").json()
    assert slow["dermal_clearance_per_h"] == 0.1 and slow["dermis_um"] > 0
    assert slow["cumulative_uptake_ug_per_cm2"] < sink["cumulative_uptake_ug_per_cm2"]
    _one_line_error(run_cli(*base, "--dermal-clearance-per-h", "-1"), "dermal_clearance_per_h")


def test_timecourse_option(run_cli):
    """The time course ends at the summary values and the needled uptake never falls."""
    r = run_cli("delivery", "--molecule", "tranexamic-acid", "--needle-length-mm", "1.0", "--hours", "12",
                "--timecourse", "--json")
    assert r.code == 0, r.err
    out = r.json()
    tc = out["timecourse"]
    assert tc["times_h"][0] == 0.0 and tc["times_h"][-1] == 12.0
    assert tc["cumulative_needled_ug_per_cm2"][-1] == out["cumulative_uptake_ug_per_cm2"]
    cum = tc["cumulative_needled_ug_per_cm2"]
    assert all(cum[i + 1] >= cum[i] for i in range(len(cum) - 1))
