"""The range each uncertain parameter is varied over in the global sensitivity analysis.

Uncertain parameters are the registry rows whose value was fitted here (``calibrated``) or set by hand
(``assumed``). A row's ``low``/``high`` columns are refusal bounds (values outside are refused on load), often
far wider than anything plausible (``[0, 1000]`` for a rate gain), so they are used as the range only where the
row says they are an interval. The range of a row, in this order:

1. ``stated interval``: an interval written in the row's ``where`` (``... 95% interval [a, b]``, the posterior
   interval of a calibrated row) that holds the value;
2. ``row bounds (stated as an interval)``: the row's ``where`` says low/high are an interval (``low/high from``);
3. ``+/-50% in log space``: otherwise, for a positive value, log-uniform between value / 1.5 and value x 1.5
   (clipped to the row's refusal bounds);
4. ``row bounds (value not positive)``: otherwise (a value of 0 or below, where no log range exists), uniform
   over the row's ``low``/``high``.

Ranges 1-3 of a positive value are sampled uniformly in log space, range 4 uniformly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from microneedling.params import Parameter, registry

UNCERTAIN_STATUSES = ("calibrated", "assumed")
LOG_FACTOR = 1.5
"""Half-width of the default range: value / 1.5 to value x 1.5 (+/-50%, in log space)."""

STATED_INTERVAL = "stated interval"
ROW_INTERVAL = "row bounds (stated as an interval)"
LOG_DEFAULT = "+/-50% in log space"
ROW_BOUNDS = "row bounds (value not positive)"

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_INTERVAL = re.compile(rf"interval\s*\[\s*({_NUMBER})\s*,\s*({_NUMBER})\s*\]", re.I)
_ROW_IS_INTERVAL = re.compile(r"\blow/high (?:from|are the|is the)\b", re.I)


@dataclass(frozen=True)
class ParameterRange:
    """The range [``low``, ``high``] (in the parameter's unit) a parameter is varied over, sampled uniformly in
    log space when ``log``, and the ``basis`` of the range (one of the four rules of the module)."""

    name: str
    status: str
    unit: str
    value: float
    low: float
    high: float
    log: bool
    basis: str

    @property
    def bounds(self) -> tuple[float, float]:
        """Sampling bounds: natural log of the range when ``log``, else the range."""
        return (math.log(self.low), math.log(self.high)) if self.log else (self.low, self.high)

    def from_sample(self, u):
        """Parameter values from samples ``u`` drawn uniformly within :attr:`bounds` (NumPy arrays)."""
        import numpy as np

        return np.exp(u) if self.log else np.asarray(u, dtype=float)


def parameter_range(p: Parameter) -> ParameterRange:
    """The range of one registry row (rules in the module docstring)."""
    m = _INTERVAL.search(p.where)
    lo, hi = (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)
    if m and lo < hi and lo <= p.value <= hi:
        return ParameterRange(p.name, p.status, p.unit, p.value, lo, hi, lo > 0.0, STATED_INTERVAL)
    if _ROW_IS_INTERVAL.search(p.where) and p.low < p.high:
        return ParameterRange(p.name, p.status, p.unit, p.value, p.low, p.high, p.low > 0.0, ROW_INTERVAL)
    if p.value > 0.0:
        lo, hi = max(p.value / LOG_FACTOR, p.low), min(p.value * LOG_FACTOR, p.high)
        if lo > 0.0 and lo < hi:
            return ParameterRange(p.name, p.status, p.unit, p.value, lo, hi, True, LOG_DEFAULT)
    return ParameterRange(p.name, p.status, p.unit, p.value, p.low, p.high, False, ROW_BOUNDS)


def uncertain_ranges(statuses: tuple[str, ...] = UNCERTAIN_STATUSES) -> list[ParameterRange]:
    """The range of every registry row of ``statuses`` (default: every calibrated and assumed row), in
    registry order."""
    return [parameter_range(p) for p in registry().values() if p.status in statuses]
