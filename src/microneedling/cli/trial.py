"""``microneedling trial SPEC.yaml``: run a virtual clinical trial (the spec and output of :mod:`microneedling.trials`)."""

from __future__ import annotations

from pathlib import Path

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, stderr, stdout


@app.command()
def trial(
    spec_file: Path = typer.Argument(..., help="Trial spec (YAML): name, seed, arms, timepoints_weeks."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object (name, seed, arms with their timepoints)."),
    out: Path | None = typer.Option(None, "--out", help="Also write results.json, results.csv, report.html here."),
) -> None:
    """Virtual patients of every arm through the course model: mean, 95% CI, change and responder rate."""
    from microneedling.trials.spec import load_spec

    spec = load_spec(spec_file)  # bad spec: one line, exit 2, nothing computed or written
    from microneedling.citations import format_references, reset_citations
    from microneedling.trials.run import run_trial

    reset_citations()
    with stderr.status(f"running trial {spec.name}", spinner="dots") if stderr.is_terminal else _null():
        result = run_trial(spec)
    result["references"] = format_references()
    if out is not None:  # the report (matplotlib) is loaded only when it is written
        from microneedling.report.encoding import to_json
        from microneedling.report.html import render_html, write_outputs
        from microneedling.report.sections.trial import results_csv, trial_section

        html = render_html(f"Virtual trial: {spec.name}", [trial_section(spec, result)], result["references"])
        write_outputs(out, {"results.json": to_json(result), "results.csv": results_csv(result),
                            "report.html": html})
    if json_output:
        print_json(result)
        return
    for arm, a in result["arms"].items():
        stdout.print(f"[bold]{arm}[/bold] n={a['n']} {a['scale']} baseline {a['baseline_mean']:.2f}")
        for tp in a["timepoints"]:
            stdout.print(f"  week {tp['week']:g}: score {tp['score_mean']:.2f} "
                         f"[{tp['score_ci95'][0]:.2f}, {tp['score_ci95'][1]:.2f}]  change {tp['change_mean']:.2f} "
                         f"[{tp['change_ci95'][0]:.2f}, {tp['change_ci95'][1]:.2f}]  responders "
                         f"{100 * tp['responder_rate']:.0f}%")
    if out is not None:
        stdout.print(f"wrote {out}/results.json, results.csv, report.html")


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
