"""Pen and stamp puncture density from device kinematics (devices.py), its wiring into session_injury, and the
unchanged defaults.

Sourced numbers: pen cartridge of 11 needles stroking at up to 90 Hz (Wilson2012Dermapen, devices.csv rows);
needle shaft radius 70 um (Kalluri2011, needle_mechanics.csv). Glide speeds, footprints and stamp areas in these
tests are arbitrary inputs (no published value exists), chosen only to exercise the formulas.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microneedling.errors import InputError
from microneedling.mechanics.devices import (
    CALIBRATED_ROLLER,
    KINEMATICS,
    ROLLER_EQUIVALENT,
    device,
    pen_punctures_per_mm2,
    stamp_punctures_per_mm2,
    stroke_pitch_mm,
)
from microneedling.mechanics.injury import session_details, session_injury
from microneedling.mechanics.punctures import count_distinct_holes, distinct_holes_per_cm2, sample_punctures
from microneedling.params import get_parameter, parameter_value
from microneedling.units import convert

positive = st.floats(1e-2, 1e3, allow_nan=False, allow_infinity=False)


def test_pen_density_against_a_hand_computation():
    """N = 11 needles, f = 90 Hz (Wilson2012Dermapen), v = 10 mm/s, w = 5 mm. By hand: 11 * 90 = 990 punctures
    per second spread over 10 mm/s * 5 mm = 50 mm2 per second, so 990 / 50 = 19.8 per mm2 = 1980 per cm2
    (1 cm2 = 100 mm2). Stroke pitch: 10 mm/s / 90 Hz = 1/9 mm."""
    n, f = parameter_value("device.pen.needle_count"), parameter_value("device.pen.stroke_frequency_Hz")
    assert (n, f) == (11, 90.0)
    assert math.isclose(pen_punctures_per_mm2(n, f, 10.0, 5.0), 19.8)
    assert math.isclose(convert(19.8, "per_mm2", "per_cm2"), 1980.0)
    assert math.isclose(stroke_pitch_mm(10.0, f), 1.0 / 9.0)
    pen = device("pen", 1.5, glide_speed_mm_per_s=10.0, footprint_width_mm=5.0)
    assert math.isclose(pen.holes_per_pass_per_cm2, 1980.0) and pen.density_basis == KINEMATICS
    assert math.isclose(pen.stroke_pitch_mm, 1.0 / 9.0)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 100), f=positive, v=positive, w=positive, k=st.floats(0.1, 10.0))
def test_pen_density_scaling(n, f, v, w, k):
    """Closed form N f / (v w): halving the speed doubles it; proportional to N and f, inverse in w and v."""
    d = pen_punctures_per_mm2(n, f, v, w)
    assert math.isclose(pen_punctures_per_mm2(n, f, v / 2, w), 2 * d, rel_tol=1e-12)
    assert math.isclose(pen_punctures_per_mm2(2 * n, f, v, w), 2 * d, rel_tol=1e-12)
    assert math.isclose(pen_punctures_per_mm2(n, k * f, v, w), k * d, rel_tol=1e-12)
    assert math.isclose(pen_punctures_per_mm2(n, f, v, k * w), d / k, rel_tol=1e-12)
    # density times the area swept per second is the puncture rate N f
    assert math.isclose(d * v * w, n * f, rel_tol=1e-12)


@pytest.fixture(scope="module")
def density_and_grad():
    """jit(vmap) of the density and of its gradient in (v, w), compiled once for the module."""
    fn = jax.jit(jax.vmap(pen_punctures_per_mm2, in_axes=(None, None, 0, 0)))
    grad = jax.jit(jax.vmap(jax.grad(pen_punctures_per_mm2, argnums=(2, 3)), in_axes=(None, None, 0, 0)))
    return fn, grad


def test_pen_density_is_jax_differentiable(density_and_grad):
    """d/dv [N f / (v w)] = -density / v and d/dw = -density / w (closed form), vectorised over pens."""
    fn, grad = density_and_grad
    v, w = jnp.array([2.0, 10.0, 40.0]), jnp.array([3.0, 5.0, 8.0])
    d = fn(11.0, 90.0, v, w)
    dv, dw = grad(11.0, 90.0, v, w)
    np.testing.assert_allclose(d, 11 * 90 / (v * w), rtol=1e-14)
    np.testing.assert_allclose(dv, -d / v, rtol=1e-14)
    np.testing.assert_allclose(dw, -d / w, rtol=1e-14)


def _stroke_simulation(seed, n, f, v, w, length, travel_mm):
    """Needle positions (mm) of a pen pass laid stroke by stroke: stroke k at x = k v / f, each stroke N needles
    uniformly over its w x L footprint. Independent of the closed form."""
    rng = np.random.default_rng(seed)
    x0 = np.arange(0.0, travel_mm, v / f)
    xs = x0[:, None] + rng.uniform(0.0, length, (len(x0), n))
    ys = rng.uniform(0.0, w, (len(x0), n))
    return np.column_stack([xs.ravel(), ys.ravel()])


@pytest.mark.parametrize("v, length", [(10.0, 4.0), (400.0, 2.0)])
def test_simulated_strokes_reproduce_the_kinematic_density(v, length):
    """Strokes laid one by one (overlapping at 10 mm/s: pitch 0.11 mm < 4 mm; apart at 400 mm/s: pitch 4.4 mm
    > 2 mm) leave N f / (v w) punctures per mm2 on the swept strip, counted away from the ends. Tolerance: 4
    Poisson standard deviations of the count."""
    n, f, w = 11, 90.0, 5.0
    pts = _stroke_simulation(0, n, f, v, w, length, travel_mm=400.0)
    window = (length, 400.0 - length - (400.0 - length) % (v / f))  # whole strokes, away from the ends
    inside = np.count_nonzero((pts[:, 0] >= window[0]) & (pts[:, 0] < window[1]))
    expected = pen_punctures_per_mm2(n, f, v, w) * (window[1] - window[0]) * w
    assert abs(inside - expected) < 4 * math.sqrt(expected)


@pytest.fixture(scope="module")
def kinematic_pen():
    """A pen at 20 mm/s with a 4 mm wide cartridge: 11 * 90 / (20 * 4) = 12.375 /mm2 = 1237.5 /cm2 per pass."""
    return device("pen", 1.0, glide_speed_mm_per_s=20.0, footprint_width_mm=4.0)


def test_sampled_punctures_at_the_kinematic_density_reproduce_it(kinematic_pen):
    """punctures.sample_punctures at the pen's per-pass density: the mean count per cm2 over 8 patches of 5 mm is
    the density (4 standard errors), and the distinct holes after 3 passes follow distinct_holes_per_cm2 (the
    random sequential covering formula) within 4 standard errors."""
    per_pass, side, r_um = kinematic_pen.holes_per_pass_per_cm2, 5.0, 35.0
    area_cm2 = (side / 10) ** 2
    counts = [len(sample_punctures(s, per_pass, 1, side)) / area_cm2 for s in range(8)]
    assert abs(np.mean(counts) - per_pass) < 4 * math.sqrt(per_pass / area_cm2 / 8)
    holes = [count_distinct_holes(sample_punctures(s, per_pass, 3, side), r_um) / area_cm2 for s in range(8)]
    expected = float(distinct_holes_per_cm2(3 * per_pass, r_um))
    assert abs(np.mean(holes) - expected) < 4 * np.std(holes, ddof=1) / math.sqrt(8) + 1e-9


def test_stamp_density_is_needles_over_area():
    """N / A: 40 needles over 100 mm2 = 0.4 /mm2 = 40 /cm2 per stamping; doubling the area halves it."""
    assert math.isclose(stamp_punctures_per_mm2(40, 100.0), 0.4)
    stamp = device("stamp", 1.0, needle_count=40, stamp_area_mm2=100.0)
    assert math.isclose(stamp.holes_per_pass_per_cm2, 40.0) and stamp.density_basis == KINEMATICS
    assert math.isclose(device("stamp", 1.0, needle_count=40, stamp_area_mm2=200.0).holes_per_pass_per_cm2, 20.0)
    assert math.isclose(stamp.in_pass_spacing_um, 1e3 * math.sqrt(100.0 / 40))


def test_stroke_overlap_and_bed_of_nails_spacing():
    """Spacing of one pass's punctures: overlapping strokes (pitch < L) -> 1/sqrt(N f / (v w)); strokes apart
    (pitch > L) -> the cartridge's own spacing sqrt(w L / N); the two agree at pitch = L."""
    n, f, w, length = 11, 90.0, 4.0, 3.0
    slow = device("pen", 1.0, glide_speed_mm_per_s=45.0, footprint_width_mm=w, footprint_length_mm=length)
    assert slow.stroke_pitch_mm == 0.5 and slow.strokes_overlap
    assert math.isclose(slow.in_pass_spacing_um, 1e4 / math.sqrt(slow.holes_per_pass_per_cm2))
    fast = device("pen", 1.0, glide_speed_mm_per_s=450.0, footprint_width_mm=w, footprint_length_mm=length)
    assert fast.stroke_pitch_mm == 5.0 and fast.strokes_overlap is False
    assert math.isclose(fast.in_pass_spacing_um, 1e3 * math.sqrt(w * length / n))
    assert fast.in_pass_spacing_um < 1e4 / math.sqrt(fast.holes_per_pass_per_cm2)
    edge = device("pen", 1.0, glide_speed_mm_per_s=length * f, footprint_width_mm=w, footprint_length_mm=length)
    assert math.isclose(edge.in_pass_spacing_um, 1e4 / math.sqrt(edge.holes_per_pass_per_cm2))
    assert device("pen", 1.0, glide_speed_mm_per_s=45.0, footprint_width_mm=w).strokes_overlap is None


