"""The ``microneedling`` command line.

Every command: ``--help``; ``--json`` prints exactly one JSON object on stdout where it computes
something; bad input exits 2 with one line on stderr naming the field, the value and what is allowed.
Each engine's commands live in their own module of this package and register on :data:`app`.

Start-up: the command modules import the engines (JAX, matplotlib, the planner's FastAPI) inside the
commands, so ``--help``, ``--version`` and the :data:`LIGHT_COMMANDS` load none of them. Every other command
runs :func:`microneedling.configure` first (float64, one XLA host device per core, the compilation cache).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import typer

# Typer vendors click as typer._click
from typer._click.exceptions import NoArgsIsHelpError as _NoArgsIsHelpError
from typer._click.exceptions import UsageError as _UsageError

from microneedling.cli.common import print_error
from microneedling.config import configure
from microneedling.errors import InputError, from_validation_error

EPILOG = (
    "Compiled kernels are kept in a cache folder, so the second run of a command starts faster: "
    "$XDG_CACHE_HOME/microneedling/jax, else ~/.cache/microneedling/jax. MICRONEEDLING_CACHE_DIR=PATH moves "
    "it; MICRONEEDLING_CACHE_DIR= (empty) turns it off. Processes may share the folder."
)

# commands that compute nothing: they run without configuring (and so without loading) JAX
LIGHT_COMMANDS = frozenset({"params", "citations"})

app = typer.Typer(
    name="microneedling",
    help="Simulate and plan microneedling of atrophic acne scars.",
    epilog=EPILOG,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["--help", "-h"]},
)


def _version(value: bool) -> None:
    if value:
        from microneedling import __version__

        typer.echo(f"microneedling {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Simulate and plan microneedling of atrophic acne scars."""


# command modules register themselves on `app` when imported
from microneedling.cli import calibrate as _calibrate  # noqa: E402,F401
from microneedling.cli import course as _course  # noqa: E402,F401
from microneedling.cli import delivery as _delivery  # noqa: E402,F401
from microneedling.cli import demo as _demo  # noqa: E402,F401
from microneedling.cli import injury as _injury  # noqa: E402,F401
from microneedling.cli import predict as _predict  # noqa: E402,F401
from microneedling.cli import purge_intake as _purge_intake  # noqa: E402,F401
from microneedling.cli import reference as _reference  # noqa: E402,F401
from microneedling.cli import sensitivity as _sensitivity  # noqa: E402,F401
from microneedling.cli import serve as _serve  # noqa: E402,F401
from microneedling.cli import skin as _skin  # noqa: E402,F401
from microneedling.cli import spatial as _spatial  # noqa: E402,F401
from microneedling.cli import sweep as _sweep  # noqa: E402,F401
from microneedling.cli import trial as _trial  # noqa: E402,F401
from microneedling.cli import validate as _validate  # noqa: E402,F401


def _configured(callback: Callable[..., Any]) -> Callable[..., Any]:
    """``callback`` preceded by :func:`microneedling.configure`; Typer reads the options from the wrapped
    signature, so ``--help`` never runs it."""

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        configure()
        return callback(*args, **kwargs)

    run.configures = True  # type: ignore[attr-defined]
    return run


def _configure_computing_commands() -> None:
    """Wrap every registered command outside :data:`LIGHT_COMMANDS` with :func:`_configured` (once)."""
    for info in app.registered_commands:
        if info.callback is None or getattr(info.callback, "configures", False):
            continue
        name = info.name or info.callback.__name__.replace("_", "-")
        if name not in LIGHT_COMMANDS:
            info.callback = _configured(info.callback)


_configure_computing_commands()


def main(argv: list[str] | None = None) -> int:
    """Console entry point: runs the app (every command outside :data:`LIGHT_COMMANDS` after
    :func:`microneedling.configure`), mapping bad input to exit code 2 and one line on stderr."""
    _configure_computing_commands()  # also commands registered after this package was imported
    try:
        rv = app(args=argv, prog_name="microneedling", standalone_mode=False)
    except InputError as exc:
        print_error(exc.one_line())
        return 2
    except _NoArgsIsHelpError:
        app(args=["--help"], prog_name="microneedling", standalone_mode=False)
        return 0
    except _UsageError as exc:
        print_error(_usage_message(exc))
        return 2
    except typer.Abort:
        print_error("aborted")
        return 1
    except BrokenPipeError:
        return 0
    except _validation_error() as exc:  # evaluated only when an exception gets this far
        print_error(from_validation_error(exc).one_line())
        return 2
    return rv if isinstance(rv, int) else 0


def _validation_error() -> type[Exception]:
    """pydantic's ``ValidationError``, imported when first needed: ``--help``, ``--version`` and the commands
    that validate nothing start without loading pydantic."""
    from pydantic import ValidationError

    return ValidationError


def _usage_message(exc: _UsageError) -> str:
    """Click's message, with the offending value added when Typer's coercion knew it."""
    msg = exc.format_message()
    cause = exc.__cause__
    if isinstance(cause, _validation_error()) and cause.errors():
        value = cause.errors()[0].get("input")
        if value is not None and repr(value) not in msg:
            msg = f"{msg.rstrip('.')} (got {value!r})"
    return msg


if __name__ == "__main__":
    sys.exit(main())
