"""Report section: the layered skin of each sample patient's treated zones."""

from __future__ import annotations

import matplotlib.pyplot as plt

from microneedling.report.html import Section
from microneedling.report.sections import DemoContext
from microneedling.tissue.skin import skin_layers

_LAYERS = (("stratum_corneum", "stratum corneum", "#d9b38c"), ("viable_epidermis", "viable epidermis", "#f2cfa5"),
           ("papillary_dermis", "papillary dermis", "#f4b6b6"), ("reticular_dermis", "reticular dermis", "#e39e9e"))


def build(ctx: DemoContext) -> Section:
    section = Section("Skin of the treated zones")
    rows, out, stacks, labels = [], [], [], []
    for p in ctx.patients:
        for zs in p.zones:
            sk = skin_layers(zs.zone, p.sex, p.age_years)
            bounds = sk.boundaries_um()
            rows.append([p.id, zs.zone.value, p.sex.value, p.age_years, sk.stratum_corneum_um,
                         sk.viable_epidermis_um, sk.papillary_dermis_um, sk.reticular_dermis_um,
                         sk.plexus_depth_um, sk.full_thickness_um / 1e3,
                         "-" if sk.subcutis_mm is None else sk.subcutis_mm])
            out.append({"patient": p.id, "zone": zs.zone.value, "stratum_corneum_um": sk.stratum_corneum_um,
                        "viable_epidermis_um": sk.viable_epidermis_um, "papillary_dermis_um": sk.papillary_dermis_um,
                        "reticular_dermis_um": sk.reticular_dermis_um, "plexus_depth_um": sk.plexus_depth_um,
                        "full_thickness_mm": sk.full_thickness_um / 1e3, "subcutis_mm": sk.subcutis_mm,
                        "sources": list(sk.sources)})
            stacks.append([bounds[name][1] - bounds[name][0] for name, _, _ in _LAYERS])
            labels.append(f"{p.id}\n{zs.zone.value}")
    section.text("Layer thicknesses for each patient's zone, sex and age: full thickness from the 50 MHz ultrasound "
                 "table where it has the zone, the epidermis and site pattern of Meng 2022 elsewhere (see the "
                 "design notes); the superficial vascular plexus lies at the base of the papillary dermis.")
    section.table(["patient", "zone", "sex", "age (y)", "SC (um)", "viable epidermis (um)", "papillary (um)",
                   "reticular (um)", "plexus depth (um)", "epidermis + dermis (mm)", "subcutis (mm)"], rows)
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    bottom = [0.0] * len(stacks)
    for i, (_, name, colour) in enumerate(_LAYERS):
        heights = [s[i] for s in stacks]
        ax.bar(labels, heights, bottom=bottom, color=colour, label=name, edgecolor="white", linewidth=0.3)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.invert_yaxis()
    ax.set_ylabel("depth below surface (um)")
    ax.tick_params(axis="x", labelsize=8)
    ax.legend(fontsize=7, loc="lower right")
    section.figure(fig, "Layer stack per patient and zone (depth grows downwards).")
    ctx.results["skin"] = out
    return section
