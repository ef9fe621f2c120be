"""The flat Python API: ``import microneedling as mn`` changes no process-wide setting and loads engines only on
use; every exported name resolves and carries a docstring; ``configure`` sets float64 and the host devices; the
solvers refuse to run in single precision."""

from __future__ import annotations

import subprocess
import sys

import pytest

import microneedling as mn


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin"}).stdout.strip()


def test_import_changes_no_process_setting_and_loads_no_engine():
    out = _run("import os, sys; import microneedling as mn; "
               "print('jax' in sys.modules, 'XLA_FLAGS' in os.environ, 'microneedling.course' in sys.modules)")
    assert out == "False False False"


def test_configure_sets_float64_and_one_device_per_core():
    out = _run("import os, microneedling as mn; mn.configure(); import jax; "
               "print(jax.config.jax_enable_x64, len(jax.devices('cpu')) == (os.cpu_count() or 1))")
    assert out == "True True"


def test_solvers_refuse_single_precision():
    code = ("import microneedling as mn\n"
            "try:\n    mn.run_course(mn.CourseQuery(protocol=mn.Protocol(device='roller', needle_length_mm=1.5, "
            "sessions=1, interval_weeks=4), scar='boxcar', weeks=4))\n"
            "except RuntimeError as e:\n    print(e)\n")
    assert "configure()" in _run(code)


@pytest.mark.parametrize("name", [n for n in mn.__all__ if n != "__version__"])
def test_every_exported_name_resolves_with_a_docstring(name):
    obj = getattr(mn, name)
    assert (getattr(obj, "__doc__", None) or "").strip(), f"mn.{name} has no docstring"


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        mn.not_a_name  # noqa: B018
