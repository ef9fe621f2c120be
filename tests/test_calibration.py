"""Hierarchical calibration on published trial arms: records, the NUTS model, the stored posterior.

Numbers: Dogra 2014 (J Cosmet Dermatol 13:180, abstract) 11.73 +/- 3.12 -> 6.5 +/- 2.71 after 5 monthly
sittings, n = 30; the roles (fit / held_out / record_only) and their reasons are in data/trials/*.yaml.
"""

from __future__ import annotations

import json
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


@pytest.mark.parametrize("name", ["mu", "response_sd", "qual_sd", "tau"])
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


def test_tiny_nuts_run_on_two_arms(records):
    """The NumPyro model samples (50 draws on 2 arms) and moves the fill away from its prior draws."""
    two = [r for r in records if r.id in ("AlChalabi2020", "Minh2019")]
    res = h.fit(two, warmup=50, samples=50, chains=1, n_virtual=40)
    assert res["arms"] == ["AlChalabi2020", "Minh2019"]
    assert np.isfinite(res["chi2"]) and len(res["draws"]["mu"]) == 50
    assert res["summary"]["mu"]["sd"] < h.prior_sd("mu")
