"""Calibration on published trials: records, gradients, the stored fit, and held-out prediction.

Numbers: Dogra 2014 (J Cosmet Dermatol 13:180, abstract) 11.73 +/- 3.12 -> 6.5 +/- 2.71 after 5 monthly
sittings, n = 30; the roles (fit / held_out / record_only) and their reasons are in data/trials/*.yaml.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from microneedling.calibration.trial_response import (
    _FitData,
    _objective,
    fit_records,
    load_trials,
    predict_held_out,
)
from microneedling.citations import bibliography
from microneedling.params import get_parameter
from microneedling.trials.run import FIT_FILE, THETA_NAMES, posterior


@pytest.fixture(scope="module")
def records():
    return load_trials()


def test_trial_records_are_sourced_and_roles_disjoint(records):
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids))
    assert all(r.source in bibliography() for r in records)
    fit = {r.id for r in records if r.role == "fit"}
    held = {r.id for r in records if r.role == "held_out"}
    assert fit and held and not fit & held
    assert {"Dogra2014", "Majid2009", "Fabbrocini2009", "Chandrashekar2014", "ElDomyati2015"} <= set(ids)
    dogra = next(r for r in records if r.id == "Dogra2014")
    assert dogra.arm.population.baseline.mean == 11.73 and dogra.arm.population.baseline.sd == 3.12
    assert dogra.outcomes[0].score_mean == 6.5 and dogra.outcomes[0].score_sd == 2.71
    chand = next(r for r in records if r.id == "Chandrashekar2014")
    assert chand.role == "record_only"  # radiofrequency microneedling is not pooled with mechanical needling


@pytest.fixture(scope="module")
def fit_data(records):
    key = jax.random.PRNGKey(0)
    return [_FitData(r, jax.random.fold_in(key, i)) for i, r in enumerate(fit_records(records))]


def test_objective_gradient_matches_finite_differences(fit_data):
    obj = jax.jit(lambda x: _objective(x, fit_data))
    x = jnp.log(jnp.asarray([8.0, 0.6, 0.3]))
    g = np.asarray(jax.grad(obj)(x))
    eps = 1e-5
    fd = [(float(obj(x.at[i].add(eps))) - float(obj(x.at[i].add(-eps)))) / (2 * eps) for i in range(3)]
    np.testing.assert_allclose(g, fd, rtol=1e-4, atol=1e-6)


def test_stored_fit_is_a_minimum_and_matches_the_parameter_table(fit_data):
    import json
    from importlib import resources

    fit = json.loads(resources.files("microneedling").joinpath(FIT_FILE).read_text())
    x = jnp.asarray(fit["posterior"]["mean_log"])
    grad_norm = float(jnp.linalg.norm(jax.jit(jax.grad(lambda x: _objective(x, fit_data)))(x)))
    assert grad_norm < 1e-2, "stored calibration is stale for the current course model: run microneedling calibrate"
    cov = np.asarray(fit["posterior"]["cov_log"])
    assert np.all(np.linalg.eigvalsh(cov) > 0)
    for name, v in zip(THETA_NAMES, np.exp(np.asarray(x)), strict=True):
        p = get_parameter(name)
        assert p.status == "calibrated" and p.value == pytest.approx(v, rel=1e-5)
        assert set(p.fitted_to.split("; ")) == set(fit["fitted_to"])


def test_held_out_published_means_fall_in_the_predicted_ci(records):
    rows = predict_held_out(records, posterior(), draws=200)
    assert {r["trial"] for r in rows} == {r.id for r in records if r.role == "held_out"}
    for r in rows:
        lo, hi = r["predicted_change_ci95"]
        assert lo <= r["observed_change"] <= hi, r
