"""``microneedling skin``: skin thickness of a facial zone."""

from __future__ import annotations

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, stdout, validated
from microneedling.skin import SkinQuery, full_thickness


@app.command()
def skin(
    zone: str = typer.Option(..., "--zone", help="Facial zone, e.g. cheek."),
    sex: str = typer.Option("F", "--sex", help="F or M."),
    age_years: float = typer.Option(30.0, "--age-years", help="Age in years [12, 100]."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Full skin thickness (epidermis + dermis, mm) of a zone for a sex and age."""
    q = validated(SkinQuery, zone=zone, sex=sex, age_years=age_years)
    ft = full_thickness(q.zone, q.sex, q.age_years)
    out = {"zone": ft.zone.value, "sex": ft.sex.value, "age_group": ft.age_group,
           "full_thickness_mm": ft.mean_mm, "full_thickness_sd_mm": ft.sd_mm,
           "extrapolated": ft.extrapolated, "source": ft.source}
    if json_output:
        print_json(out)
    else:
        stdout.print(f"{ft.zone.value}: {ft.mean_mm:.2f} +/- {ft.sd_mm:.2f} mm ({ft.sex.value}, {ft.age_group})"
                     + (" [extrapolated age group]" if ft.extrapolated else ""))
