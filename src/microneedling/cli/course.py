"""``microneedling course``: a session protocol -> collagen, scar depth and Goodman & Baron score week by week."""

from __future__ import annotations

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, stdout, validated


@app.command()
def course(
    zone: str = typer.Option(..., "--zone", help="Facial zone, e.g. cheek."),
    scar: str = typer.Option(..., "--scar", help="Scar type: icepick, boxcar or rolling."),
    device: str = typer.Option("roller", "--device", help="roller, pen or stamp."),
    needle_length_mm: float = typer.Option(..., "--needle-length-mm", help="Needle length, mm (0, 3]."),
    sessions: int = typer.Option(..., "--sessions", help="Number of sessions [1, 20]."),
    interval_weeks: float = typer.Option(4.0, "--interval-weeks", help="Weeks between sessions [1, 26]."),
    weeks: float = typer.Option(52.0, "--weeks", help="Weeks to follow from the first session (0, 520]."),
    age_years: float = typer.Option(30.0, "--age-years", help="Age in years [12, 100]."),
    sex: str = typer.Option("F", "--sex", help="F or M."),
    passes: int | None = typer.Option(None, "--passes", help="Passes per session (default: the device's usual)."),
    scar_count: int = typer.Option(12, "--scar-count", help="Number of scars of this type [1, 500]."),
    scar_depth_mm: float | None = typer.Option(None, "--scar-depth-mm", help="Scar depth, mm (default: typical)."),
    scar_width_mm: float | None = typer.Option(None, "--scar-width-mm", help="Scar width, mm (default: typical)."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Simulate a treatment course: weekly collagen I/III, elastin, alignment, scar depth and G&B scores."""
    from microneedling.course import CourseQuery, run_course
    from microneedling.trials.response import calibrated_scar_response

    q = validated(CourseQuery, zone=zone, scar=scar, device=device, needle_length_mm=needle_length_mm,
                  sessions=sessions, interval_weeks=interval_weeks, weeks=weeks, age_years=age_years, sex=sex,
                  passes=passes, scar_count=scar_count, scar_depth_mm=scar_depth_mm, scar_width_mm=scar_width_mm)
    r = run_course(q, response=calibrated_scar_response())
    if json_output:
        print_json(r.as_json())
        return
    last = len(r.weeks) - 1
    stdout.print(f"{q.sessions} x {q.device} {q.needle_length_mm:g} mm on {q.zone.value}, every {q.interval_weeks:g} "
                 f"weeks (dose {r.dose_per_session:.2f} per session); {q.scar_count} {q.scar.value} scars")
    stdout.print(f"week {r.weeks[last]:g}: collagen I x{r.collagen_I_rel[last]:.2f}, III x{r.collagen_III_rel[last]:.2f}, "
                 f"scar depth {r.scar_depth_mm[0]:.2f} -> {r.scar_depth_mm[last]:.2f} mm, G&B "
                 f"{r.gb_quantitative[0]:.1f} -> {r.gb_quantitative[last]:.1f} (expected grade {r.gb_grade[0]:.2f} -> "
                 f"{r.gb_grade[last]:.2f})")
