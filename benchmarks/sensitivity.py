"""Global sensitivity benchmark: run time of ``microneedling sensitivity`` (Sobol indices of the reference
patient's predicted 6-month change to every calibrated and assumed parameter) against the number of base
samples N, and how stable the top of the ranking is.

For each N the analysis runs N (D + 2) model evaluations (D parameters): the session mechanics once per distinct
set of the parameters they read, then the course pipeline vmapped over chunks of parameter vectors with the
cohort solver. The first run of the process includes the compilation of the vmapped pipeline (one kernel per
chunk size); it is reported apart. Prints one JSON line per N and appends a table to benchmarks/RESULTS.md.

Usage: ``.venv/bin/python benchmarks/sensitivity.py [N ...]`` (default 16 64 256).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import microneedling

microneedling.configure()

from microneedling.sensitivity import Reference, run_sensitivity, uncertain_ranges  # noqa: E402
from microneedling.sensitivity.outcome import outcome_function, session_inputs  # noqa: E402
from microneedling.sensitivity.sobol import CHUNK  # noqa: E402

OUTPUT = "gb_quantitative_change"


def compile_seconds() -> float:
    """Time of the first call of the vmapped pipeline on one chunk (tracing and XLA compilation)."""
    import numpy as np

    ref = Reference()
    ranges = uncertain_ranges()
    dose, pen = session_inputs(ref)
    f = outcome_function(ref, [r.name for r in ranges])
    t0 = time.perf_counter()
    np.asarray(f(np.tile([r.value for r in ranges], (CHUNK, 1)), np.full(CHUNK, dose), np.full(CHUNK, pen)))
    return time.perf_counter() - t0


def main(samples: list[int]) -> None:
    compiled = compile_seconds()
    rows = []
    for n in samples:
        res = run_sensitivity(samples=n)
        top = res["outputs"][OUTPUT]["indices"][:3]
        row = {"samples": n, "evaluations": res["evaluations"], "seconds": round(res["seconds"], 1),
               "ms_per_evaluation": round(1e3 * res["seconds"] / res["evaluations"], 2),
               "top3": [(r["name"], round(r["ST"], 2), round(r["ST_conf"], 2)) for r in top]}
        rows.append(row)
        print(json.dumps(row), flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = ["", "## Global sensitivity (`benchmarks/sensitivity.py`)", "",
             f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, {os.cpu_count()} cores, load average "
             f"{load:.1f} at the end (shared machine); {len(uncertain_ranges())} calibrated and assumed "
             f"parameters; first chunk of {CHUNK} (tracing and compilation) {compiled:.0f} s, not counted below.",
             "", "| N | model runs | seconds | ms per run | top 3 by ST on the G&B change (ST +/- 95%) |",
             "|---|---|---|---|---|"]
    for r in rows:
        top = "; ".join(f"`{n}` {st:.2f} +/- {c:.2f}" for n, st, c in r["top3"])
        lines.append(f"| {r['samples']} | {r['evaluations']} | {r['seconds']:.0f} | {r['ms_per_evaluation']:.1f} "
                     f"| {top} |")
    with (Path(__file__).with_name("RESULTS.md")).open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [16, 64, 256])
