"""``microneedling demo``: the main job on the built-in sample patients."""

from __future__ import annotations

from pathlib import Path

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, progress_bar, stderr


@app.command()
def demo(
    out: Path = typer.Option(Path("demo-out"), "--out", help="Folder for report.html and results.json."),
    patients: Path | None = typer.Option(None, "--patients", help="YAML of patients (default: examples/patients.yaml)."),
    json_output: bool = typer.Option(False, "--json", help="Print results.json on stdout."),
) -> None:
    """Run every engine stage on sample patients; write a self-contained report.html and results.json."""
    from microneedling.report.demo import SECTIONS, run_demo

    with progress_bar("demo", total=len(SECTIONS), enabled=not json_output) as advance:
        results = run_demo(out, patients, on_step=lambda name: advance(1, name))
    if json_output:
        print_json(results)
    else:
        stderr.print(f"wrote {out / 'report.html'} and {out / 'results.json'}")
