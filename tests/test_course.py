"""Treatment course end to end and the ``course`` command.

Acceptance facts checked (issue "Done when"): a 0.25 mm needle improves scars far less than 1.5 mm (a 0.25 mm
needle stays in the epidermis: dose 0); icepick < boxcar < rolling in improvement (Lotfi 2013: rolling and boxcar
respond, icepick slightly); improvement keeps growing for months after the last session (Garg & Chaudhary assess
6 months after the course); collagen/elastin at 6 months after 4 sessions rise (Aust 2008), with collagen and
elastin in the model's calibrated range (collagen +53.2% after 5 monthly sessions, Lotfi 2013).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from microneedling.course import CourseQuery, run_course

BASE = dict(zone="cheek", device="roller", sessions=3, interval_weeks=4.0, weeks=52.0)


@pytest.fixture(scope="module")
def by_type():
    return {s: run_course(CourseQuery(scar=s, needle_length_mm=1.5, **BASE)) for s in ("icepick", "boxcar", "rolling")}


def improvement(r, week):
    return 1.0 - r.scar_depth_mm[week] / r.scar_depth_mm[0]


def test_scar_type_order(by_type):
    imp = {s: improvement(r, 34) for s, r in by_type.items()}
    assert 0.0 < imp["icepick"] < imp["boxcar"] < imp["rolling"] < 1.0


def test_short_needle_far_less_than_long():
    short = run_course(CourseQuery(scar="boxcar", needle_length_mm=0.25, **BASE))
    long = run_course(CourseQuery(scar="boxcar", needle_length_mm=1.5, **BASE))
    assert improvement(short, 34) < 0.2 * improvement(long, 34)


def test_improvement_grows_months_after_last_session(by_type):
    """Last session at week 8; the scar keeps improving for at least 3 more months (weeks 8 -> 20 -> 30)."""
    r = by_type["boxcar"]
    assert improvement(r, 8) < improvement(r, 20) < improvement(r, 30)


def test_collagen_and_elastin_up_at_six_months():
    """4 monthly sessions, 6 months (week 26): collagen I and elastin above baseline (Aust 2008 direction);
    collagen I gain below the +53.2% after five sessions of Lotfi 2013's calibration point plus 20% margin.
    Followed for a year and read at week 26: the course the CLI test below runs, so it compiles once."""
    r = run_course(CourseQuery(scar="boxcar", needle_length_mm=1.5, zone="cheek", device="roller", sessions=4,
                               interval_weeks=4.0, weeks=52.0))
    assert 1.0 < r.collagen_I_rel[26] < 1.0 + 1.2 * 0.532 / 0.842
    assert r.elastin_rel[26] > 1.0
    assert r.collagen_III_rel[26] >= 1.0


def test_older_patient_responds_less():
    young = run_course(CourseQuery(scar="boxcar", needle_length_mm=1.5, age_years=25.0, **BASE))
    old = run_course(CourseQuery(scar="boxcar", needle_length_mm=1.5, age_years=75.0, **BASE))
    assert improvement(old, 34) < improvement(young, 34)


def test_cli_json_equal_length_lists(run_cli):
    res = run_cli("course", "--zone", "cheek", "--scar", "boxcar", "--device", "roller", "--needle-length-mm", "1.5",
                  "--sessions", "4", "--interval-weeks", "4", "--weeks", "52", "--json")
    assert res.code == 0, res.err
    data = json.loads(res.out)
    keys = ["weeks", "collagen_I_rel", "collagen_III_rel", "elastin_rel", "alignment", "scar_depth_mm",
            "gb_quantitative", "gb_grade"]
    lengths = {len(data[k]) for k in keys}
    assert lengths == {53}
    assert data["weeks"][0] == 0 and data["weeks"][-1] == 52
    assert data["collagen_I_rel"][0] == pytest.approx(1.0) and data["elastin_rel"][0] == pytest.approx(1.0)
    assert all(1 <= g <= 4 for g in data["gb_grade"])
    assert np.all(np.diff(data["scar_depth_mm"][:20]) <= 1e-12)


@pytest.mark.parametrize("args, field", [
    (["--needle-length-mm", "5"], "needle_length_mm"),
    (["--sessions", "0"], "sessions"),
    (["--scar", "keloid"], "scar"),
    (["--zone", "elbow"], "zone"),
    (["--interval-weeks", "nan"], "interval_weeks"),
])
def test_cli_bad_input_one_line_exit_2(run_cli, args, field):
    base = {"--zone": "cheek", "--scar": "boxcar", "--needle-length-mm": "1.5", "--sessions": "3"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    flat = [x for kv in base.items() for x in kv]
    res = run_cli("course", *flat, "--json")
    assert res.code == 2
    assert res.out == ""
    assert len(res.err.strip().splitlines()) == 1 and field in res.err
