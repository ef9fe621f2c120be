"""``microneedling calibrate``: fit the clinical-response parameters to the published trials (role: fit),
predict the held-out ones, and record data, fit, residuals and the posterior."""

from __future__ import annotations

from pathlib import Path

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, stdout


def _package_data() -> Path:
    from importlib import resources

    return Path(str(resources.files("microneedling").joinpath("data")))


@app.command()
def calibrate(
    trials_dir: Path | None = typer.Option(None, "--trials", help="Folder of trial records (default: the "
                                           "package's data/trials)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Where to write calibration/trial_response_fit.json "
                                         "and parameters/trial_response.csv (default: the package's data/)."),
    out: Path | None = typer.Option(None, "--out", help="Also write a calibration report (report.html) here."),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the fixed virtual cohorts of the objective."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object (fit and held-out checks)."),
) -> None:
    """Fit gain, response spread and qualitative rater noise with JAX gradients; check the held-out trials."""
    import numpy as np

    from microneedling.calibration.trial_response import fit, load_trials, parameter_rows, predict_held_out
    from microneedling.report.encoding import to_json
    from microneedling.report.html import write_outputs
    from microneedling.trials.run import Posterior

    records = load_trials(trials_dir)
    result = fit(records, seed=seed)
    post = Posterior(np.asarray(result["posterior"]["mean_log"]), np.asarray(result["posterior"]["cov_log"]))
    result["held_out"] = predict_held_out(records, post)
    result["trials"] = [{"id": r.id, "role": r.role, "reason": r.role_reason, "source": r.source} for r in records]
    target = data_dir or _package_data()
    write_outputs(target / "calibration", {"trial_response_fit.json": to_json(result)})
    write_outputs(target / "parameters", {"trial_response.csv": parameter_rows(result)})
    if out is not None:
        from microneedling.citations import format_references
        from microneedling.report.html import render_html
        from microneedling.report.sections.calibration import calibration_section

        write_outputs(out, {"report.html": render_html("Calibration of the virtual trials",
                                                       [calibration_section(result)], format_references()),
                            "calibration.json": to_json(result)})
    if json_output:
        print_json(result)
        return
    for name, v in result["theta"].items():
        lo, hi = result["theta_ci95"][name]
        stdout.print(f"{name} = {v:.4g}  (95% {lo:.3g} - {hi:.3g})")
    for r in result["held_out"]:
        stdout.print(f"held out {r['trial']} week {r['week']:g}: published change {r['observed_change']:.2f}, "
                     f"predicted {r['predicted_change']:.2f} [{r['predicted_change_ci95'][0]:.2f}, "
                     f"{r['predicted_change_ci95'][1]:.2f}] {'inside' if r['inside'] else 'OUTSIDE'}")
