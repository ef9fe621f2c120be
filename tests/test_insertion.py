"""Needle insertion: real penetration below nominal length, calibration anchors, bed-of-nails effect."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microneedling.errors import InputError
from microneedling.mechanics.insertion import (
    Needle,
    bed_of_nails_factor,
    davis_force_N,
    dimple_depth_um,
    insert,
    penetration_depth_um,
    puncture_force_N,
    sharp_tip_area_limit_um2,
    speed_force_N,
    standard_needle,
    tip_area_factor,
    tip_area_for_force_um2,
)


@settings(max_examples=40, deadline=None)
@given(a=st.floats(0.05, 3.0), b=st.floats(0.05, 3.0))
def test_penetration_is_below_nominal_and_grows_with_it(a, b):
    short, long = sorted((a, b))
    ds, dl = insert(standard_needle(short)).penetration_depth_mm, insert(standard_needle(long)).penetration_depth_mm
    assert ds < short and dl < long
    assert ds <= dl


def test_human_in_vivo_anchor():
    """Donnelly2010 (OCT, human skin in vivo): a 600 um needle extended about 460 um into the skin. The dimple is
    calibrated on it (needle_mechanics.csv), so the model returns 460 um and a 77% penetration fraction."""
    ins = insert(standard_needle(0.6))
    assert 1e3 * ins.penetration_depth_mm == pytest.approx(460.0, rel=1e-9)
    assert ins.penetration_fraction == pytest.approx(460 / 600)


def test_channel_surface_width_anchor():
    """Kalluri2011: channels of 152.5 um depth had a 70.7 um surface diameter; the needle taper is calibrated on
    it, so the needle radius 152.5 um from its tip is 35.35 um (to the 4-digit slope stored)."""
    needle = standard_needle(0.77)
    assert 2 * float(needle.radius_at_um(152.5)) == pytest.approx(70.7, rel=1e-3)
    assert float(needle.radius_at_um(1e4)) == needle.base_radius_um == 70.0  # base width 140 um (Kalluri2011)


def test_bed_of_nails_effect_only_below_150_um():
    """Olatunji2013 (0.5 mm/s): force per needle 0.028 N at wide spacing, 0.029 N at 50 um tip interspacing;
    interspacing matters only below about 150 um."""
    assert float(bed_of_nails_factor(150.0)) == 1.0 == float(bed_of_nails_factor(900.0))
    assert float(puncture_force_N(50.0, 0.5)) == pytest.approx(0.029)
    assert float(puncture_force_N(jnp.inf, 0.5)) == pytest.approx(0.028)
    spacings = np.linspace(0, 400, 41)
    f = np.asarray(bed_of_nails_factor(spacings))
    assert np.all(np.diff(f) <= 0)
    # closer needles dimple the skin more and go less deep
    assert insert(standard_needle(1.0), 20.0).penetration_depth_mm < insert(standard_needle(1.0)).penetration_depth_mm


def test_faster_insertion_needs_less_force_within_the_measured_speeds_only():
    """Olatunji2013: 0.028 N at 0.5 mm/s and 0.0214 N at 1.0 mm/s (wide spacing); linear between, held outside."""
    assert float(speed_force_N(0.5)) == pytest.approx(0.028)
    assert float(speed_force_N(1.0)) == pytest.approx(0.0214)
    assert float(speed_force_N(0.75)) == pytest.approx(0.5 * (0.028 + 0.0214))
    assert float(speed_force_N(0.1)) == pytest.approx(0.028) and float(speed_force_N(50.0)) == pytest.approx(0.0214)
    slow, fast = insert(standard_needle(1.0), speed_mm_per_s=0.5), insert(standard_needle(1.0), speed_mm_per_s=5.0)
    assert slow.dimple_depth_um > fast.dimple_depth_um and slow.penetration_depth_mm < fast.penetration_depth_mm


def test_elastic_foundation_dimple_is_linear_in_force():
    """delta = F / k: doubling the force doubles the dimple (closed form of the foundation model)."""
    assert float(dimple_depth_um(0.056)) == pytest.approx(2 * float(dimple_depth_um(0.028)))


def test_too_short_needles_do_not_pierce():
    ins = insert(standard_needle(0.1))
    assert not ins.pierced and ins.penetration_depth_mm == 0.0 and ins.channel_radius_um == 0.0


def test_penetration_core_is_jittable_and_vectorises():
    lengths = jnp.linspace(0.1, 3.0, 30)
    dimple = float(dimple_depth_um(puncture_force_N()))
    vec = jax.jit(jax.vmap(lambda length: penetration_depth_um(length, dimple)))(lengths)
    loop = jnp.array([penetration_depth_um(x, dimple) for x in lengths])
    assert jnp.allclose(vec, loop)


def test_penetration_has_unit_slope_in_length_once_pierced():
    """Closed form: depth = 1000 L - dimple, so d(depth_um)/d(L_mm) = 1000 (grad through the JAX core)."""
    dimple = float(dimple_depth_um(puncture_force_N()))
    g = jax.grad(lambda length: penetration_depth_um(length, dimple))(jnp.asarray(1.5))
    assert float(g) == pytest.approx(1000.0)
    assert float(jax.grad(lambda length: penetration_depth_um(length, dimple))(jnp.asarray(0.05))) == 0.0


def test_pen_needles_move_far_faster_than_the_measured_speeds():
    """Wilson2012Dermapen: strokes up to 90 Hz; a 1.5 mm stroke down and back is 2 * 1.5 * 90 = 270 mm/s, far
    above Olatunji2013's 1.0 mm/s, so the pen uses the fast-speed force (held, not extrapolated)."""
    from microneedling.mechanics.devices import device

    pen = device("pen", 1.5)
    assert pen.insertion_speed_mm_per_s == pytest.approx(270.0)
    assert float(speed_force_N(pen.insertion_speed_mm_per_s)) == pytest.approx(0.0214)
    assert device("roller", 1.5).insertion_speed_mm_per_s == float("inf")


