"""Report section: healing and scar response of each sample patient to a standard needling course."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from microneedling.course import run_patient_course
from microneedling.protocol import Protocol
from microneedling.report.html import Section
from microneedling.report.sections import DemoContext
from microneedling.tissue import scars

PROTOCOL = Protocol(device="roller", needle_length_mm=1.5, sessions=3, interval_weeks=4.0)
WEEKS = 52.0


def build(ctx: DemoContext) -> Section:
    section = Section("Healing, remodelling and scar response")
    section.text(
        "Standard course: 1.5 mm roller, 3 sessions 4 weeks apart (the median protocol of Harris 2015), followed for "
        "52 weeks. Each scar group runs the healing model (Waugh & Sherratt macrophage/TGF-b core, fibroblasts, "
        "collagen III and I, MMP, elastin, alignment; rates calibrated to Lotfi 2013) and the scar model; scores are "
        "Goodman & Baron quantitative (point table unverified against the primary table) and qualitative grade.")
    rows, out, first, shapes = [], [], None, {}
    for p in ctx.patients:
        pc = run_patient_course(p, PROTOCOL, weeks=WEEKS)
        for zone, g, r in pc.groups:
            first = first or (p.id, zone, g.type.value, r)
            out.append({"patient": p.id, "zone": zone, "type": g.type.value, "count": g.count,
                        "depth_before_mm": r.scar_depth_mm[0], "depth_52w_mm": r.scar_depth_mm[-1],
                        "collagen_I_rel_peak": max(r.collagen_I_rel), "dose_per_session": r.dose_per_session})
            shapes[g.type.value] = (r.shape, r.scar_depth_mm[0], r.scar_depth_mm[-1])
        rows.append([p.id, p.age_years, pc.gb_quantitative[0], pc.gb_quantitative[-1], pc.gb_grade[0],
                     pc.gb_grade[-1]])
    section.table(["patient", "age (y)", "G&B quantitative before", "after 52 w", "grade before", "after 52 w"], rows)

    pid, zone, stype, r = first
    w = np.asarray(r.weeks)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.2))
    for name, label in (("inflammatory_macrophages", "inflammatory macrophages"),
                        ("repair_macrophages", "repair macrophages")):
        v = np.asarray(r.cells[name])
        a1.plot(w, v / v[0], label=label)
    a1.plot(w, r.cells["fibroblasts_rel"], label="fibroblasts")
    a1.plot(w, r.cells["myofibroblasts_rel"], label="myofibroblasts")
    a1.set_yscale("symlog", linthresh=1.0)
    a1.set_xlabel("weeks from first session")
    a1.set_ylabel("relative to baseline")
    a1.legend(fontsize=7)
    a2.plot(w, r.collagen_III_rel, label="collagen III")
    a2.plot(w, r.collagen_I_rel, label="collagen I")
    a2.plot(w, r.elastin_rel, label="elastin")
    a2.plot(w, r.alignment, label="alignment (0-1)")
    a2.set_xlabel("weeks from first session")
    a2.legend(fontsize=7)
    section.figure(fig, f"Cells (left, weekly samples) and matrix (right) for {pid}, {zone} {stype} scars.")

    fig, ax = plt.subplots(figsize=(7, 3))
    x = np.linspace(-4.0, 4.0, 401)
    for i, (stype, (shape, before, after)) in enumerate(sorted(shapes.items())):
        off = 8.5 * i
        ax.plot(x + off, scars.profile(shape, before, x), color="#a55", label="before" if i == 0 else None)
        ax.plot(x + off, scars.profile(shape, after, x), color="#386", label="52 weeks" if i == 0 else None)
        ax.text(off, 0.08, stype, ha="center", fontsize=8)
    ax.set_xlabel("distance across the scar (mm; types side by side)")
    ax.set_ylabel("surface height (mm)")
    ax.legend(fontsize=7)
    section.figure(fig, "Scar profile before and 52 weeks after the course (last sample patient group of each type).")

    fig, ax = plt.subplots(figsize=(7, 3))
    ids = [row[0] for row in rows]
    xs = np.arange(len(ids))
    ax.bar(xs - 0.2, [row[2] for row in rows], 0.4, label="before", color="#a55")
    ax.bar(xs + 0.2, [row[3] for row in rows], 0.4, label="52 weeks", color="#386")
    ax.set_xticks(xs, ids)
    ax.set_ylabel("G&B quantitative (0-84)")
    ax.legend(fontsize=7)
    section.figure(fig, "Goodman & Baron quantitative score before and after the course, per sample patient.")
    ctx.results["course"] = {"protocol": {**PROTOCOL.model_dump(include={"device", "needle_length_mm", "sessions", "interval_weeks"}, mode="json"), "weeks": WEEKS}, "scar_groups": out,
                             "patients": [dict(zip(["patient", "age_years", "gb_before", "gb_after", "grade_before",
                                                    "grade_after"], row, strict=True)) for row in rows]}
    return section
