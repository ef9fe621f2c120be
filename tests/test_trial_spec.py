"""Trial spec contract (microneedling.trials.spec): validation, one-line errors, exit code 2.

The example spec is the one in the trials.spec docstring and examples/trial.yaml (n 30, age 30 +/- 7, Fitzpatrick II-V 0.2/0.4/0.3/0.1,
scar mix 0.3/0.4/0.3, baseline 14 +/- 5 on the quantitative scale, roller 1.5 mm x 3 every 4 weeks,
timepoints 12 and 24 weeks). Scale bounds are Goodman & Baron 2006: 0-84 points, grades 1-4.
"""

from __future__ import annotations

import copy

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from microneedling.errors import InputError
from microneedling.protocol import Device, Scale
from microneedling.trials.spec import load_spec, spec_from_dict

EXAMPLE_SPEC = {
    "name": "example-trial",
    "seed": 1,
    "arms": [{
        "name": "needling",
        "population": {
            "n": 30, "age_years": {"mean": 30, "sd": 7},
            "fitzpatrick": {"II": 0.2, "III": 0.4, "IV": 0.3, "V": 0.1},
            "scar_mix": {"icepick": 0.3, "boxcar": 0.4, "rolling": 0.3},
            "baseline": {"scale": "goodman_baron_quantitative", "mean": 14.0, "sd": 5.0},
        },
        "protocol": {"device": "roller", "needle_length_mm": 1.5, "sessions": 3, "interval_weeks": 4,
                     "adjunct": "none"},
    }],
    "timepoints_weeks": [12, 24],
}


def _mutated(path: list, value=None, delete: bool = False) -> dict:
    d = copy.deepcopy(EXAMPLE_SPEC)
    node = d
    for p in path[:-1]:
        node = node[p]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return d


def test_design_example_is_valid():
    spec = spec_from_dict(EXAMPLE_SPEC)
    arm = spec.arms[0]
    assert arm.protocol.device is Device.roller
    assert arm.population.baseline.scale is Scale.goodman_baron_quantitative
    assert arm.protocol.session_weeks() == [0.0, 4.0, 8.0]
    assert spec.timepoints_weeks == [12.0, 24.0]


def test_example_files_are_valid():
    """examples/trial.yaml is the documented example; every example spec validates."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "examples"
    files = sorted(root.glob("trial*.yaml"))
    assert files, "no example trial specs"
    for f in files:
        load_spec(f)
    assert yaml.safe_load((root / "trial.yaml").read_text()) == EXAMPLE_SPEC


def test_untreated_control_needs_no_protocol_keys():
    spec = spec_from_dict(_mutated(["arms", 0, "protocol"], {"device": "none"}))
    assert not spec.arms[0].protocol.treated
    assert spec.arms[0].protocol.session_weeks() == []


@pytest.mark.parametrize("path,value,field,fragment", [
    (["arms", 0, "population", "fitzpatrick"], {"II": 0.5, "III": 0.4}, "arms.0.population.fitzpatrick",
     "sum to 1"),
    (["arms", 0, "population", "scar_mix"], {"icepick": 0.3, "boxcar": 0.3}, "arms.0.population.scar_mix",
     "sum to 1"),
    (["arms", 0, "population", "n"], -5, "arms.0.population.n", "greater than or equal to 1"),
    (["arms", 0, "population", "baseline", "scale"], "ecca", "arms.0.population.baseline.scale",
     "goodman_baron_quantitative"),
    (["arms", 0, "protocol", "device"], "laser", "arms.0.protocol.device", "'roller', 'pen', 'stamp' or 'none'"),
    (["arms", 0, "protocol", "needle_length_mm"], 50, "arms.0.protocol.needle_length_mm", "less than or equal"),
    (["arms", 0, "population", "baseline", "mean"], 90, "arms.0.population.baseline.mean", "[0, 84]"),
    (["timepoints_weeks"], [24, 12], "timepoints_weeks", "increasing"),
    (["arms", 0, "protocol", "adjunct"], "prp", "arms.0.protocol.adjunct", "'none'"),
])
def test_bad_spec_names_field_value_and_allowed(path, value, field, fragment):
    with pytest.raises(InputError) as exc:
        spec_from_dict(_mutated(path, value))
    line = exc.value.one_line()
    assert "\n" not in line
    assert exc.value.field == field
    assert fragment in line


def test_needling_arm_requires_sessions():
    with pytest.raises(InputError) as exc:
        spec_from_dict(_mutated(["arms", 0, "protocol", "sessions"], delete=True))
    assert exc.value.field == "arms.0.protocol.sessions"


def test_duplicate_arm_names_refused():
    d = copy.deepcopy(EXAMPLE_SPEC)
    d["arms"].append(copy.deepcopy(d["arms"][0]))
    with pytest.raises(InputError) as exc:
        spec_from_dict(d)
    assert "unique" in exc.value.one_line()


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["I", "II", "III", "IV", "V", "VI"]),
                       st.floats(0.0, 1.0, allow_nan=False), min_size=1))
def test_fraction_sums_other_than_one_are_refused(fractions):
    d = _mutated(["arms", 0, "population", "fitzpatrick"], fractions)
    if abs(sum(fractions.values()) - 1.0) <= 1e-6:
        assert spec_from_dict(d).arms[0].population.fitzpatrick
    else:
        with pytest.raises(InputError):
            spec_from_dict(d)


@pytest.mark.parametrize("path,value,needle", [
    (["arms", 0, "population", "fitzpatrick"], {"II": 0.9}, "fitzpatrick"),
    (["arms", 0, "population", "n"], -1, "population.n"),
    (["arms", 0, "population", "baseline", "scale"], "vas", "baseline.scale"),
    (["arms", 0, "protocol", "device"], "laser", "protocol.device"),
])
def test_cli_bad_spec_exits_2_with_one_line(run_cli, tmp_path, path, value, needle):
    spec = tmp_path / "bad.yaml"
    spec.write_text(yaml.safe_dump(_mutated(path, value)))
    out = tmp_path / "out"
    r = run_cli("trial", str(spec), "--json", "--out", str(out))
    assert r.code == 2
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert not out.exists()


def test_cli_missing_or_broken_file_exits_2(run_cli, tmp_path):
    r = run_cli("trial", str(tmp_path / "nope.yaml"), "--json")
    assert r.code == 2 and "does not exist" in r.err
    bad = tmp_path / "broken.yaml"
    bad.write_text("arms: [unclosed\n")
    r = run_cli("trial", str(bad), "--json")
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
