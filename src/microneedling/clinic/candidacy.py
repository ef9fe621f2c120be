"""Candidacy: which rules a patient triggers, with reasons, evidence level and sources.

Rules live in ``data/candidacy_rules.yaml`` (clinician-editable; each rule names its sources:
Minutilli 2024, Spring 2017, Chu 2021, Cachafeiro 2016, and low-authority pages where no peer-reviewed
statement was found, labelled ``evidence: low``). A finding is never applied silently: :func:`decide`
returns every finding; contraindications block a plan until a provider overrides them with a reason.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator

from microneedling.citations import bibliography, cite
from microneedling.errors import InputError, from_validation_error
from microneedling.inputs import StrictInput
from microneedling.patient import Patient


class Level(StrEnum):
    contraindication = "contraindication"
    caution = "caution"
    fine = "fine"


class Evidence(StrEnum):
    high = "high"
    moderate = "moderate"
    low = "low"


_OPS = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, ">": operator.gt, "<=": operator.le,
        "<": operator.lt, "in": lambda a, b: a in b}


class RuleSource(StrictInput):
    key: str
    where: Annotated[str, Field(min_length=3)]

    @field_validator("key")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in bibliography():
            raise ValueError(f"source {v!r} is not a key of CITATIONS.bib")
        return v


class Condition(StrictInput):
    field: str
    op: Literal["==", "!=", ">=", ">", "<=", "<", "in"]
    value: Any

    @field_validator("field")
    @classmethod
    def _exists(cls, v: str) -> str:
        model: Any = Patient
        for part in v.split("."):
            fields = getattr(model, "model_fields", {})
            if part not in fields:
                raise ValueError(f"{v!r} is not a Patient field")
            model = fields[part].annotation
        return v


class Rule(StrictInput):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    level: Literal[Level.contraindication, Level.caution]
    when: Condition
    reason: Annotated[str, Field(min_length=10)]
    evidence: Evidence
    sources: Annotated[list[RuleSource], Field(min_length=1)]


class RuleSet(StrictInput):
    rules: Annotated[list[Rule], Field(min_length=1)]

    @field_validator("rules")
    @classmethod
    def _unique(cls, v: list[Rule]) -> list[Rule]:
        ids = [r.id for r in v]
        if len(set(ids)) != len(ids):
            raise ValueError("rule ids must be unique")
        return v


@dataclass(frozen=True)
class Finding:
    """One rule a patient triggered: what, why, how strong the evidence is, and where it comes from."""

    rule_id: str
    level: Level
    reason: str
    evidence: Evidence
    sources: tuple[RuleSource, ...]
    observed: Any


class Override(StrictInput):
    """A provider's decision to proceed despite a finding, with the reason recorded."""

    rule_id: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Annotated[str, Field(min_length=10, max_length=2000)]
    by: Annotated[str, Field(min_length=1, max_length=64)] = "unknown"


@dataclass(frozen=True)
class Decision:
    """All findings, the overrides that answered them, and what is still blocking a plan."""

    findings: tuple[Finding, ...]
    overrides: tuple[Override, ...]

    @property
    def overridden(self) -> set[str]:
        return {o.rule_id for o in self.overrides}

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.level == Level.contraindication and f.rule_id not in self.overridden]

    @property
    def status(self) -> Level:
        """``contraindication`` while any contraindication stands, else ``caution`` if any finding, else ``fine``."""
        if self.blocking:
            return Level.contraindication
        return Level.caution if self.findings else Level.fine

    def as_dict(self) -> dict:
        over = {o.rule_id: o for o in self.overrides}
        return {
            "status": self.status.value,
            "findings": [
                {"rule_id": f.rule_id, "level": f.level.value, "reason": f.reason, "evidence": f.evidence.value,
                 "observed": f.observed, "sources": [s.model_dump() for s in f.sources],
                 "overridden": f.rule_id in over,
                 "override_reason": over[f.rule_id].reason if f.rule_id in over else None,
                 "override_by": over[f.rule_id].by if f.rule_id in over else None}
                for f in self.findings
            ],
        }


def parse_rules(raw: Any) -> tuple[Rule, ...]:
    """Validate a rules document (the YAML's content); bad rules raise :class:`InputError`."""
    try:
        return tuple(RuleSet.model_validate(raw).rules)
    except ValidationError as exc:
        raise from_validation_error(exc, prefix="candidacy_rules") from None


@lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    """The packaged rule set ``data/candidacy_rules.yaml``."""
    text = resources.files("microneedling").joinpath("data/candidacy_rules.yaml").read_text(encoding="utf-8")
    return parse_rules(yaml.safe_load(text))


def _lookup(patient: Patient, path: str) -> Any:
    value: Any = patient
    for part in path.split("."):
        value = getattr(value, part)
    return value.value if isinstance(value, StrEnum) else value


def evaluate(patient: Patient, rules: tuple[Rule, ...] | None = None) -> list[Finding]:
    """Every rule ``patient`` triggers, in rule order (records the sources used)."""
    out = []
    for rule in default_rules() if rules is None else rules:
        observed = _lookup(patient, rule.when.field)
        if observed is None:
            continue
        try:
            hit = bool(_OPS[rule.when.op](observed, rule.when.value))
        except TypeError:
            raise InputError(f"candidacy_rules.{rule.id}.when", rule.when.value,
                             f"cannot compare with {rule.when.field} = {observed!r}") from None
        if hit:
            for s in rule.sources:
                cite(s.key)
            out.append(Finding(rule.id, Level(rule.level), rule.reason, rule.evidence, tuple(rule.sources), observed))
    return out


def check_override(findings: list[Finding], override: Override) -> Override:
    """``override`` if it answers a finding that was raised, else :class:`InputError`."""
    ids = sorted({f.rule_id for f in findings})
    if override.rule_id not in ids:
        raise InputError("rule_id", override.rule_id, f"must be one of the findings raised: {ids}")
    return override


def decide(findings: list[Finding], overrides: list[Override] | tuple[Override, ...] = ()) -> Decision:
    """Combine findings with overrides; overrides of rules no longer raised are dropped, the latest wins."""
    ids = {f.rule_id for f in findings}
    latest = {o.rule_id: o for o in overrides if o.rule_id in ids}
    return Decision(tuple(findings), tuple(latest.values()))
