"""Healing ODE solvers on a cohort: graded fixed-step path (fourth-order exponential Runge-Kutta) vs the diffrax
adaptive reference.

Prints one JSON object: seconds per cohort after compile for both (same run, same machine), their ratio, and
the fast path's largest error relative to each species' scale. Usage: python benchmarks/healing_solvers.py [N]
"""

from __future__ import annotations

import json
import sys
import time

import jax
import jax.numpy as jnp

import microneedling  # noqa: E402
from microneedling import healing

microneedling.configure()  # float64, one XLA host device per core


def main(n: int = 2000) -> dict:
    ages = jnp.linspace(20.0, 70.0, n)
    base = healing.default_healing_params(30.0)
    from microneedling.params import parameter_value

    young = parameter_value("healing.age.young_years")
    old = parameter_value("healing.age.old_years")
    ratio = parameter_value("healing.age.procollagen_ratio_old_to_young")
    factors = 1.0 - (1.0 - ratio) * jnp.clip((ages - young) / (old - young), 0.0, 1.0)
    batch = jax.tree.map(lambda x: jnp.broadcast_to(x, (n,)), base)._replace(age_factor=factors)
    days = jnp.array([0.0, 28.0, 56.0, 84.0])
    doses = jnp.linspace(0.5, 1.5, n)[:, None] * jnp.ones((1, 4))
    te = jnp.linspace(0.0, 365.0, 53)
    fast = jax.jit(jax.vmap(lambda p, d: healing.simulate(p, days, d, te)))
    ref = jax.jit(lambda p, d: healing.simulate_reference(p, days, d, te))
    fast(batch, doses).block_until_ready()
    t0 = time.perf_counter()
    y_fast = fast(batch, doses).block_until_ready()
    fast_per_patient = (time.perf_counter() - t0) / n
    m = min(n, 20)  # the reference's dense output is too large to vmap; loop over a sample
    take = [jax.tree.map(lambda x, i=i: x[i], batch) for i in range(m)]
    ref(take[0], doses[0]).block_until_ready()
    t0 = time.perf_counter()
    y_ref = jnp.stack([ref(take[i], doses[i]) for i in range(m)]).block_until_ready()
    ref_per_patient = (time.perf_counter() - t0) / m
    scale = jnp.maximum(jnp.max(jnp.abs(y_ref), axis=(0, 1)), 1.0)
    err = float(jnp.max(jnp.abs(y_fast[:m] - y_ref) / scale))
    return {"patients": n, "days": 365, "sessions": 4, "fast_ms_per_patient": 1e3 * fast_per_patient,
            "reference_ms_per_patient": 1e3 * ref_per_patient, "reference_over_fast": ref_per_patient / fast_per_patient,
            "fast_seconds_per_100k": 1e5 * fast_per_patient, "max_rel_error": err}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)))
