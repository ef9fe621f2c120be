"""Sweeps on a Dask cluster of separate processes: throughput on 1 and 2 workers, and a 1,000,000-patient sweep
streamed to Parquet in bounded memory.

The cluster is ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1 (one thread each, no nanny, no
dashboard), started and ended here; all workers share one compilation cache folder. Points are trial variants
of ``examples/trial.yaml`` with ``n`` patients in the treated arm (default 10,000) and the same array shapes
(needle length and interval vary), so that a worker compiles once.

1. Throughput: for 1 and then 2 workers, every worker first runs one point (compilation), then a sweep of
   ``SCALING_POINTS`` points is timed: patients per second, and the parallel efficiency
   ``rate(2) / (2 rate(1))``.
2. Streaming: ``microneedling sweep --scheduler ... --out`` (the real CLI, in its own process) on fresh workers,
   first ``SMALL_POINTS`` points, then ``BIG_POINTS`` points (default 100 x 10,000 = 1,000,000 patients).
   Peak resident memory (``VmHWM``) of the client and of each worker: bounded memory means the peaks do not grow
   with the number of points.

Prints a table and one JSON line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from microneedling.trials.cluster import local_cluster_processes

ROOT = Path(__file__).resolve().parents[1]
N = int(os.environ.get("SWEEP_N", 10_000))
SCALING_POINTS = int(os.environ.get("SCALING_POINTS", 10))
SMALL_POINTS = int(os.environ.get("SMALL_POINTS", 10))
BIG_POINTS = int(os.environ.get("BIG_POINTS", 100))

# the client: runs the CLI and writes its own peak resident memory (kB) to argv[1]
CLIENT = """
import sys
from microneedling.cli import main
code = main(sys.argv[2:])
with open("/proc/self/status") as fh:
    peak = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
with open(sys.argv[1], "w") as fh:
    fh.write(str(peak))
sys.exit(code)
"""


def _spec(tmp: Path) -> Path:
    spec = yaml.safe_load((ROOT / "examples" / "trial.yaml").read_text())
    spec["arms"][0]["population"]["n"] = N
    path = tmp / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def _grid(points: int) -> list[str]:
    """``--grid`` items of ``points`` points: up to 10 needle lengths, then 10 lengths x points/10 intervals
    (the same array shapes throughout)."""
    lengths = [round(0.5 + 0.15 * i, 2) for i in range(min(points, 10))]
    if points <= 10:
        return ["needle_length_mm=" + ",".join(map(str, lengths))]
    if points % 10:
        raise SystemExit("more than 10 points: give a multiple of 10")
    intervals = [round(2.0 + 0.25 * j, 2) for j in range(points // 10)]
    return ["needle_length_mm=" + ",".join(map(str, lengths)), "interval_weeks=" + ",".join(map(str, intervals))]


def _grid_args(points: int) -> list[str]:
    return [arg for item in _grid(points) for arg in ("--grid", item)]


def throughput(workers: int, spec_file: Path, tmp: Path, cache: Path) -> dict:
    from distributed import Client

    from microneedling.trials.spec import load_spec
    from microneedling.trials.sweep import parse_grid, payloads, run_point, run_sweep

    spec = load_spec(spec_file)  # this process only validates and collects rows: it computes nothing
    with local_cluster_processes(workers, tmp / f"throughput-{workers}", cache_dir=cache, idle_timeout_s=600) as cluster:
        with Client(cluster.address, timeout="30s") as client:  # one point per worker: compile everywhere
            warm = payloads(spec, parse_grid(["needle_length_mm=2.9"]))[0]
            client.gather([client.submit(run_point, warm, workers=[w], pure=False, allow_other_workers=False)
                           for w in client.nthreads()])
        grid = parse_grid(_grid(SCALING_POINTS))
        t0 = time.perf_counter()
        df = run_sweep(spec, grid, scheduler=cluster.address)
        seconds = time.perf_counter() - t0
    points = len(df) // len(spec.timepoints_weeks)
    return {"workers": workers, "points": points, "patients": points * N, "seconds": round(seconds, 2),
            "patients_per_s": round(points * N / seconds, 1)}


def streamed(points: int, spec_file: Path, tmp: Path, cache: Path) -> dict:
    import pyarrow.parquet as pq

    out = tmp / f"sweep-{points}"
    peak_file = tmp / f"client-{points}.kb"
    with local_cluster_processes(2, tmp / f"streamed-{points}", cache_dir=cache, idle_timeout_s=600) as cluster:
        env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
        env["MICRONEEDLING_CACHE_DIR"] = str(cache)
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", CLIENT, str(peak_file), "sweep", str(spec_file), *_grid_args(points),
                            "--scheduler", cluster.address, "--out", str(out), "--json"], env=env, cwd=ROOT,
                           capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit(f"sweep failed: {r.stderr}")
        workers_mb = cluster.worker_peaks_mb()
    summary = json.loads(r.stdout)
    meta = pq.ParquetFile(out / "results.parquet").metadata
    return {"points": summary["points"], "patients": summary["points"] * N, "rows": summary["rows"],
            "row_groups": meta.num_row_groups, "seconds": round(seconds, 1),
            "patients_per_s": round(summary["points"] * N / seconds, 1),
            "client_peak_mb": round(int(peak_file.read_text()) / 1024, 1), "worker_peak_mb": workers_mb,
            "parquet_kb": round((out / "results.parquet").stat().st_size / 1024, 1)}


def main() -> None:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        cache = tmp / "jax-cache"
        spec_file = _spec(tmp)
        scaling = [throughput(w, spec_file, tmp, cache) for w in (1, 2)]
        efficiency = scaling[1]["patients_per_s"] / (2 * scaling[0]["patients_per_s"])
        small = streamed(SMALL_POINTS, spec_file, tmp, cache)
        big = streamed(BIG_POINTS, spec_file, tmp, cache)
    # memory a worker gains per point it runs: compiled programs kept per point would show here, patients not
    # (each point's patients are freed before the next)
    per_worker = (BIG_POINTS - SMALL_POINTS) / 2
    growth = (sum(big["worker_peak_mb"]) - sum(small["worker_peak_mb"])) / 2 / per_worker
    out = {"benchmark": "sweep_scaling", "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
           "cpus": os.cpu_count(), "patients_per_point": N, "load_before": round(load_before, 2),
           "load_after": round(os.getloadavg()[0], 2), "scaling": scaling,
           "parallel_efficiency": round(efficiency, 2), "streamed": [small, big],
           "worker_growth_mb_per_point": round(growth, 2)}
    print(f"{'workers':>7} {'points':>6} {'patients':>9} {'seconds':>8} {'patients/s':>10}")
    for s in scaling:
        print(f"{s['workers']:>7} {s['points']:>6} {s['patients']:>9} {s['seconds']:>8.1f} {s['patients_per_s']:>10.0f}")
    print(f"parallel efficiency (2 workers): {efficiency:.2f} on {os.cpu_count()} cores")
    print(f"{'streamed':>8} {'patients':>9} {'row groups':>10} {'seconds':>8} {'patients/s':>10} {'client MB':>9} "
          f"{'worker MB':>14}")
    for s in (small, big):
        print(f"{s['points']:>8} {s['patients']:>9} {s['row_groups']:>10} {s['seconds']:>8.1f} "
              f"{s['patients_per_s']:>10.0f} {s['client_peak_mb']:>9.0f} {str(s['worker_peak_mb']):>14}")
    print(f"worker peak growth: {growth:.2f} MB per point ({SMALL_POINTS} -> {BIG_POINTS} points on 2 workers)")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