def test_defaults_are_unchanged_without_kinematics():
    """Without kinematics the pen and the stamp keep the roller-equivalent per-pass density of devices.csv
    (assumed rows: the roller's value) and the roller its hand-set pass; the pen keeps Wilson2012Dermapen's 11
    needles and 90 Hz."""
    for name, basis in (("roller", CALIBRATED_ROLLER), ("pen", ROLLER_EQUIVALENT), ("stamp", ROLLER_EQUIVALENT)):
        d = device(name, 1.5)
        row = get_parameter(f"device.{name}.holes_per_pass_per_cm2")
        assert d.holes_per_pass_per_cm2 == row.value and d.source == row.source and d.density_basis == basis
        assert d.stroke_pitch_mm is None and d.in_pass_spacing_um == 1e4 / row.value**0.5
    pen = device("pen", 1.5)
    assert (pen.needle_count, pen.stroke_frequency_Hz) == (11, 90.0)
    assert session_injury("cheek", "pen", 1.5) == session_injury("cheek", "pen", 1.5, **{})


def test_kinematics_flow_into_the_session():
    """A pen whose kinematics give exactly the roller-equivalent density (v w = N f / density) yields the same
    injury as the default; halving the speed doubles the punctures made (before overlap)."""
    per_pass_mm2 = parameter_value("device.pen.holes_per_pass_per_cm2") / 100.0
    w = 10.0
    v = 11 * 90.0 / (per_pass_mm2 * w)
    same = session_injury("cheek", "pen", 1.5, glide_speed_mm_per_s=v, footprint_width_mm=w)
    default = session_injury("cheek", "pen", 1.5)
    assert same.punctures_per_cm2 == pytest.approx(default.punctures_per_cm2, rel=1e-12)
    assert same.epidermal_area_fraction == pytest.approx(default.epidermal_area_fraction, rel=1e-12)
    a = session_details("cheek", "pen", 1.5, passes=2, glide_speed_mm_per_s=40.0, footprint_width_mm=w)
    b = session_details("cheek", "pen", 1.5, passes=2, glide_speed_mm_per_s=20.0, footprint_width_mm=w)
    assert b.field.punctures_per_cm2 == pytest.approx(2 * a.field.punctures_per_cm2, rel=1e-12)
    assert b.device.density_basis == KINEMATICS and b.injury.epidermal_area_fraction > a.injury.epidermal_area_fraction


