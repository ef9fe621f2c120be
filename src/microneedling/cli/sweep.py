"""``microneedling sweep SPEC.yaml --grid key=values ...``: many trial variants, locally or on Dask."""

from __future__ import annotations

from pathlib import Path

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, progress_bar, stdout


@app.command()
def sweep(
    spec_file: Path = typer.Argument(..., help="Trial spec (YAML) to vary."),
    grid: list[str] = typer.Option(..., "--grid", help="key=v1,v2 or key=a..b; repeat for more keys "
                                   "(needle_length_mm, sessions, interval_weeks, device, n)."),
    arm: list[str] = typer.Option(None, "--arm", help="Arm(s) to vary (default: every treated arm)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:port); "
                                         "local loop when absent."),
    out: Path = typer.Option(Path("sweep-out"), "--out", help="Folder for results.parquet, results.csv, heatmap.png."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object (summary and file names)."),
) -> None:
    """Run the spec over the product of the grids; write Parquet, CSV and a heat map.

    results.parquet is written as the points complete (one row group per point, in grid order), so a large
    sweep on a cluster is never held in memory; results.csv and heatmap.png are made from it at the end.
    """
    import pandas as pd

    from microneedling.trials.spec import load_spec
    from microneedling.trials.sweep import grid_points, parse_grid, payloads, write_sweep

    spec = load_spec(spec_file)
    g = parse_grid(grid)
    payloads(spec, g, arm or None)  # validate every variant before running anything
    from microneedling.report.html import figure_to_data_uri, write_outputs
    from microneedling.report.sections.trial import sweep_heatmap

    n_points = len(grid_points(g))
    with progress_bar("sweep", n_points, enabled=not json_output) as advance:
        n_rows = write_sweep(spec, g, out / "results.parquet", arm or None, scheduler, on_done=lambda k: advance(k))
    # the summary table: one row per point, arm and timepoint (at most MAX_POINTS points)
    df = pd.read_parquet(out / "results.parquet")
    keys = list(g)
    numeric = [k for k in keys if k != "device"]
    x = numeric[0] if numeric else keys[0]
    y = numeric[1] if len(numeric) > 1 else None
    shown = arm[0] if arm else next(a.name for a in spec.arms if a.protocol.treated)
    fig = sweep_heatmap(df, x, y, shown)
    import base64

    png = base64.b64decode(figure_to_data_uri(fig).split(",", 1)[1])
    write_outputs(out, {"results.csv": df.to_csv(index=False), "heatmap.png": png})
    summary = {"name": spec.name, "points": n_points, "rows": n_rows, "grid": g,
               "scheduler": scheduler or "local", "out": str(out),
               "files": ["results.parquet", "results.csv", "heatmap.png"]}
    if json_output:
        print_json(summary)
    else:
        stdout.print(f"{n_points} variants, {n_rows} rows -> {out}/results.parquet, results.csv, heatmap.png")
