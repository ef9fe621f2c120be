"""Sweeps: grid parsing and validation, local and Dask runs give the same rows, files written.

The spec is the documented example (tests/test_trial_spec.py) with a small cohort; the grid syntax is the
issue's (``needle_length_mm=0.5,1,1.5,2``, ``sessions=1..6``).
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from microneedling.errors import InputError
from microneedling.trials.spec import spec_from_dict
from microneedling.trials.sweep import grid_points, parse_grid, run_sweep, variant
from tests.test_trial_spec import EXAMPLE_SPEC


def _small_spec_dict() -> dict:
    d = copy.deepcopy(EXAMPLE_SPEC)
    d["arms"][0]["population"]["n"] = 40
    d["draws"] = 20
    return d


def _small_spec():
    return spec_from_dict(_small_spec_dict())


def test_parse_grid_lists_and_ranges():
    g = parse_grid(["needle_length_mm=0.5,1,1.5,2", "sessions=1..6"])
    assert g == {"needle_length_mm": [0.5, 1.0, 1.5, 2.0], "sessions": [1, 2, 3, 4, 5, 6]}
    assert len(grid_points(g)) == 24


@pytest.mark.parametrize("items,field", [
    (["depth=1,2"], "grid"),
    (["sessions=3..1"], "grid.sessions"),
    (["needle_length_mm=a,b"], "grid.needle_length_mm"),
    (["needle_length_mm=0.5..2"], "grid.needle_length_mm"),
    (["sessions"], "grid"),
    ([], "grid"),
])
def test_bad_grids_are_refused(items, field):
    with pytest.raises(InputError) as exc:
        parse_grid(items)
    assert exc.value.field == field


def test_variant_is_validated_like_a_spec():
    spec = _small_spec()
    v = variant(spec, {"needle_length_mm": 1.0, "sessions": 5})
    assert v.arms[0].protocol.needle_length_mm == 1.0 and v.arms[0].protocol.sessions == 5
    with pytest.raises(InputError) as exc:
        variant(spec, {"needle_length_mm": 50.0})
    assert exc.value.field == "arms.0.protocol.needle_length_mm"


@pytest.fixture(scope="module")
def local_rows():
    return run_sweep(_small_spec(), {"sessions": [1, 3]})


def test_local_sweep_rows(local_rows):
    df = local_rows
    assert set(df["sessions"]) == {1, 3}
    assert len(df) == 2 * len(EXAMPLE_SPEC["timepoints_weeks"])
    for col in ("arm", "week", "score_mean", "score_ci95_low", "score_ci95_high", "change_mean", "responder_rate"):
        assert col in df.columns


def test_dask_local_cluster_gives_the_same_rows(local_rows):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        df = run_sweep(_small_spec(), {"sessions": [1, 3]}, scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(df.reset_index(drop=True), local_rows.reset_index(drop=True))


def test_cli_sweep_writes_parquet_csv_heatmap(run_cli, tmp_path):
    spec = tmp_path / "spec.yaml"
    # the spec of the runs above (same cohort size), so the kernels they compiled are reused
    spec.write_text(yaml.safe_dump(_small_spec_dict()))
    out = tmp_path / "sweep"
    r = run_cli("sweep", str(spec), "--grid", "needle_length_mm=0.5,1.5", "--grid", "sessions=1..2",
                "--out", str(out), "--json")
    assert r.code == 0, r.err
    summary = r.json()
    assert summary["points"] == 4
    df = pd.read_parquet(out / "results.parquet")
    assert len(df) == summary["rows"] == 4 * 2
    assert (out / "results.csv").read_text().startswith("needle_length_mm,sessions,arm")
    assert (out / "heatmap.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_sweep_bad_grid_exits_2(run_cli, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump(EXAMPLE_SPEC))
    r = run_cli("sweep", str(spec), "--grid", "sessions=0..2", "--out", str(tmp_path / "o"))
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "sessions" in r.err
    assert not (tmp_path / "o").exists()
