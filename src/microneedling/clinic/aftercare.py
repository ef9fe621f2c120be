"""Aftercare and expected effects after a session, from ``data/aftercare.yaml`` (clinician-editable).

Each item carries either sources (keys of CITATIONS.bib with where they say it: Chu 2021 for the expected
transient effects lasting up to 7 days, Farber 2020 for sunscreen for at least 48 hours) or a ``general``
note saying that no source was read for it; the planner prints both kinds and labels the second as general
advice. The same items feed the consent template's list of expected effects.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import Field, ValidationError, model_validator

from microneedling.clinic.candidacy import RuleSource
from microneedling.errors import from_validation_error
from microneedling.inputs import StrictInput


class AdviceItem(StrictInput):
    """One sentence for the patient with its sources, or a ``general`` note saying why it has none."""

    text: Annotated[str, Field(min_length=10)]
    sources: list[RuleSource] = []
    general: Annotated[str, Field(min_length=5)] | None = None

    @model_validator(mode="after")
    def _sourced_or_general(self) -> AdviceItem:
        if bool(self.sources) == bool(self.general):
            raise ValueError("an item needs sources or a 'general' note, not both and not neither")
        return self


class Aftercare(StrictInput):
    expected_effects: Annotated[list[AdviceItem], Field(min_length=1)]
    aftercare: Annotated[list[AdviceItem], Field(min_length=1)]


def parse_aftercare(raw: object) -> Aftercare:
    try:
        return Aftercare.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


@lru_cache(maxsize=1)
def default_aftercare() -> Aftercare:
    """The packaged ``data/aftercare.yaml``, validated (every source key is in CITATIONS.bib)."""
    text = resources.files("microneedling.data").joinpath("aftercare.yaml").read_text()
    return parse_aftercare(yaml.safe_load(text))
