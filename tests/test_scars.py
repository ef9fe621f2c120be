"""Scar response: closed forms of the depth law and the maturation lag; geometry from Fabbrocini 2010 Table 1.

Typical shapes are read from scars.csv (Fabbrocini 2010 Table 1: icepick < 2 mm wide, boxcar 1.5-4 mm wide and
0.1-0.5 mm deep when shallow, rolling > 4-5 mm wide).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from microneedling.tissue import scars


def test_typical_shapes_follow_table_1():
    ice, box, roll = (scars.typical_scar(t) for t in ("icepick", "boxcar", "rolling"))
    assert ice.width_mm < 2.0
    assert 1.5 <= box.width_mm <= 4.0 and 0.1 <= box.depth_mm <= 0.5
    assert roll.width_mm >= 4.0
    assert ice.tethering < box.tethering < roll.tethering


def test_maturation_lag_matches_closed_form():
    """Constant input x from t=0: K(t) = x (1 - exp(-t/tau)); linear input x = t: K = t - tau (1 - exp(-t/tau))."""
    t = jnp.linspace(0.0, 300.0, 61)
    tau = 90.0
    np.testing.assert_allclose(scars.matured(t, jnp.ones_like(t), tau), 1.0 - jnp.exp(-t / tau), rtol=1e-10,
                               atol=1e-12)
    k = scars.matured(t, t, tau)
    np.testing.assert_allclose(k, t - tau * (1.0 - jnp.exp(-t / tau)), rtol=1e-10, atol=1e-10)


def test_depth_law_closed_form():
    """Lift only: depth = depth0 exp(-fill access dC layer / depth0); release only: depth0 (1 - tethering)."""
    r = scars.scar_response_params()
    t = jnp.array([0.0, 1e6])  # the lag has long converged at the second point
    dc = jnp.array([0.4, 0.4])
    aligned = jnp.full(2, r.scar_alignment)
    d = scars.scar_depth(t, 0.3, 2.0, 0.2, dc, aligned, 1.0, r.fill, r.access_width_mm, r.scar_alignment, 0.3,
                         r.maturation_time_d)
    access = 4.0 / (4.0 + r.access_width_mm**2)
    assert float(d[0]) == 0.3
    assert math.isclose(float(d[1]), 0.3 * math.exp(-r.fill * access * 0.4 * 1.0 / 0.3), rel_tol=1e-9)
    d = scars.scar_depth(t, 0.3, 2.0, 0.2, jnp.zeros(2), jnp.array([r.scar_alignment, 0.3]), 1.0, r.fill,
                         r.access_width_mm, r.scar_alignment, 0.3, r.maturation_time_d)
    assert math.isclose(float(d[1]), 0.3 * (1 - 0.2), rel_tol=1e-12)


@settings(max_examples=40, deadline=None)
@given(depth=st.floats(0.05, 2.0), width=st.floats(0.3, 10.0), teth=st.floats(0.0, 1.0), dc=st.floats(0.0, 3.0),
       layer=st.floats(0.0, 2.0), a=st.floats(0.0, 1.0))
def test_depth_stays_between_zero_and_start(depth, width, teth, dc, layer, a):
    """A scar never deepens and never goes below the surface, whatever the collagen and alignment."""
    r = scars.scar_response_params()
    t = jnp.array([0.0, 50.0, 400.0])
    d = scars.scar_depth(t, depth, width, teth, jnp.full(3, dc), jnp.array([r.scar_alignment, a, a]), layer, r.fill,
                         r.access_width_mm, r.scar_alignment, 0.3, r.maturation_time_d)
    d = np.asarray(d)
    assert np.all(d >= 0.0) and np.all(d <= depth + 1e-12)


def test_vmap_over_scars():
    r = scars.scar_response_params()
    t = jnp.linspace(0.0, 200.0, 21)
    dc = 0.3 * jnp.ones(21)
    al = jnp.full(21, r.scar_alignment)
    f = jax.vmap(lambda d0, w: scars.scar_depth(t, d0, w, 0.1, dc, al, 1.0, r.fill, r.access_width_mm,
                                                 r.scar_alignment, 0.3, r.maturation_time_d))
    out = f(jnp.array([0.3, 1.0]), jnp.array([2.75, 1.0]))
    assert out.shape == (2, 21)
    # wider, shallower scars lose a larger share of their depth
    assert float(out[0, -1] / out[0, 0]) < float(out[1, -1] / out[1, 0])


def test_profile_geometry():
    shape = scars.typical_scar("boxcar")
    x = np.linspace(-3, 3, 601)
    z = scars.profile(shape, 0.3, x)
    assert math.isclose(z.min(), -0.3) and z.max() == 0.0
    assert np.all(z[np.abs(x) > shape.width_mm / 2] == 0.0)
