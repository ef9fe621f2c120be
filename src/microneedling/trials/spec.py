"""The virtual trial spec: pydantic models, YAML loading, one-line errors.

A spec names a seed, one or more arms (population + protocol) and the timepoints, in weeks after the first
session, at which every arm is scored (``examples/trial.yaml``)::

    name: example-trial
    seed: 1                                  # same seed, same numbers
    arms:
      - name: needling
        population:
          n: 30
          age_years: {mean: 30, sd: 7}
          fitzpatrick: {II: 0.2, III: 0.4, IV: 0.3, V: 0.1}    # fractions summing to 1
          scar_mix: {icepick: 0.3, boxcar: 0.4, rolling: 0.3}   # fractions summing to 1
          baseline: {scale: goodman_baron_quantitative, mean: 14.0, sd: 5.0}
        protocol:                            # microneedling.protocol.Protocol
          device: roller                     # roller | pen | stamp | none (untreated control)
          needle_length_mm: 1.5
          sessions: 3
          interval_weeks: 4                  # may be fractional (30 days = 4.29)
    timepoints_weeks: [12, 24]               # weeks after the first session (baseline = week 0)

What a run returns is described in :mod:`microneedling.trials.run`. Bad specs raise :class:`~microneedling.errors.InputError` naming the
field, the value and what is allowed: fractions that do not sum to 1, a negative n, an unknown scale or
device, a needling protocol without needle length, sessions or interval.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from microneedling.errors import InputError, from_validation_error
from microneedling.inputs import StrictInput
from microneedling.patient import Fitzpatrick, ScarType
from microneedling.protocol import Protocol, Scale
from microneedling.units import AgeYears, PositiveWeeks

FRACTION_SUM_TOLERANCE = 1e-6
MAX_COHORT = 1_000_000


class AgeDistribution(StrictInput):
    """Normal age distribution, truncated to the refusal bounds of :data:`AgeYears` when sampled."""

    mean: AgeYears
    sd: Annotated[float, Field(ge=0.0, le=30.0, allow_inf_nan=False)] = 0.0


class Baseline(StrictInput):
    """Baseline score on the named scale: mean and inter-patient SD as a rater would record them."""

    scale: Scale
    mean: Annotated[float, Field(allow_inf_nan=False)]
    sd: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = 0.0

    @model_validator(mode="after")
    def _in_scale(self) -> Baseline:
        lo, hi = self.scale.bounds
        if not lo <= self.mean <= hi:
            raise InputError("mean", self.mean, f"must be in [{lo:g}, {hi:g}] on scale {self.scale.value}")
        if self.sd > (hi - lo) / 2:
            raise InputError("sd", self.sd, f"must be in [0, {(hi - lo) / 2:g}] on scale {self.scale.value}")
        return self


def _sum_to_one(field: str, value: dict) -> dict:
    if not value:
        raise ValueError(f"{field} needs at least one category")
    total = sum(value.values())
    if not math.isfinite(total) or abs(total - 1.0) > FRACTION_SUM_TOLERANCE:
        raise ValueError(f"fractions must sum to 1 (they sum to {total:.6g})")
    return value


class Population(StrictInput):
    n: Annotated[int, Field(ge=1, le=MAX_COHORT)]
    age_years: AgeDistribution
    fitzpatrick: dict[Fitzpatrick, Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]]
    scar_mix: dict[ScarType, Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]]
    baseline: Baseline

    @field_validator("fitzpatrick")
    @classmethod
    def _fitz_sum(cls, v: dict) -> dict:
        return _sum_to_one("fitzpatrick", v)

    @field_validator("scar_mix")
    @classmethod
    def _mix_sum(cls, v: dict) -> dict:
        return _sum_to_one("scar_mix", v)


class Arm(StrictInput):
    name: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.+-]+$")]
    population: Population
    protocol: Protocol


class TrialSpec(StrictInput):
    """A virtual trial: a ``name``, a ``seed`` (same seed, same numbers), one or more ``arms`` (population and
    protocol), the ``timepoints_weeks`` after the first session at which every arm is scored, and the number of
    parameter-uncertainty ``draws``."""

    name: Annotated[str, Field(min_length=1, max_length=128)]
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    arms: Annotated[list[Arm], Field(min_length=1, max_length=64)]
    timepoints_weeks: Annotated[list[PositiveWeeks], Field(min_length=1, max_length=104)]
    draws: Annotated[int, Field(ge=10, le=2000, description="parameter-uncertainty draws")] = 200

    @field_validator("timepoints_weeks")
    @classmethod
    def _increasing(cls, v: list[float]) -> list[float]:
        if any(b <= a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError("timepoints must be strictly increasing")
        return v

    @field_validator("arms")
    @classmethod
    def _unique_names(cls, v: list[Arm]) -> list[Arm]:
        names = [a.name for a in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"arm names must be unique (repeated: {', '.join(dup)})")
        return v


def spec_from_dict(raw: object) -> TrialSpec:
    """Validate a parsed spec; bad content raises :class:`InputError` (one line: field, value, allowed)."""
    if not isinstance(raw, dict):
        raise InputError("spec", type(raw).__name__, "must be a mapping with keys name, seed, arms, timepoints_weeks")
    try:
        return TrialSpec.model_validate(raw)
    except ValidationError as exc:
        raise _field_error(exc) from None


def _field_error(exc: ValidationError) -> InputError:
    """Like :func:`from_validation_error`, but an InputError raised inside a validator keeps its path."""
    err = exc.errors()[0]
    inner = (err.get("ctx") or {}).get("error")
    if isinstance(inner, InputError):
        loc = ".".join(str(p) for p in err.get("loc", ()))
        field = f"{loc}.{inner.field}" if loc else inner.field
        return InputError(field, inner.value, inner.allowed)
    return from_validation_error(exc)


def load_spec(path: str | Path) -> TrialSpec:
    """Read and validate a YAML trial spec."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("spec_file", str(path), "file does not exist") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InputError("spec_file", str(path), f"not a readable text file ({type(exc).__name__})") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError("spec_file", str(path), f"not valid YAML ({type(exc).__name__})") from None
    return spec_from_dict(raw)
