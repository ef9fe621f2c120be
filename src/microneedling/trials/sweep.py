"""Parameter sweeps: one trial spec, many protocol variants, run locally or on a Dask cluster.

A grid is ``key=v1,v2,...`` or ``key=a..b`` (integers a to b inclusive) per swept key; the product of the
grids is applied to the chosen arm(s) (by default every treated arm) and each variant is validated as a
spec of its own, so a bad grid value fails with the same one-line error as a bad spec. Each variant keeps
the spec's seed (common random numbers: variants differ only by protocol). Points run in a loop, or as
Dask futures when a scheduler address is given; the rows are the same either way.

On a cluster the points are streamed: at most ``window`` points are submitted ahead of the first unfinished
one, each point's rows are taken as its future completes (``as_completed``) and handed on in grid order, and
:func:`write_sweep` appends them to the Parquet file as one row group per point. The client so holds the rows
of at most ``window`` points, and each worker the virtual patients of the point it is running, however many
points and patients the sweep has. Workers need no set-up: a point configures the process it runs in
(float64, the compilation cache of :func:`microneedling.configure`, one XLA host device: the worker's threads
run one point each, on one core).
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from microneedling.errors import InputError
from microneedling.trials.spec import TrialSpec, spec_from_dict

# swept key -> (section of the arm, type)
GRID_KEYS: dict[str, tuple[str, type]] = {
    "needle_length_mm": ("protocol", float),
    "sessions": ("protocol", int),
    "interval_weeks": ("protocol", float),
    "device": ("protocol", str),
    "n": ("population", int),
}
MAX_POINTS = 400


def parse_grid(items: list[str]) -> dict[str, list]:
    """``["needle_length_mm=0.5,1", "sessions=1..3"]`` -> ``{"needle_length_mm": [0.5, 1.0], "sessions": [1, 2, 3]}``."""
    grid: dict[str, list] = {}
    for item in items:
        if "=" not in item:
            raise InputError("grid", item, "must look like key=v1,v2 or key=a..b")
        key, _, text = item.partition("=")
        key = key.strip()
        if key not in GRID_KEYS:
            raise InputError("grid", key, f"key must be one of {sorted(GRID_KEYS)}")
        if key in grid:
            raise InputError("grid", key, "each key may be swept once")
        kind = GRID_KEYS[key][1]
        try:
            if ".." in text:
                a, _, b = text.partition("..")
                lo, hi = int(a), int(b)
                if kind is not int or hi < lo:
                    raise ValueError
                values = list(range(lo, hi + 1))
            else:
                values = [kind(v.strip()) for v in text.split(",") if v.strip()]
        except ValueError:
            raise InputError(f"grid.{key}", text, f"must be a comma list of {kind.__name__} values"
                             + (" or an integer range a..b with a <= b" if kind is int else "")) from None
        if not values:
            raise InputError(f"grid.{key}", text, "needs at least one value")
        grid[key] = values
    if not grid:
        raise InputError("grid", "", "give at least one --grid key=values")
    n_points = 1
    for v in grid.values():
        n_points *= len(v)
    if n_points > MAX_POINTS:
        raise InputError("grid", n_points, f"at most {MAX_POINTS} points per sweep")
    return grid


def grid_points(grid: dict[str, list]) -> list[dict]:
    keys = list(grid)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(grid[k] for k in keys))]


def variant(spec: TrialSpec, point: dict, arms: list[str] | None = None) -> TrialSpec:
    """``spec`` with ``point`` applied to ``arms`` (default: every treated arm), validated."""
    raw = spec.model_dump(mode="json")
    targets = arms if arms is not None else [a["name"] for a in raw["arms"] if a["protocol"]["device"] != "none"]
    names = [a["name"] for a in raw["arms"]]
    for t in targets:
        if t not in names:
            raise InputError("arm", t, f"must be one of {names}")
    if not targets:
        raise InputError("arm", "", "the spec has no treated arm to sweep; name one with --arm")
    for a in raw["arms"]:
        if a["name"] in targets:
            for key, value in point.items():
                section = GRID_KEYS[key][0]
                a[section][key] = value
    return spec_from_dict(raw)


def _configure_process() -> None:
    """:func:`microneedling.configure` where a point runs. On a Dask worker with one XLA host device: Dask runs
    one point per worker thread, each on one core; elsewhere (the local loop) one device per core, so that each
    point in turn shards its patients over all cores. Idempotent."""
    from microneedling.config import configure

    devices = None
    try:
        from distributed import get_worker

        get_worker()
        devices = 1
    except (ImportError, ValueError):  # not on a Dask worker
        pass
    configure(cpu_devices=devices)


def run_point(payload: str) -> list[dict]:
    """Run one variant (JSON payload ``{"point": ..., "spec": ...}``); rows tagged with the point values.
    A module-level function of plain data, so Dask can ship it to workers; it configures the process it runs
    in, so plain ``dask worker`` processes need no set-up."""
    _configure_process()
    from microneedling.trials.run import results_rows, run_trial

    data = json.loads(payload)
    spec = spec_from_dict(data["spec"])
    rows = results_rows(run_trial(spec))
    return [{**data["point"], **row} for row in rows]


def payloads(spec: TrialSpec, grid: dict[str, list], arms: list[str] | None = None) -> list[str]:
    out = []
    for point in grid_points(grid):
        v = variant(spec, point, arms)
        out.append(json.dumps({"point": point, "spec": v.model_dump(mode="json")}))
    return out


def iter_sweep(spec: TrialSpec, grid: dict[str, list], arms: list[str] | None = None,
               scheduler: str | None = None, on_done: Callable[[int], None] | None = None,
               window: int | None = None) -> Iterator[list[dict]]:
    """The rows of each grid point, in grid order. Locally the points run one after the other; with a
    ``scheduler`` address they run as Dask futures, at most ``window`` (default: twice the cluster's worker
    threads) ahead of the first unfinished point, and a point's rows are yielded once it and every earlier
    point are done. ``on_done(1)`` is called as each point completes (in completion order). Every variant is
    validated when this is called, before anything runs; the scheduler is reached on the first ``next``."""
    jobs = payloads(spec, grid, arms)
    if scheduler is None:
        return _run_local(jobs, on_done)
    return _run_dask(jobs, scheduler, on_done, window)


def _run_local(jobs: list[str], on_done: Callable[[int], None] | None) -> Iterator[list[dict]]:
    for job in jobs:
        rows = run_point(job)
        if on_done:
            on_done(1)
        yield rows


def _run_dask(jobs: list[str], scheduler: str, on_done: Callable[[int], None] | None,
              window: int | None) -> Iterator[list[dict]]:
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError("scheduler", scheduler, f"no Dask scheduler reachable ({type(exc).__name__})") from None
    try:
        if window is None:
            window = 2 * max(1, sum(client.nthreads().values()))
        running = as_completed()
        index: dict[str, int] = {}  # future key -> grid point
        done: dict[int, list[dict]] = {}  # finished points waiting for an earlier one
        submitted = yielded = 0

        def top_up() -> None:
            nonlocal submitted
            while submitted < len(jobs) and submitted - yielded < window:
                fut = client.submit(run_point, jobs[submitted], pure=False)
                index[fut.key] = submitted
                running.add(fut)
                submitted += 1

        top_up()
        for fut in running:
            done[index.pop(fut.key)] = fut.result()
            fut.release()
            if on_done:
                on_done(1)
            while yielded in done:
                rows = done.pop(yielded)
                yielded += 1
                top_up()
                yield rows
    finally:
        client.close()


def run_sweep(spec: TrialSpec, grid: dict[str, list], arms: list[str] | None = None,
              scheduler: str | None = None, on_done: Callable[[int], None] | None = None):
    """All grid points -> a pandas DataFrame (one row per point, arm and timepoint)."""
    import pandas as pd

    rows: list[dict] = []
    for point_rows in iter_sweep(spec, grid, arms, scheduler, on_done):
        rows.extend(point_rows)
    return pd.DataFrame(rows)


def write_sweep(spec: TrialSpec, grid: dict[str, list], path: str | Path, arms: list[str] | None = None,
                scheduler: str | None = None, on_done: Callable[[int], None] | None = None,
                window: int | None = None) -> int:
    """Run the sweep (:func:`iter_sweep`) straight into the Parquet file ``path``, one row group per grid point
    appended in grid order as points complete; returns the number of rows. The file is written under a
    temporary name beside ``path`` and renamed into place when the sweep is complete, so ``path`` never holds
    a partial sweep. The rows are those of :func:`run_sweep`, in the same order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    points = iter_sweep(spec, grid, arms, scheduler, on_done, window)
    tmp = None
    writer = None
    n_rows = 0
    try:
        for rows in points:  # nothing is created before the first point is done (a bad scheduler fails first)
            table = pa.Table.from_pylist(rows)
            if writer is None:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
                os.close(fd)
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
            n_rows += table.num_rows
        if writer is None:
            raise InputError("grid", "", "the sweep produced no rows")
        writer.close()
        writer = None
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        points.close()
        if writer is not None:
            writer.close()
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return n_rows


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
