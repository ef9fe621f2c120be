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
    """NeedleLengthMM: (0, 3] mm (pens reach 2.5 mm, Wilson2012Dermapen; rollers up to 3 mm)."""
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


def test_pen_kinematics_set_the_density_and_are_reported(run_cli):
    """11 needles at 90 Hz (Wilson2012Dermapen) gliding at 10 mm/s with a 5 mm wide cartridge: 11 * 90 / (10 * 5)
    = 19.8 /mm2 = 1980 /cm2 per pass, stroke pitch 10 / 90 mm (hand computation; speed and width are inputs)."""
    base = ["injury", "--zone", "cheek", "--device", "pen", "--needle-length-mm", "1.5", "--passes", "1", "--json"]
    d = run_cli(*base, "--glide-speed-mm-per-s", "10", "--footprint-width-mm", "5", "--footprint-length-mm", "3").json()
    assert d["density_basis"] == "kinematics"
    assert d["holes_per_pass_per_cm2"] == pytest.approx(1980.0)
    assert d["punctures_made_per_cm2"] == pytest.approx(1980.0)
    assert d["stroke_pitch_mm"] == pytest.approx(10 / 90) and d["strokes_overlap"] is True
    default = run_cli(*base).json()
    assert default["density_basis"] == "roller-equivalent default" and default["stroke_pitch_mm"] is None
    assert (default["needle_count"], default["stroke_frequency_Hz"]) == (11, 90.0)


def test_stamp_kinematics_and_the_roller_basis(run_cli):
    """Stamp: 40 needles over 100 mm2 = 40 /cm2 per stamping (N / A). The roller's pass stays the calibrated one
    (Fernandes2005 row of devices.csv)."""
    d = run_cli("injury", "--zone", "cheek", "--device", "stamp", "--needle-length-mm", "1.0", "--needle-count", "40",
                "--stamp-area-mm2", "100", "--json").json()
    assert d["density_basis"] == "kinematics" and d["holes_per_pass_per_cm2"] == pytest.approx(40.0)
    roller = run_cli("injury", "--zone", "cheek", "--needle-length-mm", "1.0", "--json").json()
    assert roller["density_basis"] == "calibrated roller pass" and "stroke_pitch_mm" not in roller
    text = run_cli("injury", "--zone", "cheek", "--device", "stamp", "--needle-length-mm", "1.0", "--needle-count",
                   "40", "--stamp-area-mm2", "100")
    assert text.code == 0 and "per-pass density 40 /cm2 from the device kinematics" in " ".join(text.out.split())


KINEMATIC_FLAGS = st.sampled_from(["--glide-speed-mm-per-s", "--footprint-width-mm", "--footprint-length-mm",
                                   "--stamp-area-mm2", "--stroke-frequency-Hz"])


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(device=st.sampled_from(["roller", "pen", "stamp"]), flag=KINEMATIC_FLAGS,
       value=st.one_of(st.floats(-1e3, 0.0, allow_nan=False), st.floats(1e4, 1e6), st.just(float("nan"))))
def test_bad_kinematic_options_exit_2_with_one_line_and_nothing_written(run_cli, device, flag, value):
    """Non-positive, huge or NaN kinematic values (speed (0, 1000] mm/s, footprint (0, 30] mm, stamp (0, 900] mm2,
    stroke frequency within devices.csv's 200 Hz) and options given to a device they do not belong to: exit 2,
    one line on stderr naming the field, nothing on stdout."""
    field = flag[2:].replace("-", "_").replace("_hz", "_Hz")
    r = run_cli("injury", "--zone", "cheek", "--device", device, "--needle-length-mm", "1.0", flag, repr(value),
                "--json")
    assert r.code == 2 and r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and field in lines[0]


def test_a_glide_speed_with_a_roller_is_refused(run_cli):
    r = run_cli("injury", "--zone", "cheek", "--needle-length-mm", "1.0", "--glide-speed-mm-per-s", "10",
                "--footprint-width-mm", "5")
    assert r.code == 2 and r.out == "" and "glide_speed_mm_per_s" in r.err and "pen only" in r.err
