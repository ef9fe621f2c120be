"""Shared CLI plumbing: JSON output, progress bars on stderr, and the one-line error convention.

Light on purpose (no JAX, NumPy, matplotlib or pydantic): every command module imports it, and ``--help``,
``--version``, ``params`` and ``citations`` must start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import Console

from microneedling.errors import InputError, from_validation_error
from microneedling.report.encoding import to_json

if TYPE_CHECKING:
    from pydantic import BaseModel

stderr = Console(stderr=True)
stdout = Console()

M = TypeVar("M", bound="BaseModel")


def validated(model: type[M], **fields: Any) -> M:
    """Build a pydantic input model from CLI options; bad values raise a one-line :class:`InputError`."""
    from pydantic import ValidationError

    try:
        return model(**fields)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def print_json(obj: Any) -> None:
    """Print exactly one JSON object on stdout."""
    sys.stdout.write(to_json(obj) if not isinstance(obj, str) else obj)
    sys.stdout.write("\n")
    sys.stdout.flush()


def print_error(message: str) -> None:
    """One line on stderr, newlines collapsed."""
    line = " ".join(str(message).split())
    sys.stderr.write(f"error: {line}\n")
    sys.stderr.flush()


@contextmanager
def progress_bar(description: str, total: float | None, enabled: bool = True) -> Iterator:
    """A Rich progress bar on stderr (so --json stdout stays clean); yields ``advance(n=1, label=None)``."""
    if not enabled or not stderr.is_terminal:
        yield lambda n=1, label=None: None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                  TextColumn("{task.completed:.0f}/{task.total:.0f}"), TimeElapsedColumn(),
                  console=stderr, transient=True) as prog:
        task = prog.add_task(description, total=total)

        def advance(n: float = 1, label: str | None = None) -> None:
            prog.update(task, advance=n, description=label or description)

        yield advance


__all__ = ["InputError", "validated", "to_json", "print_json", "print_error", "progress_bar", "stdout", "stderr"]
