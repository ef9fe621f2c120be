"""Lazy package exports (PEP 562): a package lists its public names and the modules that define them, and each
is imported on first use, so importing the package loads none of its engines (JAX, matplotlib)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, api: dict[str, tuple[str, str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: public name -> (module, attribute) of ``api``, imported on first
    use and then kept in the package's namespace."""

    def __getattr__(name: str) -> Any:
        try:
            module, attr = api[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(import_module(module), attr)
        vars(import_module(package))[name] = value
        return value

    return __getattr__
