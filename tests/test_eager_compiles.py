"""Functions called eagerly once per sweep point compile once, not once per call.

An un-jitted ``lax.scan`` traces its (new) closure on every call and compiles a new XLA program, which JAX
keeps; a sweep worker calling :func:`microneedling.tissue.scars.matured` and
:func:`microneedling.healing.model.macrophage_baseline` for every point so grew with the number of points.
Each second call with new values of the same shapes must compile nothing, nor load a kernel from the persistent
compilation cache (the test run shares one between its processes, so a kernel built again would be a cache hit,
not a compilation).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import monitoring

from microneedling.healing.model import default_healing_params, macrophage_baseline
from microneedling.tissue.scars import matured

_COMPILES: list[int] = [0]


def _count(event: str, duration: float, **_: object) -> None:
    if event == "/jax/core/compile/backend_compile_duration":
        _COMPILES[0] += 1


def _count_cache_load(event: str, **_: object) -> None:
    if event == "/jax/compilation_cache/cache_hits":
        _COMPILES[0] += 1


monitoring.register_event_duration_secs_listener(_count)
monitoring.register_event_listener(_count_cache_load)


@pytest.fixture
def compiles():
    def since(fn):
        before = _COMPILES[0]
        jax.block_until_ready(fn())
        return _COMPILES[0] - before

    return since


def test_matured_compiles_once_per_shape(compiles):
    t = np.arange(0.0, 98.0, 7.0)
    compiles(lambda: matured(t, np.linspace(0.0, 1.0, t.size), 60.0))  # first call may compile
    assert compiles(lambda: matured(t + 1.0, np.linspace(0.2, 0.5, t.size), 45.0)) == 0
    k = matured(t, np.ones(t.size), 60.0)
    # the lag of a unit step from 0: 1 - exp(-t / tau) (x constant after the first node)
    assert np.allclose(np.asarray(k)[2:], 1.0 - np.exp(-(t[2:] - t[0]) / 60.0), atol=0.02)


def test_macrophage_baseline_compiles_once(compiles):
    p = default_healing_params(30.0)
    compiles(lambda: macrophage_baseline(p))
    q = p._replace(k4=p.k4 * 1.1, age_factor=jnp.asarray(0.8, dtype=jnp.float64))
    assert compiles(lambda: macrophage_baseline(q)) == 0
    phi, tgfb = macrophage_baseline(q)
    assert float(tgfb) == pytest.approx(float(q.k4 * q.alpha * phi / q.d2_per_d), rel=1e-12)
