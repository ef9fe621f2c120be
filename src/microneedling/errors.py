"""One error type for bad input, rendered as one line naming the field, the value and what is allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError


class InputError(ValueError):
    """Bad input: ``field`` had ``value``; ``allowed`` says what would have been accepted."""

    def __init__(self, field: str, value: Any, allowed: str):
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field} = {value!r}: {allowed}")

    def one_line(self) -> str:
        return f"invalid {self.field}={_short(self.value)}: {self.allowed}"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def from_validation_error(exc: ValidationError, prefix: str = "") -> InputError:
    """Turn the first pydantic error into an :class:`InputError` (field path, value, message)."""
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
    field = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or "input")
    msg = err.get("msg", "invalid value")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    ctx = err.get("ctx") or {}
    if err.get("type") == "literal_error" and "expected" in ctx:
        msg = f"must be one of {ctx['expected']}"
    elif err.get("type") == "enum" and "expected" in ctx:
        msg = f"must be one of {ctx['expected']}"
    return InputError(field, err.get("input"), msg)
