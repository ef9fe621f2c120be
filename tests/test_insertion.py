"""Needle insertion: real penetration below nominal length, calibration anchors, bed-of-nails effect."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microneedling.insertion import (
    bed_of_nails_factor,
    dimple_depth_um,
    insert,
    penetration_depth_um,
    puncture_force_N,
    speed_force_N,
    standard_needle,
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
    from microneedling.devices import device

    pen = device("pen", 1.5)
    assert pen.insertion_speed_mm_per_s == pytest.approx(270.0)
    assert float(speed_force_N(pen.insertion_speed_mm_per_s)) == pytest.approx(0.0214)
    assert device("roller", 1.5).insertion_speed_mm_per_s == float("inf")
