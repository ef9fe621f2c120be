"""Published trial records: the evidence the clinical response is calibrated on and checked against.

Trials live in ``data/trials/*.yaml``, one arm per file, each with what was verified in it, where it was read,
what had to be assumed, and a role: ``fit`` (enters the calibration, :mod:`microneedling.calibration.hierarchical`),
``held_out`` (predicted, never fitted) or ``record_only`` (recorded, but not simulable or not comparable, such as
radiofrequency or combination arms; the file says why).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import Field, model_validator

from microneedling.citations import bibliography
from microneedling.errors import InputError
from microneedling.inputs import StrictInput
from microneedling.trials.spec import Arm


class Outcome(StrictInput):
    week: Annotated[float, Field(gt=0.0, le=520.0)] | None = None
    score_mean: float | None = None
    score_sd: Annotated[float, Field(ge=0.0)] | None = None
    change_mean: float | None = None
    change_ci95: tuple[float, float] | None = None
    responder_rate: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    n: Annotated[int, Field(ge=1)] | None = None
    where: Annotated[str, Field(min_length=1)]


class TrialRecord(StrictInput):
    """One published trial: what was verified in it, where, and what the simulation of it assumes."""

    id: str
    source: str
    where: Annotated[str, Field(min_length=1)]
    design: str
    modality: str
    role: Literal["fit", "held_out", "record_only"]
    role_reason: Annotated[str, Field(min_length=1)]
    arm: Arm | None = None
    outcomes: list[Outcome] = []
    verified: Annotated[list[str], Field(min_length=1)]
    assumed: dict[str, str] = {}

    @model_validator(mode="after")
    def _consistent(self) -> TrialRecord:
        if self.source not in bibliography():
            raise ValueError(f"source {self.source!r} is not a key of CITATIONS.bib")
        if self.role != "record_only":
            if self.arm is None:
                raise ValueError(f"a {self.role} trial needs an arm to simulate")
            if not self.outcomes or any(o.week is None for o in self.outcomes):
                raise ValueError(f"a {self.role} trial needs outcomes with weeks")
        return self


def load_trials(folder: str | Path | None = None) -> list[TrialRecord]:
    """Every trial record of ``data/trials`` (or ``folder``), sorted by id."""
    if folder is None:
        entries = list(resources.files("microneedling").joinpath("data/trials").iterdir())
    else:
        entries = list(Path(folder).iterdir())
    out = []
    for e in sorted(entries, key=lambda p: p.name):
        if e.name.endswith(".yaml"):
            try:
                out.append(TrialRecord.model_validate(yaml.safe_load(e.read_text(encoding="utf-8"))))
            except Exception as exc:
                raise InputError("trial_file", e.name, f"not a valid trial record ({exc})") from None
    return sorted(out, key=lambda r: r.id)


def observed_change(rec: TrialRecord, o: Outcome) -> tuple[float, list[float] | None] | None:
    """Published change of the mean at outcome ``o`` of ``rec`` and its published CI (or None); None when the
    outcome publishes no mean."""
    if o.change_mean is not None:
        return o.change_mean, list(o.change_ci95) if o.change_ci95 else None
    if o.score_mean is not None:
        return rec.arm.population.baseline.mean - o.score_mean, None
    return None
