"""microneedling: simulate and plan microneedling of atrophic acne scars.

Importing the package switches JAX to float64: every model in it is written for double precision.
"""

from importlib.metadata import PackageNotFoundError, version

import jax

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
