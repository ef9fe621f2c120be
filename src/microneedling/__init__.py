"""microneedling: simulate and plan microneedling of atrophic acne scars.

Importing the package switches JAX to float64: every model in it is written for double precision.
"""

import os
from importlib.metadata import PackageNotFoundError, version


def _expose_cpu_cores() -> None:
    """Let XLA see one host CPU device per core, so that cohort solves can shard patients across cores
    (one XLA CPU device runs its fused loops on one thread). Must run before the JAX backend starts. A
    device count the user set in XLA_FLAGS is kept. The flag only concerns the host (CPU) platform: with a
    GPU present it is harmless, JAX still defaults to the GPU. Plain ``jit`` runs on device 0 as before."""
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_force_host_platform_device_count" not in flags:
        count = f"--xla_force_host_platform_device_count={os.cpu_count() or 1}"
        os.environ["XLA_FLAGS"] = f"{flags} {count}".strip()


_expose_cpu_cores()

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

try:
    __version__ = version("microneedling")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from microneedling.citations import citations_used, cite, format_references  # noqa: E402
from microneedling.errors import InputError  # noqa: E402
from microneedling.params import Parameter, get_parameter, parameter_value, registry  # noqa: E402

__all__ = [
    "__version__",
    "InputError",
    "Parameter",
    "cite",
    "citations_used",
    "format_references",
    "get_parameter",
    "parameter_value",
    "registry",
]