# --- tip area (Davis2004) -------------------------------------------------------------------------------------
# Davis2004's fit, as transcribed (needle_mechanics.csv): F = 0.00019 N/um2 * A - 0.66 N over measured forces
# of about 0.1-3 N (abstract) and tip radii 30-80 um; Olatunji2013: sharp needles 0.028 N at 0.5 mm/s.
DAVIS_SLOPE_N_PER_UM2, DAVIS_OFFSET_N = 0.00019, -0.66
DAVIS_LOW_N, DAVIS_HIGH_N = 0.1, 3.0


def test_davis_line_values_and_slope():
    """Davis2004 fit (transcribed): F(A) = 0.00019 A - 0.66 N; at A = 10,000 um2 that is 1.24 N. At Olatunji2013's
    0.5 mm/s with wide spacing the model's force equals the line there, and grad gives the slope 0.00019 N/um2
    above the sharp limit and 0 below it (a 4 um tip, Kalluri2011)."""
    assert float(davis_force_N(1.0e4)) == pytest.approx(DAVIS_SLOPE_N_PER_UM2 * 1.0e4 + DAVIS_OFFSET_N)
    assert float(puncture_force_N(jnp.inf, 0.5, 1.0e4)) == pytest.approx(1.24)
    force = jax.grad(lambda a: puncture_force_N(jnp.inf, 0.5, a))
    assert float(force(jnp.asarray(1.0e4))) == pytest.approx(DAVIS_SLOPE_N_PER_UM2)
    assert float(force(jnp.asarray(np.pi * 4.0**2))) == 0.0


@settings(max_examples=40, deadline=None)
@given(u=st.floats(0.0, 1.0), w=st.floats(0.0, 1.0), speed=st.sampled_from([0.5, 0.75, 1.0, 100.0]))
def test_force_is_linear_in_tip_area_over_davis_measured_range(u, w, speed):
    """Davis2004 (abstract, VERIFIED): insertion force varies linearly with the tip's interfacial area over the
    geometries measured (forces of about 0.1-3 N). Over the areas spanning that force range the model is affine
    in area at any speed: the force at the midpoint of two areas is the mean of their forces."""
    lo, hi = tip_area_for_force_um2(DAVIS_LOW_N), tip_area_for_force_um2(DAVIS_HIGH_N)
    a1, a2 = lo + u * (hi - lo), lo + w * (hi - lo)
    f = [float(puncture_force_N(np.inf, speed, a)) for a in (a1, a2, 0.5 * (a1 + a2))]
    assert f[2] == pytest.approx(0.5 * (f[0] + f[1]), rel=1e-12, abs=1e-15)


