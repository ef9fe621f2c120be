"""CLI start-up and the compilation cache: wall seconds of the real console script, cold and warm.

For each command, each repeat: ``off`` (cache turned off, ``MICRONEEDLING_CACHE_DIR=``), ``cold`` (a new, empty
cache folder) and ``warm`` (the same command again on the folder the cold run filled). The ratio cold / warm is
the speed-up the cache gives a user's second run; cold / off is the cost of writing the cache. Medians over
``BENCH_REPEAT`` repeats (default 3). ``new on warm`` counts the cache entries the warm run added: 0 means it
found every kernel in the cache.

Baselines from the same run, for start-up: the bare interpreter (``python -c pass``) and the imports every
Typer command line pays before doing anything (``import typer, rich.console, pydantic``); ``--help`` is
reported against the latter. Prints a table and one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = str(Path(sys.executable).with_name("microneedling"))
REPEAT = int(os.environ.get("BENCH_REPEAT", 3))
COMMANDS = {
    "--help": ["--help"],
    "injury --json": ["injury", "--zone", "cheek", "--device", "roller", "--needle-length-mm", "1.5", "--json"],
    "course --json": ["course", "--zone", "cheek", "--scar", "rolling", "--needle-length-mm", "1.5",
                      "--sessions", "3", "--json"],
    "trial --json": ["trial", "examples/trial.yaml", "--json"],
}


def _run(args: list[str], cache: str) -> float:
    env = {**os.environ, "MICRONEEDLING_CACHE_DIR": cache}
    t0 = time.perf_counter()
    r = subprocess.run([EXE, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"microneedling {' '.join(args)} failed: {r.stderr}")
    return dt


def _entries(folder: Path) -> int:
    return len(list(folder.glob("*-cache")))


def bench(args: list[str]) -> dict:
    off, cold, warm, entries, new_on_warm = [], [], [], [], []
    for _ in range(REPEAT):
        off.append(_run(args, ""))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "jax"
            cold.append(_run(args, str(folder)))
            entries.append(_entries(folder) if folder.exists() else 0)
            warm.append(_run(args, str(folder)))
            new_on_warm.append((_entries(folder) if folder.exists() else 0) - entries[-1])
    med = {k: statistics.median(v) for k, v in (("off", off), ("cold", cold), ("warm", warm))}
    return {**{f"{k}_s": round(v, 3) for k, v in med.items()},
            "cold_over_warm": round(med["cold"] / med["warm"], 2),
            "cold_over_off": round(med["cold"] / med["off"], 2),
            "cache_entries": max(entries), "new_on_warm": max(new_on_warm),
            "runs": {"off": [round(x, 3) for x in off], "cold": [round(x, 3) for x in cold],
                     "warm": [round(x, 3) for x in warm]}}


def _python(code: str) -> float:
    times = []
    for _ in range(max(REPEAT, 5)):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 3)


def main() -> None:
    load_before = os.getloadavg()[0]
    baselines = {"python -c pass": _python("pass"),
                 "import typer, rich.console, pydantic": _python("import typer, rich.console, pydantic")}
    results = {name: bench(args) for name, args in COMMANDS.items()}
    out = {"benchmark": "cli", "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"), "repeat": REPEAT,
           "cpus": os.cpu_count(), "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
           "baselines_s": baselines,
           "help_over_typer_floor": round(results["--help"]["warm_s"] / baselines["import typer, rich.console, pydantic"], 2),
           "commands": results}
    print(f"{'command':<16} {'off s':>7} {'cold s':>7} {'warm s':>7} {'cold/warm':>9} {'cold/off':>8} "
          f"{'entries':>7} {'new on warm':>11}")
    for name, r in results.items():
        print(f"{name:<16} {r['off_s']:>7.2f} {r['cold_s']:>7.2f} {r['warm_s']:>7.2f} {r['cold_over_warm']:>9.2f} "
              f"{r['cold_over_off']:>8.2f} {r['cache_entries']:>7} {r['new_on_warm']:>11}")
    for name, seconds in baselines.items():
        print(f"baseline: {name}: {seconds:.3f} s")
    print(f"--help / typer floor: {out['help_over_typer_floor']:.2f}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
