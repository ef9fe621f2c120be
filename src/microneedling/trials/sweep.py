"""Parameter sweeps: one trial spec, many protocol variants, run locally or on a Dask cluster.

A grid is ``key=v1,v2,...`` or ``key=a..b`` (integers a to b inclusive) per swept key; the product of the
grids is applied to the chosen arm(s) (by default every treated arm) and each variant is validated as a
spec of its own, so a bad grid value fails with the same one-line error as a bad spec. Each variant keeps
the spec's seed (common random numbers: variants differ only by protocol). Points run in a loop, or as
Dask futures when a scheduler address is given; the rows are the same either way.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

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


def run_point(payload: str) -> list[dict]:
    """Run one variant (JSON payload ``{"point": ..., "spec": ...}``); rows tagged with the point values.
    A module-level function of plain data, so Dask can ship it to workers."""
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


def run_sweep(spec: TrialSpec, grid: dict[str, list], arms: list[str] | None = None,
              scheduler: str | None = None, on_done: Callable[[int], None] | None = None):
    """All grid points -> a pandas DataFrame (one row per point, arm and timepoint)."""
    import pandas as pd

    jobs = payloads(spec, grid, arms)  # every variant validated before anything runs
    rows: list[dict] = []
    if scheduler is None:
        for job in jobs:
            rows.extend(run_point(job))
            if on_done:
                on_done(1)
    else:
        from distributed import Client, as_completed

        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError("scheduler", scheduler, f"no Dask scheduler reachable ({type(exc).__name__})") from None
        try:
            futures = client.map(run_point, jobs, pure=False)
            order = {f.key: i for i, f in enumerate(futures)}
            done: dict[int, list[dict]] = {}
            for fut in as_completed(futures):
                done[order[fut.key]] = fut.result()
                if on_done:
                    on_done(1)
            for i in range(len(jobs)):
                rows.extend(done[i])
        finally:
            client.close()
    return pd.DataFrame(rows)
