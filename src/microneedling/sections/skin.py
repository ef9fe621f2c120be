"""Report section: skin thickness of each sample patient's treated zones."""

from __future__ import annotations

import matplotlib.pyplot as plt

from microneedling.report import Section
from microneedling.sections import DemoContext
from microneedling.skin import full_thickness, zones_with_thickness_data


def build(ctx: DemoContext) -> Section:
    section = Section("Skin of the treated zones")
    rows, out = [], []
    available = set(zones_with_thickness_data())
    for p in ctx.patients:
        for zs in p.zones:
            if zs.zone not in available:
                continue
            ft = full_thickness(zs.zone, p.sex, p.age_years)
            rows.append([p.id, zs.zone.value, p.sex.value, p.age_years, ft.age_group, ft.mean_mm, ft.sd_mm,
                         "yes" if ft.extrapolated else "no"])
            out.append({"patient": p.id, "zone": zs.zone.value, "full_thickness_mm": ft.mean_mm,
                        "full_thickness_sd_mm": ft.sd_mm, "age_group": ft.age_group,
                        "extrapolated": ft.extrapolated})
    section.text("Epidermis + dermis thickness by 50 MHz ultrasound for the patient's zone, sex and age group.")
    section.table(["patient", "zone", "sex", "age (y)", "group", "thickness (mm)", "SD (mm)", "extrapolated"],
                  rows)
    fig, ax = plt.subplots(figsize=(7, 3))
    labels = [f"{r[0]} {r[1]}" for r in rows]
    ax.bar(labels, [r[5] for r in rows], yerr=[r[6] for r in rows], color="#c99", capsize=3)
    ax.set_ylabel("epidermis + dermis (mm)")
    ax.tick_params(axis="x", rotation=30)
    section.figure(fig, "Full skin thickness (mean +/- SD of the matching group) per patient and zone.")
    ctx.results["skin"] = out
    return section
