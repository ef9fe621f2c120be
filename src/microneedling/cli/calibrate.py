"""``microneedling calibrate``: hierarchical NUTS fit of the clinical response to the published trial arms
(role: fit), predictions of the held-out ones, and the record of data, fit, residuals, posterior draws and
sampler diagnostics."""

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
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the fixed virtual cohorts and of NUTS."),
    warmup: int = typer.Option(400, "--warmup", min=10, help="NUTS warm-up iterations per chain."),
    samples: int = typer.Option(400, "--samples", min=10, help="NUTS samples per chain."),
    chains: int = typer.Option(2, "--chains", min=1, help="NUTS chains (run one after the other)."),
    loto: bool = typer.Option(False, "--loto", help="Leave-one-trial-out cross-validation instead of the fit: "
                              "refit without each fit arm and predict it (writes calibration/trial_loto.json)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object (fit and held-out checks)."),
) -> None:
    """Fit the course's scar fill (population median and between-trial spread), the patients' response spread
    and the qualitative rater noise with NumPyro NUTS; check the held-out trials."""
    import json

    from microneedling.calibration.hierarchical import emulators, fit, parameter_rows, predict_held_out
    from microneedling.calibration.trial_response import load_trials
    from microneedling.report.encoding import to_json
    from microneedling.report.html import write_outputs
    from microneedling.trials.response import Posterior

    records = load_trials(trials_dir)
    target = data_dir or _package_data()
    emulator_path = target / "calibration" / "trial_emulator.json"
    stored = json.loads(emulator_path.read_text()) if emulator_path.exists() else {}
    emu = emulators([r for r in records if r.role in ("fit", "held_out")], stored)
    if loto:
        from rich.progress import Progress

        from microneedling.calibration.cross_validation import loto as run_loto

        fit_path = target / "calibration" / "trial_response_fit.json"
        full = json.loads(fit_path.read_text()) if fit_path.exists() else None
        n_folds = sum(r.role == "fit" for r in records)
        with Progress(console=stdout, transient=True, disable=json_output) as bar:
            task = bar.add_task("leave-one-trial-out folds", total=n_folds)
            cv = run_loto(records, warmup=min(warmup, 300), samples=min(samples, 300), chains=chains, seed=seed,
                          emulator=emu, full_fit=full, progress=lambda _: bar.advance(task))
        write_outputs(target / "calibration", {"trial_loto.json": to_json(cv)})
        if json_output:
            print_json(cv)
            return
        for t in cv["per_trial"]:
            for r in t["rows"]:
                what = "change" if r["quantity"] == "change" else "responder rate"
                stdout.print(f"{t['trial']} ({t['kind']}) week {r['week']:g}: published {what} {r['observed']:.2f}, "
                             f"predicted {r['predicted']:.2f} [{r['predicted_ci95'][0]:.2f}, "
                             f"{r['predicted_ci95'][1]:.2f}] {'inside' if r['inside'] else 'OUTSIDE'}")
        stdout.print(f"coverage of the 95% prediction interval {cv['coverage95']:.2f} over {cv['outcomes']} outcomes "
                     f"of {cv['trials']} arms; MAE {cv['mae_quantitative']} points, {cv['mae_qualitative']} grades, "
                     f"{cv['mae_responder_rate']} responder rate")
        return
    result = fit(records, seed=seed, warmup=warmup, samples=samples, chains=chains, emulator=emu)
    result["held_out"] = predict_held_out(records, Posterior.from_record(result), emulator=emu)
    result["trials"] = [{"id": r.id, "role": r.role, "reason": r.role_reason, "source": r.source} for r in records]
    write_outputs(target / "calibration", {"trial_response_fit.json": to_json(result),
                                           "trial_emulator.json": json.dumps(emu)})
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
    for name, v in result["summary"].items():
        lo, hi = v["ci95"]
        stdout.print(f"{name} = {v['median']:.4g}  (95% {lo:.3g} - {hi:.3g})")
    d = result["diagnostics"]
    stdout.print(f"R-hat max {d['r_hat_max']:.3f}, bulk ESS min {d['ess_bulk_min']:.0f}, "
                 f"{d['divergences']} divergences, chi2 {result['chi2']:.1f} on {result['n_observations']} data, "
                 f"{result['sampler']['seconds']:.0f} s")
    for r in result["held_out"]:
        what = "change" if r["quantity"] == "change" else "responder rate"
        stdout.print(f"held out {r['trial']} week {r['week']:g}: published {what} {r['observed']:.2f}, "
                     f"predicted {r['predicted']:.2f} [{r['predicted_ci95'][0]:.2f}, "
                     f"{r['predicted_ci95'][1]:.2f}] {'inside' if r['inside'] else 'OUTSIDE'}")
