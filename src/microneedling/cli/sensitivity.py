"""``microneedling sensitivity``: Sobol indices of the predicted 6-month change to every calibrated and assumed
parameter (:mod:`microneedling.sensitivity`), the top 10 by total index printed with their intervals."""

from __future__ import annotations

from pathlib import Path

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, progress_bar, stdout

OUTPUT_NAMES = ("gb_quantitative_change", "depth_change_icepick", "depth_change_boxcar", "depth_change_rolling")


@app.command()
def sensitivity(
    samples: int = typer.Option(256, "--samples", min=2, help="Base samples N (a power of 2); the model runs "
                                "N x (parameters + 2) times."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the scrambled Sobol sequence and the bootstrap."),
    output: str = typer.Option("gb_quantitative_change", "--output",
                               help=f"Output whose top 10 is printed: {', '.join(OUTPUT_NAMES)}."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object (ranges, indices of every "
                                     "output)."),
    out: Path | None = typer.Option(None, "--out", help="Also write sensitivity.json and report.html here."),
) -> None:
    """Global sensitivity (Sobol S1 and ST with 95% intervals) of the reference patient's predicted change."""
    from microneedling.errors import InputError

    if samples & (samples - 1):
        raise InputError("samples", samples, "must be a power of 2 (Sobol sequence)")
    if output not in OUTPUT_NAMES:
        raise InputError("output", output, f"must be one of {', '.join(OUTPUT_NAMES)}")
    from rich.table import Table

    from microneedling.sensitivity import run_sensitivity, top, uncertain_ranges

    total = samples * (len(uncertain_ranges()) + 2)
    with progress_bar("model runs", total, enabled=not json_output) as advance:
        state = {"done": 0}

        def on_progress(done: int, total: int) -> None:
            advance(done - state["done"])
            state["done"] = done

        result = run_sensitivity(samples=samples, seed=seed, on_progress=on_progress)
    if out is not None:
        from microneedling.citations import format_references
        from microneedling.report.encoding import to_json
        from microneedling.report.html import render_html, write_outputs
        from microneedling.report.sections.sensitivity import TITLE, sensitivity_section

        html = render_html(TITLE, [sensitivity_section(result, output)], format_references())
        write_outputs(out, {"sensitivity.json": to_json(result), "report.html": html})
    if json_output:
        print_json(result)
        return
    o = result["outputs"][output]
    table = Table(title=f"{o['label']}: top 10 by total index (95% intervals)")
    table.add_column("parameter", no_wrap=True)
    table.add_column("status")
    table.add_column("range (basis)")
    table.add_column("S1", no_wrap=True)
    table.add_column("ST", no_wrap=True)
    for r in top(result, output):
        unit = "" if r["unit"] == "1" else f" {r['unit']}"
        table.add_row(r["name"], r["status"], f"{r['low']:.3g}-{r['high']:.3g}{unit} ({r['basis']})",
                      f"{r['S1']:.2f} ± {r['S1_conf']:.2f}", f"{r['ST']:.2f} ± {r['ST_conf']:.2f}")
    stdout.print(table)
    stdout.print(f"{result['evaluations']} model runs ({result['samples']} base samples, "
                 f"{len(result['ranges'])} parameters) in {result['seconds']:.0f} s; mean {o['mean']:.3g}, "
                 f"SD {o['sd']:.3g}.")
    stdout.print(result["range_rules"])
