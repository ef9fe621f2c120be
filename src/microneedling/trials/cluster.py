"""A Dask cluster of separate processes on this machine: ``dask scheduler`` and ``dask worker`` on 127.0.0.1.

Each process is what it would be on a real cluster (not a ``LocalCluster`` inside the caller): a scheduler and
``n_workers`` single-thread workers without nanny or dashboard, every one in a process group of its own, so that
:func:`local_cluster_processes` ends exactly the processes it started, workers before the scheduler, whatever
happened inside the ``with`` block. The workers may share one compilation cache folder, as the nodes of a
cluster sharing a file system would. Should the caller die without ending them, the scheduler ends itself after
``idle_timeout_s`` idle seconds and the workers ``death_timeout_s`` seconds after losing it.

Used by the sweep cluster test and ``benchmarks/sweep_scaling.py``; a point needs no set-up on the workers
(:mod:`microneedling.trials.sweep`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from microneedling.config import CACHE_ENV


def dask_executable() -> Path:
    """The ``dask`` command of the running interpreter's environment."""
    return Path(sys.executable).with_name("dask")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_resident_mb(pid: int) -> float:
    """Peak resident memory (``VmHWM``, MB) of the process ``pid`` on this machine (Linux)."""
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024


@dataclass
class LoopbackCluster:
    """A running scheduler (``address``, ``tcp://127.0.0.1:PORT``) and its workers' process ids; ``folder``
    holds the logs (``scheduler.log``, ``worker0.log``, ...) and the workers' local directories."""

    address: str
    folder: Path
    worker_pids: list[int] = field(default_factory=list)

    def worker_peaks_mb(self) -> list[float]:
        """Peak resident memory (MB) of each worker so far."""
        return [round(peak_resident_mb(pid), 1) for pid in self.worker_pids]


def _stop(procs: list[subprocess.Popen]) -> None:
    """End the processes (each leads its own process group), last started first, then reap them."""
    for p in reversed(procs):
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


@contextmanager
def local_cluster_processes(n_workers: int, folder: Path, cache_dir: Path | None = None,
                            idle_timeout_s: int = 300, death_timeout_s: int = 60,
                            start_timeout_s: int = 120) -> Iterator[LoopbackCluster]:
    """Start a scheduler and ``n_workers`` single-thread worker processes on loopback, wait until every worker
    has joined, yield the :class:`LoopbackCluster`, and end all of them on exit.

    ``folder`` (created if missing) takes the logs and the workers' local directories; ``cache_dir``, when
    given, is the compilation cache folder of every worker (``MICRONEEDLING_CACHE_DIR``). Workers have no
    memory limit (a sweep point's memory is measured, not policed). Timeouts in seconds."""
    if n_workers < 1:
        raise ValueError("n_workers must be >= 1")
    folder.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if cache_dir is not None:
        env[CACHE_ENV] = str(cache_dir)
    port = free_port()
    cluster = LoopbackCluster(address=f"tcp://127.0.0.1:{port}", folder=folder)
    procs: list[subprocess.Popen] = []
    logs = []

    def start(name: str, args: list[str]) -> None:
        log = open(folder / f"{name}.log", "ab")  # noqa: SIM115 - closed on exit
        logs.append(log)
        procs.append(subprocess.Popen([str(dask_executable()), *args], env=env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True))

    try:
        start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard",
                            "--idle-timeout", f"{idle_timeout_s}s"])
        for i in range(n_workers):
            start(f"worker{i}", ["worker", cluster.address, "--host", "127.0.0.1", "--nthreads", "1",
                                 "--no-nanny", "--no-dashboard", "--death-timeout", f"{death_timeout_s}s",
                                 "--memory-limit", "0", "--local-directory", str(folder / f"worker{i}")])
        from distributed import Client

        with Client(cluster.address, timeout="30s") as client:
            client.wait_for_workers(n_workers, timeout=start_timeout_s)
            cluster.worker_pids = sorted(client.run(os.getpid).values())
        yield cluster
    finally:
        _stop(procs)
        for log in logs:
            log.close()
