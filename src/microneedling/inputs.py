"""Base of the typed input models: unknown keys are refused (a misspelt field is an error, not ignored) and
validated values are frozen."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictInput(BaseModel):
    """A pydantic model that forbids extra keys and is immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)
