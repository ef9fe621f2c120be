"""``microneedling spatial``: how the micro-wounds of one session merge into remodelled tissue."""

from __future__ import annotations

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, stderr, stdout, validated


@app.command()
def spatial(
    device: str = typer.Option(..., "--device", help="roller, pen or stamp."),
    needle_length_mm: float = typer.Option(..., "--needle-length-mm", help="Needle length, mm (0, 3]."),
    passes: int = typer.Option(None, "--passes", help="Passes [1, 100] (default: the device's usual)."),
    weeks: float = typer.Option(12.0, "--weeks", help="Weeks after the session (0, 52]."),
    zone: str = typer.Option("cheek", "--zone", help="Facial zone."),
    sex: str = typer.Option("F", "--sex", help="F or M."),
    age_years: float = typer.Option(30.0, "--age-years", help="Age in years [12, 100]."),
    depth_mm: float = typer.Option(None, "--depth-mm", help="Depth of the modelled plane, mm (default: mid dermal channel)."),
    geometry: str = typer.Option("plane", "--geometry", help="plane (periodic patch) or radial (unit cell)."),
    grid: int = typer.Option(64, "--grid", help="Cells per side (plane, even) or rings (radial) [8, 512]."),
    patch_mm: float = typer.Option(4.0, "--patch-mm", help="Side of the periodic patch, mm [0.5, 20]."),
    seed: int = typer.Option(0, "--seed", help="Seed of the puncture pattern (>= 0)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Coverage (area remodelled at least half as much as the reference session) and uniformity over time."""
    from microneedling.healing.spatial.session import (  # heavy: JAX model, loaded on use
        SpatialQuery,
        run_spatial,
    )

    q = validated(SpatialQuery, device=device, needle_length_mm=needle_length_mm, passes=passes, weeks=weeks,
                  zone=zone, sex=sex, age_years=age_years, depth_mm=depth_mm, geometry=geometry, grid=grid,
                  patch_mm=patch_mm, seed=seed)
    if not json_output:
        stderr.print(f"solving {q.geometry} model on {q.grid} cells for {q.weeks:g} weeks ...")
    summary, _ = run_spatial(q)
    if json_output:
        print_json(summary)
        return
    g = summary["grid"]
    stdout.print(f"{summary['device']}, {summary['passes']} passes: {summary['punctures_per_cm2']:.0f} punctures/cm2, "
                 f"channel radius {summary['channel_radius_um']:.0f} um at {summary['depth_mm']:.2f} mm")
    stdout.print(f"after {summary['weeks']:g} weeks: coverage {summary['coverage']:.2f}, "
                 f"uniformity {summary['uniformity']:.3f} ({g['geometry']}, {g['n']} cells, {summary['seconds']:.1f} s)")
