"""Report section: what one session does to each treated zone, and how it compares with laser and peel."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, Polygon, Rectangle

from microneedling.citations import cite
from microneedling.mechanics.devices import device
from microneedling.mechanics.injury import max_needle_length_mm, session_injury
from microneedling.mechanics.insertion import insert, standard_needle
from microneedling.mechanics.modalities import compare
from microneedling.mechanics.punctures import sample_punctures
from microneedling.params import parameter_value
from microneedling.report.html import Section
from microneedling.report.sections import DemoContext
from microneedling.tissue.skin import skin_layers

NEEDLE_MM = 1.5  # Harris2015: median needle length of needling-alone acne-scar studies
LAYER_COLOURS = {"stratum_corneum": "#d9b38c", "viable_epidermis": "#f2d0a9", "papillary_dermis": "#f4b6b6",
                 "reticular_dermis": "#e8a0a0", "subcutis": "#fff2b3"}


def _cross_section(zone: str, sex: str, age: float):
    layers = skin_layers(zone, sex, age)
    ins = insert(standard_needle(NEEDLE_MM))
    needle = standard_needle(NEEDLE_MM)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    bottom_um = max(layers.full_thickness_um + 300.0, 1e3 * NEEDLE_MM + 200.0)
    for name, (top, bot) in layers.boundaries_um().items():
        bot = min(bot, bottom_um)
        ax.add_patch(Rectangle((0, top), 1000, bot - top, color=LAYER_COLOURS[name], label=name.replace("_", " ")))
    ax.axhline(layers.plexus_depth_um, color="darkred", lw=1, ls="--", label="superficial plexus")
    # nominal needle (grey outline, as if the skin did not dimple) and the real channel (solid)
    depth = 1e3 * ins.penetration_depth_mm
    for x0, d, style in ((300, 1e3 * NEEDLE_MM, dict(fill=False, ec="grey", ls=":")),
                         (700, depth, dict(color="#555555"))):
        rb, rt = float(needle.radius_at_um(d)), needle.tip_radius_um
        shoulder = max(d - (rb - rt) / needle.taper_slope, 0.0)  # where the cone tip meets the shaft
        ax.add_patch(Polygon([(x0 - rb, 0), (x0 + rb, 0), (x0 + rb, shoulder), (x0 + rt, d), (x0 - rt, d),
                              (x0 - rb, shoulder)], closed=True, **style))
    ax.annotate(f"nominal {NEEDLE_MM:g} mm", (300, 1e3 * NEEDLE_MM), textcoords="offset points", xytext=(8, -4),
                fontsize=8)
    ax.annotate(f"real {ins.penetration_depth_mm:.2f} mm", (700, depth), textcoords="offset points",
                xytext=(8, -4), fontsize=8)
    ax.set_xlim(0, 1000)
    ax.set_ylim(bottom_um, -20)
    ax.set_xlabel("um")
    ax.set_ylabel("depth below surface (um)")
    ax.legend(fontsize=7, loc="lower left", ncol=2)
    return fig


def _puncture_map(needle_mm: float):
    roller = device("roller", needle_mm)
    radius = insert(roller.needle).channel_radius_um
    side = 5.0
    pts = sample_punctures(1, roller.holes_per_pass_per_cm2, roller.usual_passes, side)
    fig, ax = plt.subplots(figsize=(4, 4))
    for x, y in pts:
        ax.add_patch(Circle((x, y), radius / 1e3, color="#a33", alpha=0.7))
    ax.set_xlim(0, side)
    ax.set_ylim(0, side)
    ax.set_aspect("equal")
    ax.set_xlabel("mm")
    ax.set_ylabel("mm")
    ax.set_title(f"{len(pts)} punctures in {side:g} x {side:g} mm", fontsize=9)
    return fig


def _out_of_fit_rows() -> list[list]:
    """Published data the model does not reproduce, with the model's value beside them."""
    kal = 1e3 * insert(standard_needle(0.77)).penetration_depth_mm
    lam = insert(standard_needle(1.0)).penetration_fraction
    for key in ("Kalluri2011", "Lam2008", "Donnelly2010"):
        cite(key)
    return [
        ["Kalluri2011 (rat, DermaRoller 770 um)", "channel depth (um)", 152.5, round(kal, 1),
         "rat skin dimples far more than human skin in vivo (Donnelly2010, used for the fit)"],
        ["Lam2008 (silicone, pig skin)", "buried fraction at 1 mm", "< 0.5", round(lam, 2),
         "quasi-static insertion into ex vivo tissue; not human in vivo"],
    ]