@pytest.mark.parametrize("name, options, field", [
    ("roller", dict(glide_speed_mm_per_s=10.0), "glide_speed_mm_per_s"),
    ("roller", dict(needle_count=192), "needle_count"),
    ("stamp", dict(footprint_width_mm=5.0), "footprint_width_mm"),
    ("pen", dict(stamp_area_mm2=100.0), "stamp_area_mm2"),
    ("pen", dict(glide_speed_mm_per_s=10.0), "footprint_width_mm"),
    ("pen", dict(footprint_width_mm=5.0), "glide_speed_mm_per_s"),
    ("pen", dict(needle_count=12), "glide_speed_mm_per_s"),
    ("stamp", dict(needle_count=40), "stamp_area_mm2"),
    ("stamp", dict(stamp_area_mm2=100.0), "needle_count"),
    ("pen", dict(glide_speed_mm_per_s=0.0, footprint_width_mm=5.0), "glide_speed_mm_per_s"),
    ("pen", dict(glide_speed_mm_per_s=10.0, footprint_width_mm=31.0), "footprint_width_mm"),
    ("pen", dict(glide_speed_mm_per_s=10.0, footprint_width_mm=5.0, needle_count=101), "needle_count"),
    ("pen", dict(stroke_frequency_Hz=250.0), "stroke_frequency_Hz"),
    ("pen", dict(glide_speed_mm_per_s=10.0, footprint_width_mm=1.0, footprint_length_mm=0.1), "footprint_length_mm"),
    ("stamp", dict(needle_count=10000, stamp_area_mm2=100.0), "needle_count"),
    ("pen", dict(glide_speed_mm_s=10.0), "glide_speed_mm_s"),
])
def test_options_that_do_not_belong_or_are_incomplete_are_refused(name, options, field):
    """Refusals: options of another device; a pen speed without a width (or the reverse) and a stamp count
    without an area; ranges (speed > 0; footprint <= 30 mm, a few cm fits the smallest face zones; pen needle
    count and stroke frequency within their devices.csv bounds, 100 and 200 Hz); needles packed closer than
    their 140 um shaft (Kalluri2011: 11 needles on 1 x 0.1 mm, 10000 on 100 mm2); misspelt names."""
    with pytest.raises(InputError) as exc:
        session_injury("cheek", name, 1.0, **options)
    assert exc.value.field == field


