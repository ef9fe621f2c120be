"""``microneedling delivery``: uptake of a topical through intact skin and through the session's closing channels."""

from __future__ import annotations

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, stdout, validated
from microneedling.delivery.topicals import DEFAULT_CONCENTRATION_MG_PER_ML, topical_keys
from microneedling.errors import InputError


@app.command()
def delivery(
    molecule: str | None = typer.Option(None, "--molecule", help=f"Named topical: {', '.join(topical_keys())}."),
    mw_da: float | None = typer.Option(None, "--mw-da", help="Molecular weight in Da (instead of --molecule)."),
    logp: float | None = typer.Option(None, "--logp", help="log10 octanol/water partition coefficient (with --mw-da)."),
    needle_length_mm: float = typer.Option(..., "--needle-length-mm", help="Needle length, mm (0, 3]."),
    hours: float = typer.Option(24.0, "--hours", help="Hours after the session (0, 720]."),
    occluded: bool = typer.Option(False, "--occluded", help="Skin kept under occlusion after the session."),
    concentration_mg_per_ml: float = typer.Option(
        DEFAULT_CONCENTRATION_MG_PER_ML, "--concentration-mg-per-ml",
        help="Donor concentration, mg/mL (default 10 = 1 % w/v, a stated default)."),
    dose_ul_per_cm2: float | None = typer.Option(
        None, "--dose-ul-per-cm2", help="Film volume applied, uL/cm^2 (default: infinite dose)."),
    dermal_clearance_per_h: float | None = typer.Option(
        None, "--dermal-clearance-per-h",
        help="First-order clearance of the dermis, 1/h (default: the dermis is a perfect sink)."),
    zone: str = typer.Option("cheek", "--zone", help="Facial zone."),
    device: str = typer.Option("roller", "--device", help="roller, pen or stamp."),
    with_timecourse: bool = typer.Option(False, "--timecourse", help="Add flux and uptake vs time to the JSON."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Cumulative uptake (ug/cm^2) through needled vs intact skin, channel closure times and the enhancement."""
    from microneedling.delivery.uptake import DeliveryQuery, run_query, timecourse

    if (molecule is None) == (mw_da is None):
        raise InputError("molecule", molecule, "give --molecule NAME or --mw-da with --logp (one of the two)")
    if molecule is not None and logp is not None:
        raise InputError("logp", logp, "--logp goes with --mw-da, not with --molecule")
    if mw_da is not None and logp is None:
        raise InputError("logp", logp, "--mw-da needs --logp (log10 octanol/water partition coefficient)")
    q = validated(DeliveryQuery, molecule=molecule, mw_da=mw_da, logp=logp, needle_length_mm=needle_length_mm,
                  hours=hours, occluded=occluded, concentration_mg_per_ml=concentration_mg_per_ml,
                  dose_ul_per_cm2=dose_ul_per_cm2, dermal_clearance_per_h=dermal_clearance_per_h, zone=zone,
                  device=device)
    out, res = run_query(q)
    if with_timecourse:
        out["timecourse"] = timecourse(res)
    if json_output:
        print_json(out)
        return
    enh = out["enhancement"]
    if out["channel_half_closure_hours"] is None:
        stdout.print(f"{out['molecule']}: needles of {out['needle_length_mm']:g} mm leave no channels; "
                     f"intact-skin uptake {out['intact_skin_uptake_ug_per_cm2']:.3g} ug/cm2 in {out['hours']:g} h")
        return
    stdout.print(
        f"{out['molecule']} {out['concentration_mg_per_ml']:g} mg/mL, {out['hours']:g} h "
        f"({'occluded' if out['occluded'] else 'open'}): needled {out['cumulative_uptake_ug_per_cm2']:.3g} ug/cm2, "
        f"intact {out['intact_skin_uptake_ug_per_cm2']:.3g} ug/cm2, enhancement "
        f"{'n/a (intact route closed)' if enh is None else f'{enh:.3g}x'}; channels half-closed at "
        f"{out['channel_half_closure_hours']:.3g} h, closed at {out['channel_closure_hours']:.3g} h")
