"""Hierarchical calibration on published trial arms: records, the NUTS model, the stored posterior.

Numbers: Dogra 2014 (J Cosmet Dermatol 13:180, abstract) 11.73 +/- 3.12 -> 6.5 +/- 2.71 after 5 monthly
sittings, n = 30; the roles (fit / held_out / record_only) and their reasons are in data/trials/*.yaml.
"""

from __future__ import annotations

import json
import os
from importlib import resources

import numpy as np
import pytest

from microneedling.calibration import hierarchical as h
from microneedling.calibration.trial_response import load_trials
from microneedling.citations import bibliography
from microneedling.params import get_parameter
from microneedling.trials.response import FILL, FILL_TAU, FIT_FILE, RESPONSE_SD


@pytest.fixture(scope="module")
def records():
    return load_trials()


@pytest.fixture(scope="module")
def stored():
    return json.loads(resources.files("microneedling").joinpath(FIT_FILE).read_text())


def test_trial_records_are_sourced_and_roles_disjoint(records):
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids))
    assert all(r.source in bibliography() for r in records)
    fit = {r.id for r in records if r.role == "fit"}
    held = {r.id for r in records if r.role == "held_out"}
    assert fit and held and not fit & held
    dogra = next(r for r in records if r.id == "Dogra2014")
    assert dogra.arm.population.baseline.mean == 11.73 and dogra.arm.population.baseline.sd == 3.12
    assert dogra.outcomes[0].score_mean == 6.5 and dogra.outcomes[0].score_sd == 2.71
    chand = next(r for r in records if r.id == "Chandrashekar2014")
    assert chand.role == "record_only"  # radiofrequency microneedling is not pooled with mechanical needling


def test_stored_fit_used_every_fit_arm_and_the_emulator_is_current(records, stored):
    assert set(stored["arms"]) == {r.id for r in records if r.role == "fit"}, \
        "fit arms changed since the stored calibration: run microneedling calibrate"
    emu = h.load_emulator()
    for r in records:
        if r.role in ("fit", "held_out"):
            assert emu[r.id]["fingerprint"] == h.arm_fingerprint(r), r.id


def test_interpolated_emulator_reproduces_the_course_between_grid_values(records):
    """ln r is affine in the fill for the floor-lift law, so interpolation between grid values is exact."""
    from microneedling.trials import response

    rec = next(r for r in records if r.id == "AlChalabi2020")
    grid = np.asarray(h.load_emulator()[rec.id]["log_rel"])
    fill = float(np.sqrt(response.FILL_GRID[4] * response.FILL_GRID[5]))
    direct = np.asarray(response.log_relative_depth_grid(rec.arm.protocol, rec.arm.population.age_years.mean,
                                                         [o.week for o in rec.outcomes]))
    np.testing.assert_allclose(grid, direct, atol=1e-8)
    lo, hi = grid[4], grid[5]
    t = (fill - response.FILL_GRID[4]) / (response.FILL_GRID[5] - response.FILL_GRID[4])
    np.testing.assert_allclose(np.asarray(response.interpolate_relative_depth(grid, fill)),
                               np.exp((1 - t) * lo + t * hi), rtol=1e-12)


def test_diagnostics_are_recorded_and_acceptable(stored):
    d = stored["diagnostics"]
    assert stored["sampler"]["chains"] >= 2
    assert d["r_hat_max"] < 1.1 and d["ess_bulk_min"] > 50, d
    assert d["divergences"] <= 0.02 * stored["sampler"]["chains"] * stored["sampler"]["samples"]


@pytest.mark.parametrize("name", ["mu", "response_sd", "qual_sd", pytest.param("tau", marks=pytest.mark.xfail(
    strict=True, reason="measured: the between-trial SD is only weakly identified by the 9 fit arms, posterior SD "
                        "0.43 = 0.72 x the prior SD (its 95% interval 1.08-2.78 excludes 0); docs/outcome-model.md"))])
def test_every_free_parameter_is_identified(stored, name):
    """Posterior visibly narrower than the prior (SD less than half the prior SD)."""
    assert stored["summary"][name]["sd"] < 0.5 * stored["prior_sd"][name], (name, stored["summary"][name])


def test_parameter_rows_are_the_posterior_medians(stored):
    for name, key in [(FILL, "fill"), (FILL_TAU, "tau"), (RESPONSE_SD, "response_sd"),
                      ("scales.gb_qualitative.rater_sd_grade", "qual_sd")]:
        p = get_parameter(name)
        assert p.status == "calibrated" and p.value == pytest.approx(stored["summary"][key]["median"], rel=1e-5)
        assert set(p.fitted_to.split("; ")) == set(stored["fitted_to"])


def test_no_interval_is_inflated(stored):
    assert "birge_ratio" not in stored and "cov_log" not in json.dumps(stored)


