"""Process-wide settings the numerical core needs, applied once by :func:`configure`.

Importing :mod:`microneedling` changes nothing in the process. The command-line entry point calls
:func:`configure` before anything else; a notebook or another program calls ``microneedling.configure()`` once,
before its first computation. It sets:

* JAX float64 (``jax_enable_x64``): every model in the package is written for double precision;
* one XLA host (CPU) device per core (``jax_num_cpu_devices``), so that cohort solves shard patients over the
  cores (one XLA CPU device runs its fused loops on one thread). This must happen before the JAX backend
  starts; a device count already set by the user (``XLA_FLAGS`` with
  ``--xla_force_host_platform_device_count``) is kept, and with a GPU present JAX still defaults to it.

The solvers call :func:`require_float64`, which refuses to run in single precision with a one-line message
instead of returning numbers 7 digits short.
"""

from __future__ import annotations

import os

_FORCE_DEVICES_FLAG = "xla_force_host_platform_device_count"


def configure(cpu_devices: int | None = None) -> None:
    """Switch JAX to float64 and expose ``cpu_devices`` host devices (default: one per core). Idempotent;
    the device count only takes effect if the JAX backend has not started yet."""
    import jax

    jax.config.update("jax_enable_x64", True)
    if _FORCE_DEVICES_FLAG in os.environ.get("XLA_FLAGS", ""):
        return
    count = cpu_devices or os.cpu_count() or 1
    if jax.config.jax_num_cpu_devices == count:
        return
    try:
        jax.config.update("jax_num_cpu_devices", count)
    except RuntimeError:  # the backend already started: keep its devices
        pass


def require_float64() -> None:
    """Raise unless JAX computes in float64 (see :func:`configure`)."""
    import jax

    if not jax.config.jax_enable_x64:
        raise RuntimeError("microneedling needs JAX float64: call microneedling.configure() once before computing")
