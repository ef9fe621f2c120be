"""Virtual trials: scales and rater noise, population sampling, and the trial contract.

Sources of the numbers: the rater SD is derived from Goodman & Baron 2006 (J Cosmet Dermatol 5:48, 4 observers
within 4 points in 19 of 21 patients); the scale bounds (0-84 points, grades 1-4) are that paper and its
qualitative companion (Dermatol Surg 32:1458); the responder definitions (>= 1 grade, >= 25% reduction)
and the output keys are the trial contract of microneedling.trials.run.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from microneedling.outcomes.raters import (
    QUANT_RATER_SD,
    expected_record,
    rater_sd_from_agreement,
    record,
)
from microneedling.params import get_parameter
from microneedling.protocol import Scale
from microneedling.trials.population import sample_cohort
from microneedling.trials.spec import spec_from_dict
from tests.test_trial_spec import EXAMPLE_SPEC

# --- scales ------------------------------------------------------------------------------------------


def test_quantitative_rater_sd_is_the_derivation_from_goodman_baron_agreement():
    """19/21 within 4 points among 4 observers -> the CSV value; the CSV bounds are the same derivation at
    the Clopper-Pearson limits of 19/21 (0.6962 and 0.9883)."""
    p = get_parameter(QUANT_RATER_SD)
    assert rater_sd_from_agreement(4.0, 19 / 21, 4) == pytest.approx(p.value, abs=1e-4)
    assert rater_sd_from_agreement(4.0, 0.98825, 4) == pytest.approx(p.low, abs=2e-3)
    assert rater_sd_from_agreement(4.0, 0.69623, 4) == pytest.approx(p.high, abs=2e-3)


def test_rater_sd_derivation_recovers_a_simulated_rater():
    """Closed loop: simulate 4 raters with SD 1.5, measure P(range <= 4), invert -> 1.5."""
    rng = np.random.default_rng(0)
    ratings = rng.normal(0.0, 1.5, size=(200_000, 4))
    frac = float(np.mean(np.ptp(ratings, axis=1) <= 4.0))
    assert rater_sd_from_agreement(4.0, frac, 4) == pytest.approx(1.5, rel=0.01)


@pytest.mark.parametrize("scale,sd", [(Scale.goodman_baron_qualitative, 0.4),
                                      (Scale.goodman_baron_quantitative, 1.2)])
def test_expected_record_matches_monte_carlo(scale, sd):
    lo, hi = scale.bounds
    true = jnp.linspace(lo, hi, 9) if scale is Scale.goodman_baron_qualitative else jnp.linspace(0.0, 30.0, 9)
    mc = record(jax.random.PRNGKey(1), jnp.broadcast_to(true, (40_000, 9)), scale, sd).mean(0)
    np.testing.assert_allclose(expected_record(true, scale, sd), mc, atol=0.015)


def test_record_stays_on_the_scale():
    key = jax.random.PRNGKey(3)
    rec = record(key, jnp.asarray([0.0, 84.0, 40.3]).repeat(1000), Scale.goodman_baron_quantitative, 5.0)
    assert float(rec.min()) >= 0.0 and float(rec.max()) <= 84.0
    assert np.all(np.asarray(rec) == np.round(np.asarray(rec)))


# --- population --------------------------------------------------------------------------------------


def _population(n=4000, **baseline):
    d = dict(EXAMPLE_SPEC)
    spec = spec_from_dict(d)
    pop = spec.arms[0].population.model_copy(update={"n": n})
    if baseline:
        pop = pop.model_copy(update={"baseline": pop.baseline.model_copy(update=baseline)})
    return pop


def test_cohort_reproduces_the_population():
    """Age mean/SD, Fitzpatrick fractions and the recorded baseline mean/SD of EXAMPLE_SPEC within sampling
    error of n = 4000 (4 SE)."""
    pop = _population()
    c = sample_cohort(pop, jax.random.PRNGKey(0), qualitative_rater_sd=0.5)
    n = c.n
    assert abs(float(c.age_years.mean()) - 30.0) < 4 * 7 / np.sqrt(n)
    assert float(c.age_years.std()) == pytest.approx(7.0, rel=0.05)
    counts = np.bincount(np.asarray(c.fitzpatrick_index), minlength=6) / n
    np.testing.assert_allclose(counts, [0, 0.2, 0.4, 0.3, 0.1, 0], atol=4 * np.sqrt(0.25 / n))
    rec0 = record(jax.random.PRNGKey(1), c.baseline_true, Scale.goodman_baron_quantitative, 1.2233)
    assert abs(float(rec0.mean()) - 14.0) < 4 * 5 / np.sqrt(n)
    assert float(rec0.std()) == pytest.approx(5.0, rel=0.06)
    np.testing.assert_allclose(np.asarray(c.scar_weights[0]), [0.3, 0.4, 0.3])


def test_same_key_same_cohort_different_key_different():
    pop = _population(n=50)
    a = sample_cohort(pop, jax.random.PRNGKey(5), 0.5)
    b = sample_cohort(pop, jax.random.PRNGKey(5), 0.5)
    c = sample_cohort(pop, jax.random.PRNGKey(6), 0.5)
    np.testing.assert_array_equal(a.age_years, b.age_years)
    np.testing.assert_array_equal(a.baseline_true, b.baseline_true)
    assert not np.array_equal(a.age_years, c.age_years)


# --- trials through the course model -----------------------------------------------------------------


def _spec(arms: list[tuple[str, dict]], n=60, scale="goodman_baron_quantitative", mean=14.0, sd=5.0, seed=1,
          weeks=(12, 52), draws=60):
    import copy

    d = copy.deepcopy(EXAMPLE_SPEC)
    pop = d["arms"][0]["population"]
    pop["n"] = n
    pop["baseline"] = {"scale": scale, "mean": mean, "sd": sd}
    d["arms"] = [{"name": name, "population": pop, "protocol": proto} for name, proto in arms]
    d["seed"], d["timepoints_weeks"], d["draws"] = seed, list(weeks), draws
    return spec_from_dict(d)


ROLLER = {"device": "roller", "needle_length_mm": 1.5, "interval_weeks": 4}


@pytest.fixture(scope="module")
def sessions_trial():
    from microneedling.trials.run import run_trial

    spec = _spec([("none", {"device": "none"})] + [(f"x{k}", {**ROLLER, "sessions": k}) for k in (1, 3, 6)],
                 weeks=(12, 52))
    return run_trial(spec)


def test_output_contract_keys(sessions_trial):
    """Trial output (microneedling.trials.run): name, arms -> n, scale, baseline_mean, timepoints with the listed keys."""
    r = sessions_trial
    assert set(r) >= {"name", "arms"}
    for arm in r["arms"].values():
        assert set(arm) >= {"n", "scale", "baseline_mean", "timepoints"}
        assert arm["n"] == 60 and arm["scale"] == "goodman_baron_quantitative"
        for tp in arm["timepoints"]:
            assert set(tp) == {"week", "score_mean", "score_ci95", "score_ci95_population", "change_mean",
                               "change_ci95", "change_ci95_population", "responder_rate", "responder_rate_ci95"}
            lo, hi = tp["responder_rate_ci95"]
            assert 0.0 <= lo <= tp["responder_rate"] <= hi <= 1.0


def test_ci_brackets_the_mean(sessions_trial):
    for arm in sessions_trial["arms"].values():
        for tp in arm["timepoints"]:
            lo, hi = tp["score_ci95"]
            assert lo <= tp["score_mean"] <= hi
            lo, hi = tp["change_ci95"]
            assert lo <= tp["change_mean"] <= hi
            # the prediction for a new trial holds the population-mean interval's parameter uncertainty and more
            plo, phi = tp["change_ci95_population"]
            assert hi - lo > phi - plo
            # change = baseline - score, on the arm's scale
            assert tp["change_mean"] == pytest.approx(arm["baseline_mean"] - tp["score_mean"], abs=1e-9)


def test_untreated_control_changes_little(sessions_trial):
    """No injury, no course: the change is rater noise only (Alam 2014's control side moved 1.0 and 0.4
    points, neither significant)."""
    for tp in sessions_trial["arms"]["none"]["timepoints"]:
        lo, hi = tp["change_ci95"]
        assert lo < 0.0 < hi
        assert abs(tp["change_mean"]) < 0.5
        assert tp["responder_rate"] < 0.1


def test_more_sessions_help_with_diminishing_returns(sessions_trial):
    arms = sessions_trial["arms"]
    change = {k: arms[f"x{k}"]["timepoints"][-1]["change_mean"] for k in (1, 3, 6)}
    assert 0.0 < change[1] < change[3] < change[6]
    # per added session: 1 -> 3 gains more per session than 3 -> 6
    assert (change[3] - change[1]) / 2 > (change[6] - change[3]) / 3


def test_same_seed_same_numbers_other_seed_differs():
    from microneedling.trials.run import run_trial

    arms = [("x3", {**ROLLER, "sessions": 3})]
    a = run_trial(_spec(arms, seed=4, weeks=(12, 52)))
    b = run_trial(_spec(arms, seed=4, weeks=(12, 52)))
    c = run_trial(_spec(arms, seed=5, weeks=(12, 52)))
    assert a == b
    assert a["arms"]["x3"]["timepoints"] != c["arms"]["x3"]["timepoints"]


def test_qualitative_arm_stays_on_grades():
    from microneedling.trials.run import run_trial

    r = run_trial(_spec([("x3", {**ROLLER, "sessions": 3})], scale="goodman_baron_qualitative", mean=3.2,
                        sd=0.6, weeks=(12, 52)))
    for tp in r["arms"]["x3"]["timepoints"]:
        assert 1.0 <= tp["score_ci95"][0] <= tp["score_mean"] <= tp["score_ci95"][1] <= 4.0


def test_cli_trial_json_and_out(run_cli, tmp_path):
    import json

    spec = tmp_path / "t.yaml"
    import yaml

    d = _spec([("needling", {**ROLLER, "sessions": 3})], seed=1, weeks=(12, 52)).model_dump(mode="json")
    d["name"] = "example-trial"

    spec.write_text(yaml.safe_dump(d))
    r = run_cli("trial", str(spec), "--json", "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    obj = json.loads(r.out)
    assert obj["name"] == "example-trial" and "needling" in obj["arms"]
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"results.json", "results.csv", "report.html"}
    assert json.loads((tmp_path / "out" / "results.json").read_text())["arms"] == obj["arms"]