def build(ctx: DemoContext) -> Section:
    section = Section("Per-layer injury of one session")
    section.text(
        f"One session of a 192-needle roller with {NEEDLE_MM:g} mm needles (the median length of needling-alone "
        "acne-scar studies, Harris 2015) and its usual 15 passes. Real depth = nominal length minus the dimple "
        f"held at puncture ({parameter_value('insertion.dimple_at_puncture_um'):g} um, derived from human OCT, "
        "Donnelly 2010: 600 um needles reaching 460 um). Layers by zone from ultrasound (Meng 2022; 50 MHz full thickness by age group). "
        "Bleeding = channels reach the superficial plexus at the base of the papillary dermis.")
    rows, out = [], []
    for p in ctx.patients:
        for zs in p.zones:
            inj = session_injury(zs.zone, "roller", NEEDLE_MM, sex=p.sex, age_years=p.age_years)
            lmax = max_needle_length_mm(zs.zone, p.sex, p.age_years)
            cmp = compare(zs.zone, p.fitzpatrick, p.sex, p.age_years)
            rows.append([p.id, zs.zone.value, p.fitzpatrick.value, inj.penetration_depth_mm, inj.punctures_per_cm2,
                         inj.epidermal_area_fraction, inj.dermal_volume_fraction, "yes" if inj.bleeding else "no",
                         round(lmax, 2), "SHORTER NEEDLE" if inj.exceeds_dermis else "ok",
                         cmp["microneedling"]["pih_risk"], cmp["fractional_co2"]["pih_risk"],
                         cmp["tca_peel"]["pih_risk"]])
            out.append({"patient": p.id, "zone": zs.zone.value, "needle_length_mm": NEEDLE_MM,
                        "penetration_depth_mm": inj.penetration_depth_mm, "punctures_per_cm2": inj.punctures_per_cm2,
                        "epidermal_area_fraction": inj.epidermal_area_fraction,
                        "dermal_volume_fraction": inj.dermal_volume_fraction, "bleeding": inj.bleeding,
                        "exceeds_dermis": inj.exceeds_dermis, "max_needle_length_mm": lmax,
                        "pih_risk": {k: v["pih_risk"] for k, v in cmp.items()}})
    section.table(["patient", "zone", "Fitz", "real depth (mm)", "holes/cm2", "epidermis hit", "dermis hit",
                   "bleeds", "max needle (mm)", "needle", "PIH MN", "PIH CO2", "PIH TCA"], rows,
                  caption="PIH: per-patient probability after one session; for types I-III an upper bound.")
    first = ctx.patients[0]
    section.figure(_cross_section(first.zones[0].zone.value, first.sex.value, first.age_years),
                   f"Layers of {first.id}'s {first.zones[0].zone.value} with the nominal needle (dotted) and the "
                   "real channel (solid) after dimpling.")
    section.figure(_puncture_map(NEEDLE_MM), "Puncture map of one session (15 roller passes) on 5 x 5 mm; "
                   "circles are channels at their surface radius.")
    section.table(["source", "quantity", "published", "model", "why it differs"], _out_of_fit_rows(),
                  caption="Published data the model does not reproduce (not used for fitting).")
    ctx.results["injury"] = out
    return section
