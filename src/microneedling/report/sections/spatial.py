"""Report section: how the channels of one session merge into remodelled tissue (spatial model).

For the first sample patient's age: a 1.5 mm roller on the cheek with 1 to 16 passes, solved on a 4 mm
periodic patch. Shows new-collagen maps as a figure sequence (rows: passes, columns: weeks), coverage and
uniformity over time, and a table at 12 weeks next to the well-mixed (lumped) reference.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from microneedling.report.html import Section
from microneedling.report.sections import DemoContext

PASSES = (1, 2, 4, 8, 16)
MAP_PASSES = (2, 8)
GRID, PATCH_MM, WEEKS = 48, 4.0, 12.0


def build(ctx: DemoContext) -> Section:
    from microneedling.healing.spatial.session import SpatialQuery, run_spatial  # JAX model, loaded on use

    age = ctx.patients[0].age_years if ctx.patients else 30.0
    section = Section("Spatial healing: from separate channels to uniform remodelling")
    runs = {}
    for passes in PASSES:
        q = SpatialQuery(device="roller", needle_length_mm=1.5, passes=passes, zone="cheek", age_years=age,
                         grid=GRID, patch_mm=PATCH_MM, weeks=WEEKS, seed=1)
        runs[passes] = run_spatial(q)
    first = runs[PASSES[0]][0]
    section.text(
        f"One roller session (1.5 mm needles, cheek, age {age:g}) on a periodic {PATCH_MM:g} mm patch at "
        f"{first['depth_mm']:.2f} mm depth ({GRID} x {GRID} cells). Every cell runs the healing model's own "
        "kinetics; the injury signal and TGF-b diffuse (growth-factor diffusivity, Nauman 2007), macrophages "
        "and fibroblasts random-walk (motility calibrated on channel closure, Kalluri 2011). Coverage is the "
        "area whose new collagen reaches half the peak of the reference session in the well-mixed model; "
        "uniformity is 1 / (1 + coefficient of variation) of new collagen over the patch. Solve times: the "
        "first run includes compiling the model, the others reuse it.")
    rows, out = [], []
    for passes, (s, _) in runs.items():
        rows.append([passes, s["punctures_per_cm2"], s["grid"]["channels"], s["injured_area_fraction"],
                     s["coverage"], s["uniformity"], s["mean_new_collagen"][-1], s["seconds"]])
        out.append({k: s[k] for k in ("passes", "punctures_per_cm2", "coverage", "uniformity", "seconds",
                                      "times_weeks", "coverage_series", "uniformity_series", "mean_new_collagen")})
    section.table(["passes", "punctures/cm2", "channels on patch", "injured area", f"coverage {WEEKS:g} wk",
                   f"uniformity {WEEKS:g} wk", "mean new collagen", "solve (s)"], rows)

    # figure sequence of maps: rows = passes, columns = weeks
    sel = [2, 5, 8, 11]
    fig, axes = plt.subplots(len(MAP_PASSES), len(sel), figsize=(9, 4.6), squeeze=False)
    vmax = max(float(np.max(runs[p][1].new_collagen)) for p in MAP_PASSES)
    for r, passes in enumerate(MAP_PASSES):
        res = runs[passes][1]
        for c, j in enumerate(sel):
            ax = axes[r][c]
            im = ax.imshow(res.new_collagen[j], origin="lower", extent=(0, PATCH_MM, 0, PATCH_MM),
                           vmin=0.0, vmax=vmax, cmap="viridis")
            ax.set_title(f"{passes} passes, week {res.times_d[j] / 7:.1f}", fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
    fig.colorbar(im, ax=axes, shrink=0.8, label="new collagen (relative to baseline)")
    section.figure(fig, "New collagen over the patch after 2 and 8 passes, at four times (same colour scale).")

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.2))
    for passes, (s, _) in runs.items():
        a1.plot(s["times_weeks"], s["coverage_series"], marker="o", ms=3, label=f"{passes} passes")
        a2.plot(s["times_weeks"], s["mean_new_collagen"], marker="o", ms=3, label=f"{passes} passes")
    ref = runs[PASSES[0]][0]
    a2.plot(ref["times_weeks"], ref["lumped_reference_new_collagen"], "k--", label="reference session (lumped)")
    a2.axhline(ref["coverage_threshold"], color="grey", lw=0.8, ls=":")
    a1.set_xlabel("weeks")
    a1.set_ylabel("coverage")
    a2.set_xlabel("weeks")
    a2.set_ylabel("mean new collagen")
    a2.legend(fontsize=7)
    section.figure(fig, "Coverage (left) and mean new collagen with the coverage threshold (right) after one session.")
    ctx.results["spatial"] = out
    return section
