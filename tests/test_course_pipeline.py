"""The one course pipeline: a single patient is a cohort of one, and the two solvers swap behind one call.

Checks: the states of a patient solved alone equal that patient's row of a cohort solve (each solver); the
per-patient and cohort solvers agree within the cohort grid's error budget; ``run_course`` is the pipeline
(its states equal ``healing_states`` for that patient); the trial exposure is built from the same scar depths;
the protocol types refuse what the single definition refuses, wherever they are used.
"""

from __future__ import annotations

import numpy as np
import pytest

from microneedling import healing
from microneedling.course import (
    COHORT,
    PER_PATIENT,
    CourseQuery,
    course_relative_depth,
    healing_states,
    protocol_injury,
    run_course,
    scar_depths,
)
from microneedling.errors import InputError
from microneedling.protocol import MAX_SESSIONS, Protocol
from microneedling.tissue import scars

PROTOCOL = Protocol(device="roller", needle_length_mm=1.5, sessions=3, interval_weeks=4.0)
AGES = np.array([22.0, 41.0, 67.0])
T_DAYS = np.arange(0.0, 24 * 7.0 + 1.0, 7.0)


@pytest.fixture(scope="module")
def dose():
    return healing.injury_dose(protocol_injury(PROTOCOL))


@pytest.mark.parametrize("solver", [PER_PATIENT, COHORT], ids=["per_patient", "cohort"])
def test_one_patient_equals_its_row_of_the_cohort(dose, solver):
    cohort = np.asarray(healing_states(PROTOCOL, dose, AGES, T_DAYS, solver))
    assert cohort.shape == (len(T_DAYS), len(AGES), healing.N_SPECIES)
    for i, age in enumerate(AGES):
        alone = np.asarray(healing_states(PROTOCOL, dose, [age], T_DAYS, solver))[:, 0]
        np.testing.assert_allclose(alone, cohort[:, i], rtol=1e-12, atol=1e-13)


def test_solvers_agree_within_the_cohort_grid_budget(dose):
    one = np.asarray(healing_states(PROTOCOL, dose, AGES, T_DAYS, PER_PATIENT))
    batch = np.asarray(healing_states(PROTOCOL, dose, AGES, T_DAYS, COHORT))
    scale = np.maximum(np.abs(one).max(axis=(0, 1)), 1e-12)
    assert np.max(np.abs(one - batch) / scale) < 1e-3
    # and not trivially: the course moved collagen I well away from baseline
    assert one[:, :, healing.C1].max() > 1.1


def test_run_course_is_the_pipeline_with_one_patient():
    q = CourseQuery(protocol=PROTOCOL, scar="boxcar", weeks=24, age_years=41.0)
    r = run_course(q)
    dose = healing.injury_dose(protocol_injury(PROTOCOL, "F", 41.0))
    y = np.asarray(healing_states(PROTOCOL, dose, [41.0], T_DAYS, PER_PATIENT))[:, 0]
    np.testing.assert_allclose(r.collagen_I_rel, y[:, healing.C1], rtol=1e-12)
    shape = scars.typical_scar("boxcar")
    depth = np.asarray(scar_depths(y, T_DAYS, shape, r.injury.penetration_depth_mm))
    np.testing.assert_allclose(r.scar_depth_mm, depth, rtol=1e-12)
    assert r.dose_per_session == pytest.approx(dose)


def test_trial_relative_depth_uses_the_same_scar_depths():
    weeks = [0.0, 12.0, 24.0]
    rel = np.asarray(course_relative_depth(PROTOCOL, AGES, weeks, COHORT))  # [n, K, T]
    inj = protocol_injury(PROTOCOL, "F", round(float(AGES.mean()), 1))  # the cohort's mean age
    y = healing_states(PROTOCOL, healing.injury_dose(inj), AGES, T_DAYS, COHORT)
    pen = inj.penetration_depth_mm
    shape = scars.typical_scar("rolling")
    depth = np.asarray(scar_depths(y, T_DAYS, shape, pen))  # [T, n]
    for j, w in enumerate(weeks):
        np.testing.assert_allclose(rel[:, 2, j], depth[int(w), :] / shape.depth_mm, rtol=1e-9)
    assert np.all(rel[:, :, 0] == 1.0) and np.all(rel[:, 2, -1] < 0.95)


def test_course_query_accepts_a_nested_protocol_and_returns_it():
    flat = CourseQuery(device="pen", needle_length_mm=1.0, sessions=4, interval_weeks=6, scar="rolling")
    nested = CourseQuery(protocol={"device": "pen", "needle_length_mm": 1.0, "sessions": 4, "interval_weeks": 6},
                         scar="rolling")
    assert flat == nested
    assert flat.protocol == Protocol(device="pen", needle_length_mm=1.0, sessions=4, interval_weeks=6)


