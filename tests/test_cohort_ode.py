"""Cohort ODE path: ETDRK4 coefficients, agreement with the tight diffrax reference, refinement, batching.

Closed forms: the ETDRK4 weights of Cox & Matthews 2002 (J Comput Phys 176:430, eq. 26) and their z -> 0
limits (1/6 h each, Q -> h/2). The protocol (4 sessions 28 days apart, dose 1) is the reference session of
:func:`microneedling.healing.injury_dose` at the Harris 2015 median interval.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from microneedling import healing as H
from microneedling.cohort_ode import age_factors, etd_coefficients, simulate_cohort, time_grid

SESSIONS = np.arange(4) * 28.0
DOSES = np.ones(4)
T_EVAL = np.array([3.0, 20.0, 45.0, 90.0, 180.0, 365.0])
OUT = [H.C3, H.C1, H.E, H.A]


@pytest.fixture(scope="module")
def params():
    return H.default_healing_params(30.0)


@pytest.fixture(scope="module")
def reference(params):
    return np.asarray(H.simulate_reference(params, jnp.asarray(SESSIONS), jnp.asarray(DOSES), jnp.asarray(T_EVAL)))


def test_etd_coefficients_match_closed_forms():
    lam = jnp.asarray([-2.0, -1e-9])
    h = jnp.asarray([1.0])
    e1, e2, q, f1, f2, f3 = (np.asarray(c)[0] for c in etd_coefficients(lam, h))
    z = -2.0
    assert e1[0] == pytest.approx(np.exp(z)) and e2[0] == pytest.approx(np.exp(z / 2))
    assert q[0] == pytest.approx((np.exp(z / 2) - 1) / z, rel=1e-12)
    assert f1[0] == pytest.approx((-4 - z + np.exp(z) * (4 - 3 * z + z * z)) / z**3, rel=1e-10)
    assert f2[0] == pytest.approx((2 + z + np.exp(z) * (-2 + z)) / z**3, rel=1e-10)
    assert f3[0] == pytest.approx((-4 - 3 * z - z * z + np.exp(z) * (4 - z)) / z**3, rel=1e-10)
    np.testing.assert_allclose([f1[1], f2[1], f3[1], q[1]], [1 / 6, 1 / 6, 1 / 6, 0.5], rtol=1e-8)


def test_grid_hits_every_readout_and_session():
    h, dose_idx, out_idx, _ = time_grid(SESSIONS, T_EVAL)
    t = np.concatenate([[0.0], np.cumsum(h)])
    assert sorted(out_idx[out_idx >= 0].tolist()) == list(range(len(T_EVAL)))
    np.testing.assert_allclose(t[1:][out_idx >= 0], T_EVAL, atol=1e-9)
    np.testing.assert_allclose(t[:-1][dose_idx >= 0], SESSIONS, atol=1e-9)


def test_agrees_with_tight_reference(params, reference):
    y = np.asarray(simulate_cohort(params, jnp.asarray([params.age_factor]), SESSIONS, DOSES, T_EVAL))[:, 0, :]
    assert np.max(np.abs(y[:, OUT] - reference[:, OUT])) < 1e-2


def test_refining_the_grid_reduces_the_error(params, reference):
    af = jnp.asarray([params.age_factor])
    coarse = np.asarray(simulate_cohort(params, af, SESSIONS, DOSES, T_EVAL, steps_per_segment=32))[:, 0, :]
    fine = np.asarray(simulate_cohort(params, af, SESSIONS, DOSES, T_EVAL, steps_per_segment=128))[:, 0, :]
    e_coarse = np.max(np.abs(coarse[:, OUT] - reference[:, OUT]))
    e_fine = np.max(np.abs(fine[:, OUT] - reference[:, OUT]))
    assert e_fine < e_coarse / 2


def test_batch_equals_single_patients_and_age_lowers_collagen(params):
    ages = np.array([20.0, 45.0, 80.0])
    af = age_factors(ages)
    np.testing.assert_allclose(np.asarray(af), [H.age_factor(a) for a in ages], rtol=1e-12)
    batch = np.asarray(simulate_cohort(params, af, SESSIONS, DOSES, T_EVAL))
    for i in range(3):
        one = np.asarray(simulate_cohort(params, af[i:i + 1], SESSIONS, DOSES, T_EVAL))[:, 0, :]
        np.testing.assert_allclose(batch[:, i, :], one, rtol=1e-12, atol=1e-12)
    peak_c1 = batch[:, :, H.C1].max(axis=0)
    assert peak_c1[0] > peak_c1[1] > peak_c1[2] > 1.0


def test_chunked_threads_equal_one_batch(params):
    from microneedling.cohort_ode import simulate_cohort_chunked

    af = np.asarray(age_factors(np.array([20.0, 35.0, 50.0, 65.0, 80.0])))
    whole = np.asarray(simulate_cohort(params, jnp.asarray(af), SESSIONS, DOSES, T_EVAL))
    chunked = simulate_cohort_chunked(params, af, SESSIONS, DOSES, T_EVAL, chunk=2, workers=2, select=OUT)
    np.testing.assert_allclose(chunked, whole[..., OUT], rtol=1e-12, atol=1e-12)


def test_patients_sharded_over_devices_equal_one_device(params):
    """Patients are independent: 7 patients (odd, so the cohort is padded to a multiple of the device count)
    split over every host device give the one-device result to round-off, and the padding is dropped."""
    import jax

    if jax.device_count() < 2:
        pytest.skip("one host device: nothing to shard over")
    af = age_factors(np.linspace(18.0, 80.0, 7))
    one = np.asarray(simulate_cohort(params, af, SESSIONS, DOSES, T_EVAL, devices=1))
    sharded = simulate_cohort(params, af, SESSIONS, DOSES, T_EVAL)
    assert sharded.shape == (len(T_EVAL), 7, H.N_SPECIES)
    assert sharded.devices() == {jax.devices()[0]}
    np.testing.assert_allclose(np.asarray(sharded), one, rtol=0, atol=1e-14)