def test_davis_measured_forces_fall_on_the_stated_tip_radii():
    """Two statements checked against each other: the fit (transcribed; tip radii 30-80 um) and the abstract's
    measured range of about 0.1-3 N. The tip radii at which the fitted line gives 0.1 N and 3 N (disc areas)
    lie inside 30-80 um (35.7 um and 78.3 um), and the line at an 80 um tip is within 10% of 3 N (3.16 N)."""
    r_low = np.sqrt(tip_area_for_force_um2(DAVIS_LOW_N) / np.pi)
    r_high = np.sqrt(tip_area_for_force_um2(DAVIS_HIGH_N) / np.pi)
    assert 30.0 <= r_low < r_high <= 80.0
    assert float(davis_force_N(np.pi * 80.0**2)) == pytest.approx(DAVIS_HIGH_N, rel=0.10)


@settings(max_examples=40, deadline=None)
@given(radius=st.floats(0.0, 33.9))
def test_sharp_tips_keep_the_olatunji_force(radius):
    """Below the area where Davis2004's line meets Olatunji2013's sharp-needle 0.028 N ((0.028 + 0.66) / 0.00019
    = 3621 um2, a 33.95 um tip radius) the tip area does not change the force. The metal microneedle (4 um tip,
    Kalluri2011) is far below it, so its force is Olatunji's 0.0214 N at hand speed and the Donnelly2010 anchor
    (460 um) is untouched."""
    assert sharp_tip_area_limit_um2() == pytest.approx((0.028 - DAVIS_OFFSET_N) / DAVIS_SLOPE_N_PER_UM2)
    assert float(tip_area_factor(np.pi * radius**2)) == 1.0
    needle = standard_needle(1.5)
    assert insert(needle).puncture_force_N == pytest.approx(0.0214)


@settings(max_examples=40, deadline=None)
@given(spacing=st.floats(0.0, 1000.0), speed=st.floats(0.1, 300.0), area=st.floats(0.0, 2.5e4))
def test_speed_spacing_and_tip_factors_multiply(spacing, speed, area):
    """F = F_speed(v) * bed_of_nails(s) * tip(A): each factor acts alone (Olatunji2013 speed and spacing,
    Davis2004 tip area), so the force relative to the sharp, wide, slow case is the product of the three ratios."""
    ref = float(puncture_force_N(np.inf, 0.5, 0.0))
    got = float(puncture_force_N(spacing, speed, area)) / ref
    want = float(speed_force_N(speed)) / ref * float(bed_of_nails_factor(spacing)) * float(tip_area_factor(area))
    assert got == pytest.approx(want, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(r1=st.floats(0.5, 50.0), r2=st.floats(0.5, 50.0), length=st.floats(0.2, 3.0))
def test_blunter_tips_dimple_more_and_go_no_deeper(r1, r2, length):
    """Davis2004: skin dimples before it is pierced and a blunter tip needs more force; with the dimple linear
    in force, a blunter tip never goes deeper than a sharper one of the same length."""
    sharp, blunt = sorted((r1, r2))
    ins = [insert(Needle(length, 70.0, r, 0.2056)) for r in (sharp, blunt)]
    assert ins[0].puncture_force_N <= ins[1].puncture_force_N
    assert ins[0].dimple_depth_um <= ins[1].dimple_depth_um
    assert ins[0].penetration_depth_mm >= ins[1].penetration_depth_mm


def test_tip_area_core_is_jittable_and_vectorises():
    areas = jnp.linspace(0.0, 2.0e4, 25)
    vec = jax.jit(jax.vmap(lambda a: puncture_force_N(jnp.inf, 1.0, a)))(areas)
    loop = jnp.array([float(puncture_force_N(np.inf, 1.0, float(a))) for a in areas])
    assert jnp.allclose(vec, loop, rtol=1e-12)


@pytest.mark.parametrize("kwargs, field", [
    ({"tip_radius_um": -1.0}, "needle.tip_radius_um"),
    ({"tip_radius_um": 80.0}, "needle.tip_radius_um"),
    ({"length_mm": 0.0}, "needle.length_mm"),
    ({"base_radius_um": float("nan")}, "needle.base_radius_um"),
])
def test_nonsense_needles_are_refused(kwargs, field):
    geometry = {"length_mm": 1.0, "base_radius_um": 70.0, "tip_radius_um": 4.0, "taper_slope": 0.2056} | kwargs
    with pytest.raises(InputError) as err:
        Needle(**geometry)
    assert err.value.field == field
