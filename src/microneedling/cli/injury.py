"""``microneedling injury`` and ``microneedling compare``: one session's per-layer injury, and microneedling
against fractional CO2 laser and a medium-depth TCA peel with PIH risk by Fitzpatrick type."""

from __future__ import annotations

import typer

from microneedling.cli import app
from microneedling.cli.common import print_json, stdout, validated


@app.command()
def injury(
    zone: str = typer.Option(..., "--zone", help="Facial zone, e.g. cheek."),
    device: str = typer.Option("roller", "--device", help="roller, pen or stamp."),
    needle_length_mm: float = typer.Option(..., "--needle-length-mm", help="Needle length, mm (0, 3]."),
    passes: int | None = typer.Option(None, "--passes", help="Passes over the area (default: the device's usual)."),
    sex: str = typer.Option("F", "--sex", help="F or M."),
    age_years: float = typer.Option(30.0, "--age-years", help="Age in years [12, 100]."),
    needle_count: int | None = typer.Option(None, "--needle-count",
                                            help="Pen or stamp: needles per cartridge / stamp (pen default 11)."),
    stroke_frequency_Hz: float | None = typer.Option(None, "--stroke-frequency-Hz",
                                                     help="Pen: stroke frequency, Hz (default 90)."),
    glide_speed_mm_per_s: float | None = typer.Option(None, "--glide-speed-mm-per-s",
                                                      help="Pen: speed over the skin, mm/s (0, 1000]."),
    footprint_width_mm: float | None = typer.Option(None, "--footprint-width-mm",
                                                    help="Pen: cartridge width across the motion, mm (0, 30]."),
    footprint_length_mm: float | None = typer.Option(None, "--footprint-length-mm",
                                                     help="Pen: cartridge length along the motion, mm (0, 30]."),
    stamp_area_mm2: float | None = typer.Option(None, "--stamp-area-mm2", help="Stamp: footprint, mm2 (0, 900]."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Per-layer injury of one microneedling session: real depth, holes, epidermal and dermal damage, bleeding.

    A pen's per-pass density follows from --glide-speed-mm-per-s and --footprint-width-mm (N f / (v w)), a
    stamp's from --needle-count and --stamp-area-mm2 (N / A); without them the roller-equivalent default is used.
    """
    from microneedling.mechanics.devices import KINEMATICS
    from microneedling.mechanics.injury import max_needle_length_mm, session_details

    options = {"needle_count": needle_count, "stroke_frequency_Hz": stroke_frequency_Hz,
               "glide_speed_mm_per_s": glide_speed_mm_per_s, "footprint_width_mm": footprint_width_mm,
               "footprint_length_mm": footprint_length_mm, "stamp_area_mm2": stamp_area_mm2}
    kinematics = {k: v for k, v in options.items() if v is not None}
    details = session_details(zone, device, needle_length_mm, passes=passes, sex=sex, age_years=age_years,
                              **kinematics)
    inj, layers, ins, dev = details.injury, details.layers, details.insertion, details.device
    out = {
        "zone": layers.zone.value, "device": device, "nominal_length_mm": inj.nominal_length_mm,
        "penetration_depth_mm": inj.penetration_depth_mm, "punctures_per_cm2": inj.punctures_per_cm2,
        "epidermal_area_fraction": inj.epidermal_area_fraction, "dermal_volume_fraction": inj.dermal_volume_fraction,
        "reaches_dermis": inj.reaches_dermis, "bleeding": inj.bleeding,
        "bleeding_channel_fraction": inj.bleeding_channel_fraction,
        "haemorrhage_ul_per_cm2": inj.haemorrhage_ul_per_cm2, "channel_radius_um": inj.channel_radius_um,
        "exceeds_dermis": inj.exceeds_dermis, "max_needle_length_mm": max_needle_length_mm(zone, sex, age_years),
        "epidermis_mm": layers.epidermis_um / 1e3, "plexus_depth_mm": layers.plexus_depth_um / 1e3,
        "dermis_mm": layers.dermis_um / 1e3, "passes": details.passes,
        "insertion_force_N": ins.puncture_force_N, "dimple_depth_um": ins.dimple_depth_um,
        "penetration_fraction": ins.penetration_fraction, "depth_sd_mm": ins.depth_sd_mm,
        "punctures_made_per_cm2": details.field.punctures_per_cm2,
        "dermal_depth_bands": [{"top_mm": t, "bottom_mm": b, "injured_volume_fraction": f}
                               for t, b, f in inj.dermal_depth_bands],
        "density_basis": dev.density_basis, "holes_per_pass_per_cm2": dev.holes_per_pass_per_cm2,
    }
    if dev.name == "pen":
        out.update(needle_count=dev.needle_count, stroke_frequency_Hz=dev.stroke_frequency_Hz,
                   stroke_pitch_mm=dev.stroke_pitch_mm, strokes_overlap=dev.strokes_overlap)
    elif dev.name == "stamp":
        out.update(needle_count=dev.needle_count, stamp_area_mm2=dev.stamp_area_mm2)
    if json_output:
        print_json(out)
        return
    stdout.print(f"{out['zone']}, {device} {needle_length_mm:g} mm: real depth {inj.penetration_depth_mm:.2f} mm, "
                 f"{inj.punctures_per_cm2:.0f} holes/cm2, epidermis hit {100 * inj.epidermal_area_fraction:.1f}%, "
                 f"dermis hit {100 * inj.dermal_volume_fraction:.2f}%, "
                 f"{'bleeds' if inj.bleeding else 'no bleeding'}"
                 + (" (needle longer than the dermis of this zone allows)" if inj.exceeds_dermis else ""))
    if dev.density_basis == KINEMATICS:
        pitch = "" if dev.stroke_pitch_mm is None else f", stroke pitch {dev.stroke_pitch_mm:.3g} mm"
        stdout.print(f"per-pass density {dev.holes_per_pass_per_cm2:.4g} /cm2 from the device kinematics{pitch}")


@app.command()
def compare(
    zone: str = typer.Option(..., "--zone", help="Facial zone, e.g. cheek."),
    fitzpatrick: str = typer.Option(..., "--fitzpatrick", help="Fitzpatrick type I-VI."),
    sex: str = typer.Option("F", "--sex", help="F or M."),
    age_years: float = typer.Option(30.0, "--age-years", help="Age in years [12, 100]."),
    device: str = typer.Option("roller", "--device", help="Microneedling device: roller, pen or stamp."),
    needle_length_mm: float = typer.Option(1.5, "--needle-length-mm", help="Needle length, mm (0, 3]."),
    sessions: int = typer.Option(1, "--sessions", help="Sessions in the course, for the PIH risk [1, 20]."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Sessions of microneedling vs fractional CO2 laser vs medium-depth TCA peel: injury and PIH risk."""
    from microneedling.cli.queries import CompareQuery
    from microneedling.mechanics.modalities import compare as compare_modalities

    q = validated(CompareQuery, zone=zone, fitzpatrick=fitzpatrick, sex=sex, age_years=age_years, device=device,
                  needle_length_mm=needle_length_mm, sessions=sessions)
    result = compare_modalities(q.zone, q.fitzpatrick, q.sex, q.age_years, q.device, q.needle_length_mm,
                                q.sessions)
    if json_output:
        print_json({"zone": q.zone.value, "fitzpatrick": q.fitzpatrick.value, "modalities": result})
        return
    for name, r in result.items():
        stdout.print(f"{name:>15}: epidermis hit {100 * r['epidermal_area_fraction']:5.1f}%, "
                     f"PIH risk {100 * r['pih_risk']:5.1f}% ({r['pih_basis']})")
