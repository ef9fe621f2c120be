"""CLI contract of ``microneedling injury`` and ``microneedling compare`` (issue 3)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

INJURY_KEYS = {"penetration_depth_mm", "punctures_per_cm2", "epidermal_area_fraction", "dermal_volume_fraction",
               "reaches_dermis", "bleeding"}


def test_injury_json_has_the_contract_keys(run_cli):
    r = run_cli("injury", "--zone", "cheek", "--device", "roller", "--needle-length-mm", "1.5", "--passes", "8",
                "--json")
    assert r.code == 0, r.err
    d = r.json()
    assert INJURY_KEYS <= set(d)
    assert isinstance(d["reaches_dermis"], bool) and isinstance(d["bleeding"], bool)
    assert 0 < d["penetration_depth_mm"] < 1.5


def test_compare_json_has_three_modalities_with_pih_risk(run_cli):
    r = run_cli("compare", "--zone", "cheek", "--fitzpatrick", "V", "--json")
    assert r.code == 0, r.err
    mods = r.json()["modalities"]
    assert set(mods) == {"microneedling", "fractional_co2", "tca_peel"}
    for m in mods.values():
        assert 0.0 <= m["epidermal_area_fraction"] <= 1.0 and 0.0 <= m["pih_risk"] <= 1.0


def test_text_output_flags_a_too_long_periorbital_needle(run_cli):
    r = run_cli("injury", "--zone", "periorbital", "--needle-length-mm", "1.5")
    assert r.code == 0 and "longer than the dermis" in r.out


@pytest.mark.parametrize("args, field", [
    (["injury", "--zone", "cheek", "--needle-length-mm", "-1", "--json"], "needle_length_mm"),
    (["injury", "--zone", "elbow", "--needle-length-mm", "1", "--json"], "zone"),
    (["injury", "--zone", "cheek", "--needle-length-mm", "50", "--json"], "needle_length_mm"),
    (["injury", "--zone", "cheek", "--needle-length-mm", "1", "--device", "laser"], "device"),
    (["compare", "--zone", "cheek", "--fitzpatrick", "VII", "--json"], "fitzpatrick"),
    (["compare", "--zone", "moon", "--fitzpatrick", "V", "--json"], "zone"),
])
def test_bad_input_exits_2_with_one_line_and_no_stdout(run_cli, args, field):
    r = run_cli(*args)
    assert r.code == 2
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and field in lines[0]


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.floats(-10, 60, allow_nan=False))
def test_needle_length_is_accepted_exactly_in_the_allowed_range(run_cli, length):
    """NeedleLengthMM: (0, 3] mm (pens reach 2.5 mm, Wilson2012Dermapen; rollers up to 3 mm, clinical-practice.md)."""
    r = run_cli("injury", "--zone", "cheek", "--needle-length-mm", repr(length), "--json")
    assert r.code == (0 if 0 < length <= 3 else 2)
    if r.code == 2:
        assert r.out == "" and len(r.err.strip().splitlines()) == 1


def test_pih_risk_grows_with_the_number_of_sessions(run_cli):
    """Per-patient risk over a course, 1 - exp(-beta D), D summed over sessions (IDOJ2024SplitFace: 4 sessions)."""
    one = run_cli("compare", "--zone", "cheek", "--fitzpatrick", "V", "--json").json()["modalities"]
    four = run_cli("compare", "--zone", "cheek", "--fitzpatrick", "V", "--sessions", "4", "--json").json()["modalities"]
    for name in one:
        assert four[name]["pih_risk"] >= one[name]["pih_risk"]
    assert run_cli("compare", "--zone", "cheek", "--fitzpatrick", "V", "--sessions", "0").code == 2
