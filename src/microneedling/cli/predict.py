"""``microneedling predict``: one patient, one protocol -> predicted Goodman & Baron score over time, with the
patient's 95% prediction interval and the trial population's interval, updated by recorded follow-ups."""

from __future__ import annotations

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, stdout, validated


def _pairs(items: list[str], what: str) -> dict[str, float]:
    from microneedling.errors import InputError

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise InputError(what, item, "must look like name=number") from None
        if not sep:
            raise InputError(what, item, "must look like name=number")
    return out


@app.command()
def predict(
    device: str = typer.Option("roller", "--device", help="roller, pen, stamp or none."),
    needle_length_mm: float | None = typer.Option(None, "--needle-length-mm", help="Needle length, mm (0, 3]."),
    sessions: int | None = typer.Option(None, "--sessions", help="Number of sessions [1, 20]."),
    interval_weeks: float | None = typer.Option(None, "--interval-weeks", help="Weeks between sessions."),
    zone: str = typer.Option("cheek", "--zone", help="Facial zone treated, e.g. cheek."),
    age_years: float = typer.Option(30.0, "--age-years", help="Age in years [12, 100]."),
    sex: str = typer.Option("F", "--sex", help="F or M."),
    fitzpatrick: str | None = typer.Option(None, "--fitzpatrick", help="Fitzpatrick type I-VI (recorded)."),
    scars: list[str] = typer.Option([], "--scars", help="Scar count by type, e.g. --scars boxcar=8 --scars "
                                    "rolling=5."),
    baseline: float | None = typer.Option(None, "--baseline", help="Baseline score on --scale (instead of "
                                          "--scars)."),
    mix: list[str] = typer.Option([], "--mix", help="Scar mix with --baseline, e.g. --mix boxcar=0.6 --mix "
                                  "rolling=0.4."),
    scale: str = typer.Option("goodman_baron_quantitative", "--scale", help="goodman_baron_quantitative or "
                              "goodman_baron_qualitative."),
    follow_up: list[str] = typer.Option([], "--follow-up", help="Recorded score at a week, e.g. --follow-up 8=12 "
                                        "(updates the patient's response)."),
    weeks: float = typer.Option(52.0, "--weeks", help="Weeks to follow from the first session."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Predict one patient's Goodman & Baron score over time under one protocol (both 95% intervals)."""
    from microneedling.trials.predict import PredictQuery, predict_query

    fu = sorted(_pairs(follow_up, "follow_up").items(), key=lambda kv: float(kv[0]))
    q = validated(PredictQuery, device=device, needle_length_mm=needle_length_mm, sessions=sessions,
                  interval_weeks=interval_weeks, zone=zone, age_years=age_years, sex=sex, fitzpatrick=fitzpatrick,
                  scale=scale, scar_counts=_pairs(scars, "scars") or None, baseline=baseline,
                  scar_mix=_pairs(mix, "mix") or None, follow_ups=[(float(w), s) for w, s in fu], weeks=weeks)
    out = predict_query(q)
    if json_output:
        print_json(out)
        return
    unit = "points" if q.scale.value.endswith("quantitative") else "grade"
    stdout.print(f"baseline {out['baseline']:.2f} {unit}; scars {', '.join(f'{k} {v:.1f}' for k, v in out['scar_counts'].items())}")
    stdout.print("week  predicted  95% for this patient   95% mean of trial population")
    for j, w in enumerate(out["weeks"]):
        stdout.print(f"{w:5.0f}  {out['score_mean'][j]:9.2f}  {out['score_low'][j]:7.2f} - {out['score_high'][j]:<7.2f}"
                     f"        {out['score_population_low'][j]:7.2f} - {out['score_population_high'][j]:<7.2f}")
