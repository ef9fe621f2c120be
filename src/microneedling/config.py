"""Process-wide settings the numerical core needs, applied once by :func:`configure`.

Importing :mod:`microneedling` changes nothing in the process. The command line calls :func:`configure` at the
start of every command that computes (not for ``--help``, ``--version``, ``params`` or ``citations``, which then
start without loading JAX); a notebook or another program calls ``microneedling.configure()`` once, before its
first computation. It sets:

* JAX float64 (``jax_enable_x64``): every model in the package is written for double precision;
* one XLA host (CPU) device per core (``jax_num_cpu_devices``), so that cohort solves shard patients over the
  cores (one XLA CPU device runs its fused loops on one thread). This must happen before the JAX backend
  starts; a device count already set by the user (``XLA_FLAGS`` with
  ``--xla_force_host_platform_device_count``) is kept, and with a GPU present JAX still defaults to it;
* JAX's persistent compilation cache (see :func:`configure` and :func:`cache_dir`), so that a second run of
  the same command loads its compiled kernels instead of compiling them again.

The solvers call :func:`require_float64`, which refuses to run in single precision with a one-line message
instead of returning numbers 7 digits short.
"""

from __future__ import annotations

import os
from pathlib import Path

_FORCE_DEVICES_FLAG = "xla_force_host_platform_device_count"

CACHE_ENV = "MICRONEEDLING_CACHE_DIR"
"""Environment variable naming the compilation cache folder; set but empty, it turns the cache off."""

CACHE_MAX_BYTES = 1 << 30
"""Size bound of the compilation cache folder (1 GiB); the least recently used kernels are evicted past it."""


def cache_dir() -> Path | None:
    """The folder of JAX's persistent compilation cache, or ``None`` when the cache is off.

    In order: ``$MICRONEEDLING_CACHE_DIR`` when set (an empty value turns the cache off), else
    ``$XDG_CACHE_HOME/microneedling/jax``, else ``~/.cache/microneedling/jax``.
    """
    if CACHE_ENV in os.environ:
        value = os.environ[CACHE_ENV].strip()
        return Path(value).expanduser() if value else None
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    try:
        base = Path(xdg) if xdg else Path.home() / ".cache"
    except RuntimeError:  # no home folder known
        return None
    return base / "microneedling" / "jax"


def configure(cpu_devices: int | None = None, *, compilation_cache: bool = True) -> None:
    """Switch JAX to float64, expose ``cpu_devices`` host devices (default: one per core) and turn on the
    persistent compilation cache. Idempotent; the device count only takes effect if the JAX backend has not
    started yet.

    The compilation cache keeps every compiled kernel (no minimum compile time or entry size) in
    :func:`cache_dir`: ``$XDG_CACHE_HOME/microneedling/jax`` or ``~/.cache/microneedling/jax`` by default,
    moved by the environment variable ``MICRONEEDLING_CACHE_DIR=/path`` and turned off by
    ``MICRONEEDLING_CACHE_DIR=`` (empty) or ``compilation_cache=False``. The folder is bounded to
    :data:`CACHE_MAX_BYTES`, least recently used kernels evicted first. Processes may share it: every read and
    write of an entry holds the folder's lock file (``filelock``), so a process never sees a half-written
    kernel, and two processes compiling the same kernel store it once. A kernel is keyed by its program, the
    devices, the compile options and the JAX/XLA versions, so a cache never returns a kernel built for other
    settings. It takes effect unless this process already compiled with another cache folder.
    """
    import jax

    jax.config.update("jax_enable_x64", True)
    folder = cache_dir() if compilation_cache else None
    if folder is not None:
        jax.config.update("jax_compilation_cache_dir", str(folder))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
        jax.config.update("jax_compilation_cache_max_size", CACHE_MAX_BYTES)
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
