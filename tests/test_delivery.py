"""Coupled uptake model and its numerics: finite differences against Crank's closed form (convergence order),
Renkin hindrance and Stokes radius against their formulas, and the model's behaviour claimed in issue 6:
enhancement larger for hydrophilic and large molecules, falling as channels close, prolonged by occlusion."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microneedling.delivery import uptake as delivery
from microneedling.delivery.membrane import (
    crank_cumulative,
    crank_flux,
    lag_time,
    solve_column,
    solve_column_to_compartment,
)
from microneedling.delivery.pores import (
    hindered_diffusivity_cm2_per_h,
    renkin_hindrance,
    stokes_einstein_cm2_per_h,
    stokes_radius_nm,
)
from microneedling.delivery.topicals import molecule, topical, topical_keys
from microneedling.validation.delivery import crank_convergence

# Kalluri 2011 channel (depth 152.5 um, surface diameter 70.7 um); density 250 per cm^2 is a test value only.
CHANNELS = delivery.ChannelField(depth_um=152.5, punctures_per_cm2=250.0, radius_um=35.35)


@pytest.fixture(scope="module")
def runs():
    """One simulation per case, shared by the tests of this module (one JIT compilation)."""
    cases = {
        "small_lipophilic": molecule(150.0, 3.0),
        "small_hydrophilic": molecule(150.0, -1.0),
        "large_neutral": molecule(500.0, 1.0),
        "small_neutral": molecule(150.0, 1.0),
    }
    out = {k: delivery.simulate(m, CHANNELS, 24.0) for k, m in cases.items()}
    out["occluded"] = delivery.simulate(cases["small_hydrophilic"], CHANNELS, 24.0, occluded=True)
    out["no_channels"] = delivery.simulate(cases["small_hydrophilic"], delivery.ChannelField(152.5, 0.0, 35.35), 24.0)
    return out


# --- numerics ---------------------------------------------------------------------------------------------------


def test_solver_converges_to_crank_at_second_order():
    """Cumulative amount at t = 1 (D = L = c = 1, six lag times) on 16..128 cells, Crank-Nicolson dt = dx/4:
    observed order 2 +/- 0.3 and finest error below 1e-4 of the exact amount."""
    cells, errors = crank_convergence()
    orders = [math.log2(errors[i] / errors[i + 1]) for i in range(len(errors) - 1)]
    assert all(abs(o - 2.0) < 0.3 for o in orders), orders
    assert errors[-1] < 1e-4 * float(crank_cumulative(1.0, 1.0, 1.0, 1.0))


def test_crank_series_late_time_asymptote_and_early_late_agreement():
    """Q -> (D c / L)(t - L^2/6D) and J -> D c / L; the image (early) and Fourier (late) series agree at the switch."""
    d, length, c = 2.0, 0.5, 3.0
    t = 50 * lag_time(d, length)
    assert math.isclose(float(crank_cumulative(t, d, length, c)), d * c / length * (t - lag_time(d, length)),
                        rel_tol=1e-12)
    assert math.isclose(float(crank_flux(t, d, length, c)), d * c / length, rel_tol=1e-12)
    t_switch = 0.1 * length**2 / d
    for f in (crank_cumulative, crank_flux):
        assert math.isclose(float(f(t_switch * (1 - 1e-9), d, length, c)), float(f(t_switch * (1 + 1e-9), d, length, c)),
                            rel_tol=1e-6)


def test_time_varying_area_scales_the_flux():
    """Linearity: halving the open area at every time halves the flux and the cumulative amount."""
    times = np.linspace(0.0, 2.0, 81)
    ones = np.ones_like(times)
    f1, q1 = solve_column(times, ones, ones, 1.0, 1.0, 16, 1.0)
    f2, q2 = solve_column(times, ones, 0.5 * ones, 1.0, 1.0, 16, 1.0)
    assert np.allclose(np.asarray(f2), 0.5 * np.asarray(f1), rtol=1e-12, atol=0)
    assert np.allclose(np.asarray(q2), 0.5 * np.asarray(q1), rtol=1e-12, atol=0)


# --- hindered diffusion ------------------------------------------------------------------------------------------


def test_renkin_end_points_and_formula():
    """Renkin 1954: H(0) = 1, H(1) = 0, H(0.5) = 0.25 (1 - 1.052 + 0.26125 - 0.0296875)."""
    assert float(renkin_hindrance(0.0)) == 1.0
    assert float(renkin_hindrance(1.0)) == 0.0
    assert math.isclose(float(renkin_hindrance(0.5)), 0.25 * (1 - 1.052 + 0.26125 - 0.0296875), rel_tol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=0.0, max_value=0.99), st.floats(min_value=1e-3, max_value=0.01))
def test_renkin_decreases_with_size_ratio(lam, dlam):
    assert 0.0 <= float(renkin_hindrance(lam + dlam)) < float(renkin_hindrance(lam)) <= 1.0


def test_stokes_radius_is_ericksons_minimal_radius():
    """Erickson 2009: Rmin = 0.066 M^(1/3) nm for v = 0.73 cm^3/g (checked for 6.2 kDa EGF and 66 kDa)."""
    for m in (6222.0, 66000.0):
        assert math.isclose(float(stokes_radius_nm(m)), 0.066 * m ** (1 / 3), rel_tol=0.01)


def test_channel_diffusivity_is_free_diffusivity_in_wide_channels():
    """Stokes-Einstein D ~ 1/r; in a 35 um channel a nm-sized solute is unhindered (Renkin H -> 1)."""
    assert math.isclose(float(stokes_einstein_cm2_per_h(1.0)) / float(stokes_einstein_cm2_per_h(2.0)), 2.0)
    assert math.isclose(float(hindered_diffusivity_cm2_per_h(1.0, 35350.0)), float(stokes_einstein_cm2_per_h(1.0)),
                        rel_tol=1e-3)


# --- coupled model -----------------------------------------------------------------------------------------------


def test_channel_flux_matches_quasi_steady_closed_form(runs):
    """The channel equilibrates in seconds, so after the first steps its flux is phi(t) D C0 / L (phi = n pi a^2
    g(t)); the finite-difference flux must match that closed form to 1 %."""
    r = runs["small_hydrophilic"]
    m = molecule(150.0, -1.0)
    d = float(stokes_einstein_cm2_per_h(m.radius_nm))
    t = r.times_h
    phi = CHANNELS.area_fraction * r.open_fraction
    channel_flux = r.flux_needled_ug_per_cm2_h - (1 - phi) * r.flux_intact_ug_per_cm2_h
    expected = phi * d * 10.0 / (CHANNELS.depth_um * 1e-4) * 1000.0
    late = t > 0.5
    assert np.allclose(channel_flux[late], expected[late], rtol=0.01)


def test_enhancement_larger_for_hydrophilic_and_large_molecules(runs):
    e = {k: runs[k].enhancement for k in ("small_lipophilic", "small_hydrophilic", "large_neutral", "small_neutral")}
    assert e["small_hydrophilic"] > e["small_lipophilic"]
    assert e["large_neutral"] > e["small_neutral"]
    assert e["small_lipophilic"] > 1.0


def test_enhancement_falls_as_channels_close(runs):
    """After the intact route reaches steady state (3 lag times), needled/intact flux falls monotonically."""
    r = runs["small_hydrophilic"]
    ratio = r.flux_enhancement()
    after = r.times_h > 3 * r.intact_lag_time_h
    assert np.all(np.diff(ratio[after]) < 0)
    assert ratio[after][-1] < 0.5 * ratio[after][0]


def test_occlusion_prolongs_enhancement(runs):
    o, n = runs["occluded"], runs["small_hydrophilic"]
    assert o.channel_half_closure_hours > n.channel_half_closure_hours
    assert o.flux_needled_ug_per_cm2_h[-1] > n.flux_needled_ug_per_cm2_h[-1]
    assert o.enhancement > n.enhancement


def test_without_channels_needled_equals_intact(runs):
    r = runs["no_channels"]
    assert np.allclose(r.cumulative_needled_ug_per_cm2, r.cumulative_intact_ug_per_cm2, rtol=1e-6, atol=1e-12)


def test_named_topicals_and_unknown_name():
    """Every named topical loads with its sources; unknown names are refused with the list."""
    for k in topical_keys():
        m = topical(k)
        assert m.mw_da > 0 and m.radius_nm > 0 and m.sources
    with pytest.raises(ValueError, match="must be one of"):
        topical("vitamin-z")


def test_finite_dose_conserves_the_film_and_tends_to_infinite_dose(runs):
    """Finite dose: uptake never exceeds the applied amount C0 x volume and rises monotonically; as the film
    volume grows the result tends to the infinite-dose run (limit of dC/dt = -P C / thickness)."""
    m = molecule(150.0, -1.0)
    inf = runs["small_hydrophilic"]
    for vol_ul in (0.5, 5.0):
        r = delivery.simulate(m, CHANNELS, 24.0, dose_ul_per_cm2=vol_ul)
        dose_ug = 10.0 * vol_ul  # 10 mg/mL x uL/cm^2 = ug/cm^2
        assert np.all(np.diff(r.cumulative_needled_ug_per_cm2) >= 0)
        assert r.cumulative_uptake_ug_per_cm2 <= dose_ug * (1 + 1e-12)
        assert r.cumulative_uptake_ug_per_cm2 < inf.cumulative_uptake_ug_per_cm2
    big = delivery.simulate(m, CHANNELS, 24.0, dose_ul_per_cm2=1e6)
    assert np.allclose(big.cumulative_needled_ug_per_cm2, inf.cumulative_needled_ug_per_cm2, rtol=1e-3)


def test_compartment_limits():
    """Dermal compartment: fast clearance recovers the sink solution (to 1 %); no clearance fills the compartment
    to the donor concentration, so the uptake tends to capacity x c_top (mass conservation)."""
    t = np.linspace(0.0, 4.0, 401)
    one = np.ones_like(t)
    _, q_sink = solve_column(t, one, 0.05 * one, 1.0, 1.0, 16, 1.0)
    u_fast, _ = solve_column_to_compartment(t, one, 0.05 * one, 1.0, 1.0, 16, 1.0, 0.5, 1e4)
    assert math.isclose(float(u_fast[-1]), float(q_sink[-1]), rel_tol=0.01)
    t_long = np.linspace(0.0, 2000.0, 2001)
    u0, cd = solve_column_to_compartment(t_long, np.ones_like(t_long), 0.05 * np.ones_like(t_long), 1.0, 1.0, 16,
                                         1.0, 0.5, 0.0)
    assert math.isclose(float(u0[-1]), 0.5, rel_tol=1e-6) and math.isclose(float(cd[-1]), 1.0, rel_tol=1e-6)
    assert np.all(np.diff(np.asarray(u0)) >= -1e-15)


def test_slower_dermal_clearance_lowers_uptake(runs):
    """With the dermis as a compartment, uptake rises with the clearance rate and stays below the sink value."""
    m = molecule(150.0, -1.0)
    sink = runs["small_hydrophilic"].cumulative_uptake_ug_per_cm2
    ups = [delivery.simulate(m, CHANNELS, 24.0, dermal_clearance_per_h=k, dermis_um=1500.0).cumulative_uptake_ug_per_cm2
           for k in (0.0, 0.1, 1.0)]
    assert ups[0] < ups[1] < ups[2] < sink
