"""Report section: candidacy findings and the per-zone plan for each sample patient."""

from __future__ import annotations

from microneedling.clinic.candidacy import decide, evaluate
from microneedling.clinic.zone_plan import plan_zones
from microneedling.report.html import Section
from microneedling.report.sections import DemoContext


def build(ctx: DemoContext) -> Section:
    section = Section("Planner: candidacy and per-zone plan")
    section.text("Candidacy rules (data/candidacy_rules.yaml) with their evidence level; findings are shown to "
                 "the provider and never applied silently. Per zone, the shortest pen needle whose real "
                 "penetration reaches the scar floor and the pinpoint-bleeding endpoint, under the "
                 "clinician-editable zone cap (cheek 1.5 mm, Harris 2015 median). No outcome is predicted "
                 "here: the sample patients carry no baseline Goodman & Baron score.")
    findings, plans, out = [], [], []
    for p in ctx.patients:
        d = decide(evaluate(p))
        for f in d.findings:
            findings.append([p.id, f.rule_id, f.level.value, f.evidence.value, "; ".join(s.key for s in f.sources)])
        zp = plan_zones(p)
        for z in zp.zones:
            plans.append([p.id, z.zone, z.needle_length_mm, z.cap_mm, z.target_depth_mm,
                          "-" if z.penetration_depth_mm is None else round(z.penetration_depth_mm, 2),
                          "-" if z.bleeding is None else ("yes" if z.bleeding else "no"), z.note])
        out.append({"patient": p.id, "candidacy": d.as_dict()["status"], "zone_plan": zp.as_dict()})
    section.table(["patient", "rule", "level", "evidence", "sources"], findings or [["-", "none", "fine", "-", "-"]],
                  caption="Candidacy findings")
    section.table(["patient", "zone", "needle (mm)", "cap (mm)", "scar floor (mm)", "real depth (mm)", "bleeding",
                   "note"], plans, caption="Per-zone plan, 3 sessions 4 weeks apart (Harris 2015 medians)")
    ctx.results["planner"] = out
    return section