@settings(max_examples=30, deadline=None)
@given(v=st.floats(-100.0, 2000.0, allow_nan=False))
def test_glide_speed_is_accepted_exactly_in_its_range(v):
    """glide_speed_mm_per_s: (0, 1000] mm/s (a refusal bound: 1 m/s crosses the face in a fraction of a second)."""
    ok = 0.0 < v <= 1000.0
    try:
        dev = device("pen", 1.0, glide_speed_mm_per_s=v, footprint_width_mm=5.0)
    except InputError as exc:
        assert not ok and exc.field == "glide_speed_mm_per_s"
    else:
        assert ok and dev.holes_per_pass_per_cm2 == pytest.approx(100 * 11 * 90 / (v * 5.0))


def test_a_stroke_frequency_alone_sets_the_insertion_speed_not_the_density():
    """Needle speed into the skin is 2 L f (down and back each stroke); at 45 Hz a 1 mm needle moves at 90 mm/s,
    half the 180 mm/s at the Dermapen's 90 Hz (Wilson2012Dermapen). The density basis stays the default."""
    slow = device("pen", 1.0, stroke_frequency_Hz=45.0)
    assert slow.insertion_speed_mm_per_s == pytest.approx(90.0)
    assert device("pen", 1.0).insertion_speed_mm_per_s == pytest.approx(180.0)
    assert slow.density_basis == ROLLER_EQUIVALENT
    assert slow.holes_per_pass_per_cm2 == parameter_value("device.pen.holes_per_pass_per_cm2")
