"""``microneedling skin``: skin thickness and layers of a facial zone."""

from __future__ import annotations

import math

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, stdout, validated


@app.command()
def skin(
    zone: str = typer.Option(..., "--zone", help="Facial zone, e.g. cheek."),
    sex: str = typer.Option("F", "--sex", help="F or M."),
    age_years: float = typer.Option(30.0, "--age-years", help="Age in years [12, 100]."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Full skin thickness (epidermis + dermis, mm) of a zone for a sex and age, and its layers (um)."""
    from microneedling.tissue.skin import SkinQuery, full_thickness, skin_layers, zones_with_thickness_data

    q = validated(SkinQuery, zone=zone, sex=sex, age_years=age_years)
    layers = skin_layers(q.zone, q.sex, q.age_years)
    if q.zone in zones_with_thickness_data():
        ft = full_thickness(q.zone, q.sex, q.age_years)
        out = {"zone": ft.zone.value, "sex": ft.sex.value, "age_group": ft.age_group,
               "full_thickness_mm": ft.mean_mm, "full_thickness_sd_mm": ft.sd_mm,
               "extrapolated": ft.extrapolated, "source": ft.source}
    else:
        sd = math.hypot(layers.epidermis_sd_um, layers.dermis_sd_um) / 1e3
        out = {"zone": q.zone.value, "sex": q.sex.value, "age_group": None,
               "full_thickness_mm": layers.full_thickness_um / 1e3, "full_thickness_sd_mm": sd,
               "extrapolated": False, "source": layers.sources[0]}
    out["layers_um"] = {name: {"top": top, "bottom": bottom} for name, (top, bottom) in layers.boundaries_um().items()}
    out["plexus_depth_mm"] = layers.plexus_depth_um / 1e3
    out["layer_sources"] = list(layers.sources)
    if json_output:
        print_json(out)
    else:
        group = f", {out['age_group']}" if out["age_group"] else ""
        stdout.print(f"{out['zone']}: {out['full_thickness_mm']:.2f} +/- {out['full_thickness_sd_mm']:.2f} mm "
                     f"({out['sex']}{group})" + (" (extrapolated age group)" if out["extrapolated"] else "")
                     + f"; epidermis {layers.epidermis_um:.0f} um, plexus at {layers.plexus_depth_um:.0f} um")
