"""Shared test helpers: run the CLI in-process and capture stdout/stderr/exit code."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import pytest

import microneedling


def pytest_configure(config):
    """The numerical core runs in float64 with one XLA host device per core, as under the CLI. The persistent
    compilation cache is off (here and in every process a test starts), so test runs neither write to the user's
    cache nor depend on it; a test that needs the cache names its own folder."""
    os.environ["MICRONEEDLING_CACHE_DIR"] = ""
    microneedling.configure()


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def run_cli(capsys):
    """Run ``microneedling ARGS`` in-process (as the console script does) and capture its output."""
    from microneedling.cli import main

    def _run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # pragma: no cover - main returns codes, Typer may still exit
            code = exc.code if isinstance(exc.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return _run
