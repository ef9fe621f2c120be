"""Shared test helpers: run the CLI in-process and capture stdout/stderr/exit code."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import microneedling
from microneedling.config import CACHE_ENV

_RUN_CACHE_PREFIX = "microneedling-test-jax-"
_RUN_CACHE = pytest.StashKey[str]()


def pytest_configure(config):
    """The numerical core runs in float64 with one XLA host device per core, as under the CLI.

    The persistent compilation cache is a fresh folder of this test run, made by the process that starts the run
    (the xdist controller, or the only process) and named in the environment, so the xdist workers and every
    process a test starts (CLI runs, servers, the docs build) share it: a kernel compiled by one test file is
    loaded, not compiled again, by the others. Test runs neither write to the user's cache nor depend on any
    earlier run; the folder is removed when the run ends. A test that checks the cache itself names its own
    folder; a test that counts compilations counts cache loads too."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = tempfile.mkdtemp(prefix=_RUN_CACHE_PREFIX)
        os.environ[CACHE_ENV] = folder
        config.stash[_RUN_CACHE] = folder
    microneedling.configure()


def pytest_unconfigure(config):
    folder = config.stash.get(_RUN_CACHE, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


LONGEST_FILES = (
    "test_calibration.py", "test_healing.py", "planner/test_public_browser.py", "test_demo.py", "test_docs.py",
    "test_cli_startup.py", "test_trial.py", "test_sweep_cluster.py", "test_sweep.py", "test_course.py",
    "test_validation_fast.py", "test_course_pipeline.py", "test_cohort_ode.py", "test_healing_intervals.py",
    "planner/test_browser.py", "test_trial_records.py", "test_sensitivity.py",
)
"""Test files (relative to ``tests/``) that take longest in a full run, longest first (from ``--durations``).
They are collected first: ``make test`` runs ``--dist loadfile --no-loadscope-reorder``, so the xdist workers
take whole files in collection order, and a run whose long files come first does not end with one worker on a
long file while the other idles (xdist's default order, most tests first, put them last)."""


def pytest_collection_modifyitems(config, items):
    """Long files first (:data:`LONGEST_FILES`), the others after them in their collected order."""
    tests = Path(__file__).resolve().parent
    rank = {name: i for i, name in enumerate(LONGEST_FILES)}

    def key(item):
        try:
            return rank.get(Path(item.path).resolve().relative_to(tests).as_posix(), len(rank))
        except ValueError:
            return len(rank)

    items.sort(key=key)


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
