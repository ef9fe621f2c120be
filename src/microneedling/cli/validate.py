"""``microneedling validate``: the sub-models that have published data against it, in one report."""

from __future__ import annotations

from pathlib import Path

import typer

from microneedling.citations import reset_citations
from microneedling.cli import app
from microneedling.cli.common import print_json, progress_bar, stderr


@app.command()
def validate(
    out: Path = typer.Option(Path("validation-out"), "--out", help="Folder for validation.html and validation.json."),
    fast: bool = typer.Option(False, "--fast", help="Only the fast comparisons (the subset the tests run)."),
    json_output: bool = typer.Option(False, "--json", help="Print the results as one JSON object."),
) -> None:
    """Compare the sub-models with the published data they have; exit code 1 when any comparison fails."""
    from microneedling.report.encoding import to_json
    from microneedling.report.html import write_outputs
    from microneedling.validation.registry import registered
    from microneedling.validation.report import render_validation_report, run_all

    reset_citations()
    names = registered(fast_only=fast)
    with progress_bar("validate", total=len(names), enabled=not json_output) as advance:
        results = run_all(fast_only=fast, on_step=lambda n: advance(1, n))
    payload = {"passed": sum(c.passed for c in results), "failed": [c.name for c in results if not c.passed],
               "comparisons": [c.as_dict() for c in results]}
    from microneedling.validation.cross_validation import cross_validation_summary

    cv = cross_validation_summary()
    if cv is not None:
        payload["cross_validation"] = cv
        if not cv["coverage95"] >= cv["coverage_threshold"]:
            payload["failed"].append("cross_validation")
    write_outputs(out, {"validation.html": render_validation_report(results), "validation.json": to_json(payload)})
    if json_output:
        print_json(payload)
    else:
        for c in results:
            stderr.print(("[green]pass[/green] " if c.passed else "[red]FAIL[/red] ")
                         + f"{c.name}: {c.metric} = {c.error:.3g} (tolerance {c.tolerance:.3g})")
        stderr.print(f"wrote {out / 'validation.html'}")
    if payload["failed"]:
        raise typer.Exit(1)