def test_tabulated_likelihood_matches_the_direct_model_within_a_tenth_of_the_smallest_se(records):
    """The likelihood reads true scores from a table over (ln fill, ln response SD); at random points the
    cohort's mean, SD and responder rate from the table are within 0.1 SE of the direct model (AlChalabi 2020,
    the arm with the steepest score; 0.078 SE measured)."""
    data = h.prepare([r for r in records if r.id == "AlChalabi2020"])[0]
    se = min(o[3] for o in data.observations())
    rng = np.random.default_rng(7)
    for _ in range(5):
        fill, sd = np.exp(rng.uniform(np.log(0.5), np.log(150))), np.exp(rng.uniform(np.log(0.05), np.log(1.5)))
        direct = np.asarray(data.predicted(fill, sd, 0.3))
        table = np.asarray(h.arm_moments(h.interpolate_table(data.table, fill, sd), data.baseline_true,
                                         data.obs_baseline, 0.3, data.quant_rater_sd, data.scale))
        assert np.abs(direct - table).max() < 0.1 * se, (fill, sd, direct, table)


def test_tiny_nuts_run_on_two_arms(records, monkeypatch):
    """The NumPyro model samples (50 draws on 2 arms) and moves the fill away from its prior draws (coarse tables:
    the sampler is under test here, the table's accuracy above)."""
    monkeypatch.setattr(h, "TABLE_FILL", h.TABLE_FILL[::6])
    monkeypatch.setattr(h, "TABLE_SD", h.TABLE_SD[::5])
    two = [r for r in records if r.id in ("AlChalabi2020", "Minh2019")]
    flags = os.environ.get("XLA_FLAGS")
    res = h.fit(two, warmup=50, samples=50, chains=1, n_virtual=40)
    assert os.environ.get("XLA_FLAGS") == flags, "the fit must not change the device count of later processes"
    assert res["arms"] == ["AlChalabi2020", "Minh2019"]
    assert np.isfinite(res["chi2"]) and len(res["draws"]["mu"]) == 50
    assert res["summary"]["mu"]["sd"] < h.prior_sd("mu")


def test_cross_validation_summary_counts_coverage_and_errors_per_quantity():
    from microneedling.calibration.cross_validation import summarise

    def row(q, scale, obs, pred, lo, hi):
        return {"quantity": q, "scale": scale, "observed": obs, "predicted": pred, "predicted_ci95": [lo, hi],
                "inside": lo <= obs <= hi}

    folds = [{"trial": "A", "kind": "cross-validated", "fill_median": 1.0, "tau_median": 0.3, "r_hat_max": 1.0,
              "divergences": 0, "fit_seconds": 1.0,
              "rows": [row("change", "goodman_baron_quantitative", 4.0, 5.0, 3.0, 7.0),
                       row("change", "goodman_baron_quantitative", 2.0, 5.0, 3.0, 7.0)]},
             {"trial": "B", "kind": "out-of-sample",
              "rows": [row("change", "goodman_baron_qualitative", 1.0, 0.5, 0.2, 0.8),
                       row("responder_rate", "goodman_baron_qualitative", 0.7, 0.6, 0.4, 0.9)]}]
    s = summarise(folds)
    assert s["trials"] == 2 and s["outcomes"] == 4
    assert s["coverage95"] == pytest.approx(0.5)
    assert s["mae_quantitative"] == pytest.approx(2.0)
    assert s["mae_qualitative"] == pytest.approx(0.5)
    assert s["mae_responder_rate"] == pytest.approx(0.1)
    assert [t["inside95"] for t in s["per_trial"]] == [1, 1]
    assert "fill_median" not in s["per_trial"][1]


def test_stored_cross_validation_covers_every_arm_and_its_summary_follows_from_its_rows(records):
    """``calibrate --loto``: every fit arm predicted by a fit without it, every held-out arm by the full fit;
    coverage and errors are those of the stored rows (the record says what happened, pass or fail)."""
    from microneedling.calibration.cross_validation import stored, summarise

    cv = stored()
    assert cv is not None, "run microneedling calibrate --loto"
    kinds = {t["trial"]: t["kind"] for t in cv["per_trial"]}
    assert {k for k, v in kinds.items() if v == "cross-validated"} == {r.id for r in records if r.role == "fit"}
    assert {k for k, v in kinds.items() if v == "out-of-sample"} == {r.id for r in records if r.role == "held_out"}
    again = summarise(cv["per_trial"])
    for key in ("outcomes", "coverage95", "mae_quantitative", "mae_qualitative", "mae_responder_rate"):
        assert again[key] == pytest.approx(cv[key]), key
    for t in cv["per_trial"]:
        for r in t["rows"]:
            lo, hi = r["predicted_ci95"]
            assert r["inside"] == (lo <= r["observed"] <= hi) and lo <= hi
