"""One patient's prediction, its update from follow-up scores, and one score model for course, trial,
predict and the planner."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from microneedling.protocol import Protocol, Scale
from microneedling.trials import response
from microneedling.trials.predict import predict_patient, response_posterior

PEN = Protocol(device="pen", needle_length_mm=1.5, sessions=4, interval_weeks=6.0)
WEEKS = [6.0, 12.0, 18.0, 30.0]


@pytest.fixture(scope="module")
def prior():
    return predict_patient(30.0, {"boxcar": 0.5, "rolling": 0.5}, 16.0, "goodman_baron_quantitative", PEN, WEEKS,
                           n_draws=60)


def test_band_brackets_the_mean_and_the_patient_band_is_wider_than_the_population_mean(prior):
    for j in range(len(WEEKS)):
        assert prior["score_low"][j] <= prior["score_mean"][j] <= prior["score_high"][j]
        assert (prior["score_high"][j] - prior["score_low"][j]
                > prior["score_population_high"][j] - prior["score_population_low"][j])
    assert prior["baseline"] == 16.0 and prior["score_mean"][-1] < 16.0


def test_untreated_patient_keeps_the_baseline():
    none = predict_patient(30.0, {"boxcar": 1.0}, 15.0, "goodman_baron_quantitative", Protocol(device="none"),
                           [12.0, 52.0], n_draws=20)
    np.testing.assert_allclose(none["score_mean"], [15.0, 15.0], atol=1e-6)


def _simulated_follow_ups(z_true: float, weeks: list[float], fill: float, sd: float) -> list[tuple[float, float]]:
    """What a patient with response deviate ``z_true`` scores (true expected score, no rater noise)."""
    grid = response.log_relative_depth_grid(PEN, 30.0, weeks)
    counts = response.scar_counts(jnp.asarray([16.0]), jnp.asarray([[0.0, 0.5, 0.5]]),
                                  Scale.goodman_baron_quantitative)
    rel = response.interpolate_relative_depth(grid, fill)
    s = np.asarray(response.true_scores(rel, counts, jnp.asarray([z_true]), sd, Scale.goodman_baron_quantitative))[0]
    return [(w, float(v)) for w, v in zip(weeks, s, strict=True)]


def test_more_follow_ups_narrow_the_band_and_recover_the_true_response(prior):
    post = response.posterior()
    fill, sd, _ = post.point()
    z_true = 1.2
    obs = _simulated_follow_ups(z_true, [6.0, 12.0, 18.0], fill, sd)
    widths = [prior["score_high"][-1] - prior["score_low"][-1]]
    zs = []
    for k in (1, 3):
        upd = predict_patient(30.0, {"boxcar": 0.5, "rolling": 0.5}, 16.0, "goodman_baron_quantitative", PEN, WEEKS,
                              n_draws=60, follow_ups=obs[:k])
        widths.append(upd["score_high"][-1] - upd["score_low"][-1])
        zs.append(response_posterior(upd))
    assert widths[0] > widths[1] > widths[2]
    z_mean, z_sd = zs[-1]
    assert abs(z_mean - z_true) < 2.5 * z_sd + 0.3 and z_sd < 1.0


def test_course_trial_predict_and_planner_give_the_same_expected_change():
    """Same patient (12 boxcar scars, cheek, 30 y, F), same protocol, population fill, response multiplier 1."""
    from microneedling.course import CourseQuery, run_course
    from microneedling.outcomes import expected_score as es
    from microneedling.trials.response import Posterior, calibrated_scar_response

    fill = float(response.posterior().point()[0])
    week = 18.0
    # course: one scar group through the course pipeline at the calibrated fill, expected score
    c = run_course(CourseQuery(protocol=PEN, scar="boxcar", scar_count=12, weeks=week, age_years=30.0),
                   response=calibrated_scar_response(fill))
    course_change = c.gb_quantitative[0] - c.gb_quantitative[-1]
    # predict (and the planner, which calls it) with no parameter or response spread
    point = Posterior(mu=np.asarray([np.log(fill)]), tau=np.asarray([0.0]), response_sd=np.asarray([1e-9]),
                      qual_sd=np.asarray([0.3]))
    p = predict_patient(30.0, None, None, "goodman_baron_quantitative", PEN, [week], n_draws=4,
                        counts={"boxcar": 12}, post=point)
    predict_change = p["baseline"] - p["score_population_mean"][0]
    # trial: the same patient's expected score through the trial layer's functions
    grid = response.log_relative_depth_grid(PEN, 30.0, [week])
    counts = jnp.asarray([[0.0, 12.0, 0.0]])
    t = response.true_scores(response.interpolate_relative_depth(grid, fill), counts, jnp.zeros(1), 1e-9,
                             Scale.goodman_baron_quantitative)
    trial_change = float(es.expected_quantitative(counts[0], es.typical_depths_mm(), es.depth_log_sd())) - float(t[0, 0])
    assert c.gb_quantitative[0] == pytest.approx(p["baseline"], rel=1e-9)
    assert predict_change == pytest.approx(course_change, rel=0.02, abs=0.02)
    assert trial_change == pytest.approx(course_change, rel=0.02, abs=0.02)


def test_cli_predict_json_both_intervals_and_follow_ups(run_cli):
    import json

    args = ["predict", "--device", "pen", "--needle-length-mm", "1.5", "--sessions", "4", "--interval-weeks", "6",
            "--scars", "boxcar=8", "--scars", "rolling=5", "--weeks", "12", "--json"]
    res = run_cli(*args)
    assert res.code == 0, res.err
    out = json.loads(res.out)
    assert out["weeks"] == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
    assert out["scar_counts"] == {"icepick": 0.0, "boxcar": 8.0, "rolling": 5.0}
    for key in ("score_mean", "score_low", "score_high", "score_population_low", "score_population_high"):
        assert len(out[key]) == len(out["weeks"])
    upd = json.loads(run_cli(*args, "--follow-up", f"8={out['score_mean'][4]:.1f}").out)
    assert upd["score_high"][-1] - upd["score_low"][-1] < out["score_high"][-1] - out["score_low"][-1]


@pytest.mark.parametrize("extra,field", [([], "baseline"), (["--scars", "boxcar"], "scars"),
                                         (["--baseline", "20", "--scale", "goodman_baron_qualitative"], "")])
def test_cli_predict_bad_input_one_line_exit_2(run_cli, extra, field):
    res = run_cli("predict", "--device", "roller", "--needle-length-mm", "1.5", "--sessions", "3",
                  "--interval-weeks", "4", *extra)
    assert res.code == 2 and len(res.err.strip().splitlines()) == 1
    assert field in res.err
