"""Model-versus-data comparisons: a sub-model against the published measurements it must reproduce.

A comparison is a function decorated with :func:`comparison` that returns a :class:`Comparison`: the
observed values with their error bars, the model's values at the same points, an error metric, a stated
tolerance and the source. ``microneedling validate`` runs them all; the tests run the ``fast`` ones.
Comparison functions live in ``microneedling.validation.<engine>`` modules, listed in
:data:`COMPARISON_MODULES`.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

COMPARISON_MODULES: list[str] = [
    "microneedling.validation.skin",
    "microneedling.validation.mechanics",
    "microneedling.validation.delivery",
    "microneedling.validation.trials",
    "microneedling.validation.healing",
    "microneedling.validation.spatial",
]


@dataclass(frozen=True)
class Comparison:
    """One model-vs-data comparison.

    ``x`` are the points compared (numbers or labels), ``observed`` the published values with ``observed_err``
    (one SD or the half-width the source gives; 0 where none), ``predicted`` the model's values. ``metric`` names
    the error measure and ``error`` its value; the comparison passes when ``error <= tolerance``.
    """

    name: str
    title: str
    quantity: str
    x_label: str
    x: list
    observed: list[float]
    observed_err: list[float]
    predicted: list[float]
    metric: str
    error: float
    tolerance: float
    sources: list[str]
    notes: str = ""
    predicted_band: list[tuple[float, float]] | None = None

    @property
    def passed(self) -> bool:
        return math.isfinite(self.error) and self.error <= self.tolerance

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["passed"] = self.passed
        return d


@dataclass(frozen=True)
class _Entry:
    name: str
    fast: bool
    func: Callable[[], Comparison]


_REGISTRY: dict[str, _Entry] = {}


def comparison(name: str, fast: bool = True) -> Callable[[Callable[[], Comparison]], Callable[[], Comparison]]:
    """Register a comparison function. ``fast`` ones (a few seconds) also run in the test suite."""

    def deco(func: Callable[[], Comparison]) -> Callable[[], Comparison]:
        if name in _REGISTRY and _REGISTRY[name].func is not func:
            raise ValueError(f"comparison {name!r} registered twice")
        _REGISTRY[name] = _Entry(name, fast, func)
        return func

    return deco


def registered(fast_only: bool = False) -> list[str]:
    """Names of all registered comparisons (importing every comparison module first)."""
    for mod in COMPARISON_MODULES:
        importlib.import_module(mod)
    return [n for n, e in _REGISTRY.items() if e.fast or not fast_only]


def run_comparison(name: str) -> Comparison:
    registered()
    result = _REGISTRY[name].func()
    if result.name != name:
        raise ValueError(f"comparison {name!r} returned a result named {result.name!r}")
    return result


# common error metrics -------------------------------------------------------------------------------


def max_abs_z(observed: list[float], observed_err: list[float], predicted: list[float]) -> float:
    """Largest |predicted - observed| / err over the points (err = the source's SD or half-width)."""
    return max(abs(p - o) / e for o, e, p in zip(observed, observed_err, predicted, strict=True))


def max_rel_error(observed: list[float], predicted: list[float]) -> float:
    """Largest |predicted - observed| / |observed|."""
    return max(abs(p - o) / abs(o) for o, p in zip(observed, predicted, strict=True))


def rmse(observed: list[float], predicted: list[float]) -> float:
    return math.sqrt(sum((p - o) ** 2 for o, p in zip(observed, predicted, strict=True)) / len(observed))


@dataclass
class ValidationSummary:
    results: list[Comparison] = field(default_factory=list)

    @property
    def failed(self) -> list[Comparison]:
        return [c for c in self.results if not c.passed]
