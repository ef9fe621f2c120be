"""Sweeps on a real Dask cluster: ``dask scheduler`` and two ``dask worker`` processes on loopback, each a
separate process as on a cluster (not a LocalCluster), running ``microneedling sweep --scheduler``; the rows are
those of the local loop. The workers share one compilation cache folder, as the nodes of a cluster sharing a
file system would; plain workers need no set-up, since each point configures the process it runs in.

Also the streaming of :func:`microneedling.trials.sweep.iter_sweep`: grid order whatever the completion
order, at most ``window`` points ahead of the first unfinished one, no partial file left on failure.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from microneedling.errors import InputError
from microneedling.trials import sweep as sweep_module
from microneedling.trials.cluster import local_cluster_processes
from microneedling.trials.spec import spec_from_dict
from microneedling.trials.sweep import iter_sweep, parse_grid, write_sweep
from tests.test_trial_spec import EXAMPLE_SPEC


def _spec_dict() -> dict:
    d = copy.deepcopy(EXAMPLE_SPEC)
    d["arms"][0]["population"]["n"] = 40
    d["draws"] = 20
    return d


@pytest.fixture(scope="module")
def loopback_cluster(tmp_path_factory):
    """``tcp://127.0.0.1:PORT`` of a scheduler with two single-thread worker processes sharing one compilation
    cache folder (:func:`microneedling.trials.cluster.local_cluster_processes`); all three are ended in the
    teardown, whatever the tests did."""
    tmp = tmp_path_factory.mktemp("cluster")
    cache = tmp / "jax-cache"
    with local_cluster_processes(2, tmp, cache_dir=cache, start_timeout_s=60) as cluster:
        from distributed import Client

        with Client(cluster.address, timeout="30s") as client:
            assert sum(client.nthreads().values()) == 2
        assert len(cluster.worker_pids) == 2
        yield {"address": cluster.address, "cache": cache, "tmp": tmp, "pids": cluster.worker_pids}


def test_the_cluster_processes_end_with_the_context(tmp_path):
    with local_cluster_processes(1, tmp_path, start_timeout_s=60) as cluster:
        (pid,) = cluster.worker_pids
        assert cluster.worker_peaks_mb()[0] > 0
    # the worker and the scheduler were ended and reaped: the worker's pid is gone
    assert not Path(f"/proc/{pid}").exists()
    assert {p.name for p in tmp_path.glob("*.log")} == {"scheduler.log", "worker0.log"}


def _cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    code = "import sys; from microneedling.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=300)


def test_cli_sweep_on_scheduler_and_two_worker_processes_equals_the_local_run(loopback_cluster, run_cli,
                                                                              tmp_path):
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(yaml.safe_dump(_spec_dict()))
    grid = ["--grid", "needle_length_mm=1,1.5", "--grid", "sessions=3"]
    r = run_cli("sweep", str(spec_file), *grid, "--scheduler", loopback_cluster["address"],
                "--out", str(tmp_path / "cluster"), "--json")
    assert r.code == 0, r.err
    summary = r.json()
    assert summary["scheduler"] == loopback_cluster["address"] and summary["points"] == 2
    # the worker processes computed: they configured themselves and stored their kernels in the shared cache,
    # both compiling the same kernels into it at the same time
    assert list(loopback_cluster["cache"].glob("*-cache"))
    for log in loopback_cluster["tmp"].glob("worker*.log"):
        assert "compilation cache" not in log.read_text(errors="replace"), log.read_text(errors="replace")
    # the local loop, in a process of its own set up as a worker (one XLA device), on the workers' cache
    local = _cli("sweep", str(spec_file), *grid, "--out", str(tmp_path / "local"), "--json",
                 env={"MICRONEEDLING_CACHE_DIR": str(loopback_cluster["cache"]),
                      "XLA_FLAGS": "--xla_force_host_platform_device_count=1"})
    assert local.returncode == 0, local.stderr
    assert json.loads(local.stdout)["scheduler"] == "local"
    cluster_rows = pd.read_parquet(tmp_path / "cluster" / "results.parquet")
    local_rows = pd.read_parquet(tmp_path / "local" / "results.parquet")
    assert len(cluster_rows) == summary["rows"] == 2 * len(EXAMPLE_SPEC["timepoints_weeks"])
    pd.testing.assert_frame_equal(cluster_rows, local_rows, check_exact=True)
    assert (tmp_path / "cluster" / "results.csv").read_text() == (tmp_path / "local" / "results.csv").read_text()


def test_unreachable_scheduler_is_one_line_and_writes_nothing(run_cli, tmp_path):
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(yaml.safe_dump(_spec_dict()))
    # a malformed address fails at once; an address where nothing listens takes the 10 s connect timeout
    r = run_cli("sweep", str(spec_file), "--grid", "sessions=1,3", "--scheduler", "tcp://127.0.0.1:notaport",
                "--out", str(tmp_path / "o"))
    assert r.code == 2 and "scheduler" in r.err and len(r.err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


# -- streaming, with a stand-in for run_point (no JAX) on an in-process cluster --------------------------

# a stand-in for run_point, pickled by reference and run by in-process workers, so it records in this module
_RUN: dict = {}


def _fake_point(payload: str) -> list[dict]:
    """Point ``sessions=1`` is slow, point ``fail_at`` raises; records when each point started and finished."""
    s = json.loads(payload)["point"]["sessions"]
    with _RUN["lock"]:
        _RUN["started"][s] = time.monotonic()
    if s == _RUN["fail_at"]:
        raise RuntimeError(f"point {s} failed")
    time.sleep(_RUN["slow_s"] if s == 1 else 0.01)
    with _RUN["lock"]:
        _RUN["finished"][s] = time.monotonic()
    return [{"sessions": s, "arm": "needling", "week": 12.0, "score_mean": float(s)}]


@pytest.fixture
def fake_points(monkeypatch):
    def setup(slow_s: float = 0.6, fail_at: int | None = None) -> dict:
        _RUN.clear()
        _RUN.update(lock=threading.Lock(), started={}, finished={}, slow_s=slow_s, fail_at=fail_at)
        monkeypatch.setattr(sweep_module, "run_point", _fake_point)
        return _RUN

    return setup


@pytest.fixture
def in_process_cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_points_come_in_grid_order_within_the_window(fake_points, in_process_cluster):
    run = fake_points()
    done = []
    got = [rows[0]["sessions"] for rows in iter_sweep(spec_from_dict(_spec_dict()), parse_grid(["sessions=1..6"]),
                                                      scheduler=in_process_cluster, on_done=done.append,
                                                      window=2)]
    assert got == [1, 2, 3, 4, 5, 6] and len(done) == 6
    # sessions=2 finished long before sessions=1, yet sessions=3 was only submitted once sessions=1 was done:
    # never more than `window` points ahead of the first unfinished one
    assert run["finished"][2] < run["finished"][1] <= run["started"][3]


def test_write_sweep_streams_one_row_group_per_point(fake_points, in_process_cluster, tmp_path):
    import pyarrow.parquet as pq

    fake_points(slow_s=0.2)
    path = tmp_path / "results.parquet"
    n = write_sweep(spec_from_dict(_spec_dict()), parse_grid(["sessions=1..4"]), path, scheduler=in_process_cluster)
    assert n == 4 and pq.ParquetFile(path).num_row_groups == 4
    assert pd.read_parquet(path)["sessions"].tolist() == [1, 2, 3, 4]
    assert [p.name for p in tmp_path.iterdir()] == ["results.parquet"]


def test_a_failed_point_leaves_no_partial_file(fake_points, in_process_cluster, tmp_path):
    fake_points(slow_s=0.01, fail_at=3)
    with pytest.raises(RuntimeError, match="point 3 failed"):
        write_sweep(spec_from_dict(_spec_dict()), parse_grid(["sessions=1..4"]), tmp_path / "results.parquet",
                    scheduler=in_process_cluster)
    assert list(tmp_path.iterdir()) == []


def test_bad_grid_value_is_refused_before_anything_runs(fake_points):
    run = fake_points()
    with pytest.raises(InputError):
        iter_sweep(spec_from_dict(_spec_dict()), parse_grid(["sessions=0..2"]))
    assert run["started"] == {}
