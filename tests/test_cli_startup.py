"""CLI start-up: ``--help``, ``--version``, ``params`` and ``citations`` load neither JAX, matplotlib nor FastAPI;
``--help`` and ``--version`` also skip what only a command's run needs (pydantic and the commands' input models,
the units' pydantic types, the installed-metadata version lookup but for ``--version``); every other command runs
configured (float64, one XLA host device per core); the JAX compilation cache lives
where the environment says, is shared safely by concurrent processes, and a warm run loads every kernel from it.

Start-up checks run in a fresh interpreter (this one has JAX loaded by the test set-up). The cache tests name a
temporary cache folder: test runs never use the user's cache (``tests/conftest.py`` gives each run a fresh
folder of its own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from microneedling.config import cache_dir

HEAVY = ("jax", "matplotlib", "fastapi")
# loaded when a command runs (or prints its own help), never by the top-level help: pydantic (Typer's option
# coercion and the input models), the models of commands without an engine of their own, the units' pydantic
# types, and the version lookup in the installed metadata
DEFERRED = ("pydantic", "microneedling.cli.queries", "microneedling.units", "microneedling.version",
            "importlib.metadata")

_IN_PROCESS = """
import contextlib, io, json, sys
from microneedling.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[1:])
loaded = sorted(m for m in {watched!r} if m in sys.modules)
print(json.dumps({{"code": code, "loaded": loaded, "out": out.getvalue()}}))
"""


def _run_in_fresh_process(*args: str) -> dict:
    """Run ``microneedling ARGS`` in a fresh interpreter; ``heavy`` and ``deferred`` name what it loaded."""
    script = _IN_PROCESS.format(watched=HEAVY + DEFERRED)
    r = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    return {**out, "heavy": [m for m in out["loaded"] if m in HEAVY],
            "deferred": [m for m in out["loaded"] if m in DEFERRED]}


@pytest.mark.parametrize("args", [
    ["--help"], ["--version"], ["params"], ["params", "--prefix", "needle", "--json"], ["citations"],
    ["citations", "--json"], ["course", "--help"], ["trial", "--help"], ["sweep", "--help"], ["serve", "--help"],
    ["delivery", "--help"],
], ids=" ".join)
def test_light_commands_load_no_engine(args):
    r = _run_in_fresh_process(*args)
    assert r["code"] == 0 and r["out"].strip()
    assert r["heavy"] == [], f"microneedling {' '.join(args)} loaded {r['heavy']}"


@pytest.mark.parametrize("args,version", [([], False), (["--help"], False), (["-h"], False), (["--version"], True)],
                         ids=["no-arguments", "--help", "-h", "--version"])
def test_top_level_help_and_version_load_nothing_deferred(args, version):
    r = _run_in_fresh_process(*args)
    assert r["code"] == 0 and r["out"].strip()
    expected = ["importlib.metadata", "microneedling.version"] if version else []
    assert r["deferred"] == expected, f"microneedling {' '.join(args)} loaded {r['deferred']}"


def test_validation_errors_reaching_main_exit_2_with_one_line():
    """pydantic's error type is looked up only when an exception reaches :func:`main`; a model built outside
    ``validated`` still ends as one line and exit code 2."""
    code = ("import sys\nfrom pydantic import BaseModel\nfrom microneedling.cli import app, main\n"
            "class Model(BaseModel):\n    count: int\n"
            "@app.command('model-check')\ndef model_check() -> None:\n    Model(count='many')\n"
            "sys.exit(main(['model-check']))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("error: invalid count=many: ") and len(r.stderr.splitlines()) == 1, r.stderr


def test_version_attribute_is_read_on_first_use():
    code = ("import sys, microneedling\nbefore = 'importlib.metadata' in sys.modules\n"
            "from importlib.metadata import version\n"
            "print(before, microneedling.__version__ == version('microneedling'), "
            "'__version__' in dir(microneedling))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "True", "True"]


def test_a_computing_command_runs_configured():
    code = ("import json, os, sys\nfrom microneedling.cli import main\n"
            "import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    rc = main(['skin', '--zone', 'cheek', '--json'])\n"
            "import jax\n"
            "print(json.dumps([rc, jax.config.jax_enable_x64, len(jax.devices('cpu')), os.cpu_count() or 1]))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "MICRONEEDLING_CACHE_DIR": ""})
    assert r.returncode == 0, r.stderr
    rc, x64, devices, cores = json.loads(r.stdout)
    assert rc == 0 and x64 is True and devices == cores


def test_every_command_but_the_light_ones_configures_first():
    import typer.main

    from microneedling.cli import LIGHT_COMMANDS, app

    callbacks = {info.name or info.callback.__name__.replace("_", "-"): info.callback
                 for info in app.registered_commands}
    assert set(callbacks) == set(typer.main.get_command(app).commands) and LIGHT_COMMANDS <= set(callbacks)
    for name, callback in callbacks.items():
        assert getattr(callback, "configures", False) is (name not in LIGHT_COMMANDS), name


def test_light_modules_load_no_engine():
    """The CLI's option help reads the delivery package's own data, and JSON goes through the report's encoder:
    importing them (and the lazy package inits) loads neither JAX nor matplotlib."""
    code = ("import sys, microneedling.delivery, microneedling.report, microneedling.cli.delivery, "
            "microneedling.cli.common; print(sorted(m for m in ('jax', 'matplotlib') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_json_text_encodes_arrays_and_refuses_nan():
    from microneedling.report import to_json

    obj = {"array": np.arange(3.0), "scalar": np.float64(2.5), "int": np.int64(3), "flag": np.bool_(True), "x": [None]}
    assert json.loads(to_json(obj)) == {"array": [0.0, 1.0, 2.0], "scalar": 2.5, "int": 3, "flag": True, "x": [None]}
    with pytest.raises(ValueError):
        to_json({"nan": float("nan")})


def test_epilog_documents_the_cache(run_cli):
    r = run_cli("--help")
    assert r.code == 0
    text = " ".join(r.out.split())
    assert "MICRONEEDLING_CACHE_DIR" in text and "~/.cache/microneedling/jax" in text


# -- the compilation cache -------------------------------------------------------------------------------

def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MICRONEEDLING_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.setenv("MICRONEEDLING_CACHE_DIR", "")
    assert cache_dir() is None
    monkeypatch.delenv("MICRONEEDLING_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "microneedling" / "jax"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "microneedling" / "jax"


# runs a command in-process and records JAX's persistent-cache events in the file named by argv[1]
_COUNTING = """
import json, sys
import jax.monitoring
events = []
jax.monitoring.register_event_listener(lambda name, **kw: events.append(name))
from microneedling.cli import main
code = main(sys.argv[2:])
prefix = "/jax/compilation_cache/"
with open(sys.argv[1], "w") as fh:
    json.dump({"code": code, "hits": events.count(prefix + "cache_hits"),
               "misses": events.count(prefix + "cache_misses")}, fh)
