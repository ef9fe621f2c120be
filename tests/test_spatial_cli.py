"""``microneedling spatial`` and the session runner: output contract, refusals, coverage vs passes.

Passes 1 / 4 / 16 of the roller bracket the ~15 passes of the usual technique (Doddaballapur 2009);
the per-pass density is Engine I's device table, so more passes means more channels on the same patch.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microneedling.healing.spatial.session import SpatialQuery, run_spatial

SMALL = ["--grid", "16", "--patch-mm", "3.0", "--weeks", "4"]


def test_spatial_json_contract(run_cli):
    r = run_cli("spatial", "--device", "roller", "--needle-length-mm", "1.5", "--passes", "8", "--json", *SMALL)
    assert r.code == 0, r.err
    out = r.json()
    for key in ("coverage", "uniformity", "grid", "seconds"):
        assert key in out
    assert 0.0 <= out["coverage"] <= 1.0 and 0.0 < out["uniformity"] <= 1.0
    assert out["grid"]["n"] == 16 and out["grid"]["geometry"] == "plane"
    assert len(out["times_weeks"]) == len(out["coverage_series"]) == len(out["mean_new_collagen"])
    assert out["times_weeks"][-1] == pytest.approx(4.0)


def test_spatial_radial_runs(run_cli):
    r = run_cli("spatial", "--device", "pen", "--needle-length-mm", "1.0", "--geometry", "radial", "--grid", "24",
                "--weeks", "2", "--json")
    assert r.code == 0, r.err
    assert r.json()["grid"]["channels"] == 1


@pytest.mark.parametrize("args, field", [
    (["--device", "laser", "--needle-length-mm", "1.5"], "device"),
    (["--device", "roller", "--needle-length-mm", "-1"], "needle_length_mm"),
    (["--device", "roller", "--needle-length-mm", "1.5", "--passes", "0"], "passes"),
    (["--device", "roller", "--needle-length-mm", "1.5", "--geometry", "cube"], "geometry"),
    (["--device", "roller", "--needle-length-mm", "1.5", "--grid", "15"], "grid"),
    (["--device", "roller", "--needle-length-mm", "1.5", "--depth-mm", "2.5"], "depth_mm"),
    (["--device", "roller", "--needle-length-mm", "0.1"], "needle_length_mm"),
])
def test_spatial_refuses_bad_input(run_cli, args, field):
    r = run_cli("spatial", *args, "--json")
    assert r.code == 2
    assert r.out == ""
    assert len(r.err.strip().splitlines()) == 1 and field in r.err


@settings(max_examples=20, deadline=None)
@given(weeks=st.one_of(st.floats(max_value=0.0), st.floats(min_value=52.0001), st.just(float("nan"))))
def test_query_refuses_bad_weeks(weeks):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        SpatialQuery(device="roller", needle_length_mm=1.5, weeks=weeks)


def test_coverage_rises_with_passes():
    """Same patch and seed: 1, 4 and 16 roller passes give rising mean new collagen and coverage."""
    mean, cov = [], []
    for passes in (1, 4, 16):
        q = SpatialQuery(device="roller", needle_length_mm=1.5, passes=passes, grid=24, patch_mm=4.0, weeks=12,
                         saves=4, steps_per_save=40, seed=3)
        summary, _ = run_spatial(q)
        mean.append(summary["mean_new_collagen"][-1])
        cov.append(summary["coverage"])
    assert mean[0] < mean[1] < mean[2], mean
    assert cov[0] <= cov[1] <= cov[2] and cov[2] > cov[0], cov