@pytest.mark.parametrize("bad", [{"sessions": MAX_SESSIONS + 1}, {"interval_weeks": 0.5}, {"device": "none"},
                                 {"interval_weeks": 27.0}, {"passes": 0}])
def test_every_entry_refuses_what_the_protocol_refuses(bad, run_cli):
    from pydantic import ValidationError

    from microneedling.clinic.zone_plan import PlanRequest
    from microneedling.trials.spec import spec_from_dict

    base = {"device": "roller", "needle_length_mm": 1.5, "sessions": 3, "interval_weeks": 4.0}
    with pytest.raises(ValidationError):
        CourseQuery(scar="boxcar", **{**base, **bad})
    arm = {"name": "a", "population": {"n": 10, "age_years": {"mean": 30}, "fitzpatrick": {"III": 1.0},
                                       "scar_mix": {"boxcar": 1.0},
                                       "baseline": {"scale": "goodman_baron_quantitative", "mean": 14}},
           "protocol": {**base, **bad}}
    if bad != {"device": "none"}:  # an untreated control arm is valid in a trial
        with pytest.raises(InputError):
            spec_from_dict({"name": "t", "arms": [arm], "timepoints_weeks": [12]})
    key = next(iter(bad))
    if key in ("sessions", "interval_weeks", "device"):
        with pytest.raises(ValidationError):
            PlanRequest(**{key: bad[key]})
    args = {"device": "--device", "sessions": "--sessions", "interval_weeks": "--interval-weeks",
            "passes": "--passes"}
    res = run_cli("course", "--zone", "cheek", "--scar", "boxcar", "--needle-length-mm", "1.5", "--sessions", "3",
                  *(args[key], str(bad[key])))
    assert res.code == 2 and key.replace("_", "") in res.err.replace("_", "").replace("-", "")


def test_patient_course_scores_all_groups_together_and_matches_the_planner_at_baseline():
    from microneedling.course import run_patient_course
    from microneedling.outcomes.expected_score import expected_scar_groups
    from microneedling.patient import Patient
    from microneedling.planner.prediction import goodman_baron as planner_score

    patient = Patient.model_validate({
        "id": "P1", "age_years": 35, "sex": "F", "fitzpatrick": "IV",
        "zones": [{"zone": "cheek", "scars": [{"type": "boxcar", "count": 14, "depth_mm": 0.6, "width_mm": 2.5},
                                              {"type": "rolling", "count": 6, "depth_mm": 0.4, "width_mm": 5.0}]},
                  {"zone": "forehead", "scars": [{"type": "icepick", "count": 4, "depth_mm": 0.8,
                                                  "width_mm": 1.0}]}]})
    pc = run_patient_course(patient, PROTOCOL, weeks=24)
    assert [(z, g.type.value) for z, g, _ in pc.groups] == [("cheek", "boxcar"), ("cheek", "rolling"),
                                                             ("forehead", "icepick")]
    alone = run_course(CourseQuery(protocol=PROTOCOL.model_copy(update={"zone": "forehead"}), scar="icepick",
                                   weeks=24, age_years=35, scar_count=4, scar_depth_mm=0.8, scar_width_mm=1.0))
    assert pc.groups[2][2].scar_depth_mm == alone.scar_depth_mm
    for k in (0, 12, 24):
        depths = [r.scar_depth_mm[k] for _, _, r in pc.groups]
        expected = expected_scar_groups(["boxcar", "rolling", "icepick"], [14, 6, 4], depths)
        assert (pc.gb_quantitative[k], pc.gb_grade[k]) == pytest.approx(expected, rel=1e-12)
    base = planner_score(patient)
    assert (base["score"], base["grade"]) == pytest.approx((pc.gb_quantitative[0], pc.gb_grade[0]), rel=1e-12)
    assert pc.gb_quantitative[-1] < pc.gb_quantitative[0]


@pytest.mark.parametrize("needle_mm", [0.5, 1.5])
def test_fill_grid_from_two_evaluations_equals_one_per_fill(needle_mm):
    """The relative depth is r(0) exp(-fill B) in the fill; the grid built from fills 0 and 1 equals one course
    evaluation per fill (the trial and prediction tables read this grid)."""
    from microneedling.course import course_relative_depth_grid
    from microneedling.tissue.scars import scar_response_params

    protocol = Protocol(device="pen", needle_length_mm=needle_mm, sessions=3, interval_weeks=4.0)
    fills = [0.0, 0.05, 1.0, 3.7, 200.0]
    weeks = [0.0, 4.0, 12.0, 24.0]
    grid = np.asarray(course_relative_depth_grid(protocol, [30.0], weeks, fills))
    base = scar_response_params()
    each = np.stack([np.asarray(course_relative_depth(protocol, [30.0], weeks, response=base._replace(fill=f)))
                     for f in fills])
    np.testing.assert_allclose(grid, each, rtol=1e-11, atol=1e-300)
    assert grid.shape == (len(fills), 1, 3, len(weeks))