sys.exit(code)
"""

COURSE = ["course", "--zone", "cheek", "--scar", "rolling", "--needle-length-mm", "1.5", "--sessions", "2",
          "--weeks", "12", "--json"]


def _start(cache: Path, events: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _COUNTING, str(events), *COURSE],
                            env={**os.environ, "MICRONEEDLING_CACHE_DIR": str(cache)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_processes_share_one_cache_and_a_warm_run_compiles_nothing(tmp_path):
    cache = tmp_path / "cache"
    # two cold runs at the same time: both compile the same kernels and write them into one folder
    procs = [_start(cache, tmp_path / f"cold{i}.json") for i in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "compilation cache" not in err, err  # JAX reports a failed cache read or write as a warning
    assert outs[0][0] == outs[1][0], _first_difference(outs[0][0], outs[1][0])
    cold = [json.loads((tmp_path / f"cold{i}.json").read_text()) for i in range(2)]
    assert all(c["misses"] > 0 for c in cold)
    entries = sorted(p.name for p in cache.glob("*-cache"))
    assert len(entries) >= max(c["misses"] for c in cold)
    # a warm run loads every kernel from the cache: hits, no new entry, the same numbers
    warm_proc = _start(cache, tmp_path / "warm.json")
    out, err = warm_proc.communicate(timeout=300)
    assert warm_proc.returncode == 0, err
    warm = json.loads((tmp_path / "warm.json").read_text())
    assert warm["misses"] == 0 and warm["hits"] >= max(c["misses"] for c in cold)
    assert sorted(p.name for p in cache.glob("*-cache")) == entries
    assert out == outs[0][0], _first_difference(outs[0][0], out)


def _first_difference(a: str, b: str) -> str:
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False)):
        if x != y:
            return f"line {i}: {x.strip()} != {y.strip()}"
    return f"{len(a)} != {len(b)} characters"
