"""Report section: topical uptake after the planned session, through intact skin and through closing channels."""

from __future__ import annotations

import matplotlib.pyplot as plt

from microneedling.clinic.zone_plan import plan_zones
from microneedling.delivery.topicals import topical
from microneedling.delivery.uptake import DEFAULT_CONCENTRATION_MG_PER_ML, DeliveryQuery, run_query
from microneedling.report.html import Section
from microneedling.report.sections import DemoContext

TOPICALS = ("ascorbic-acid", "tranexamic-acid", "niacinamide", "egf")
HOURS = 24.0


def _fmt_enh(v: float | None) -> str:
    return "intact route closed" if v is None else f"{v:.3g}"


def build(ctx: DemoContext) -> Section:
    section = Section("Topical delivery through the needle channels")
    section.text(
        f"Uptake over {HOURS:g} h of a serum at {DEFAULT_CONCENTRATION_MG_PER_ML:g} mg/mL kept on the skin "
        "(infinite dose, dermis as sink): intact skin by Potts-Guy permeability through the stratum corneum; "
        "needled skin adds hindered aqueous diffusion down the session's channels (depth, density and radius from "
        "the puncture field of the planned needle length), which close with a half-life that grows with depth "
        "(Kalluri 2011) and is longer under occlusion (human impedance data). Enhancement = needled / intact uptake.")
    props = []
    for key in TOPICALS:
        m = topical(key)
        mw_from = (f"formula {m.formula} and the IUPAC standard atomic weights (Coplen 1996)" if m.formula
                   else m.mw_provenance.summary() if m.mw_provenance else "-")
        props.append([key, f"{m.mw_da:.6g}", mw_from,
                      "none (intact route closed)" if m.log_p is None else f"{m.log_p:g}",
                      m.logp_provenance.summary() if m.logp_provenance else "-"])
    section.table(["topical", "MW (Da)", "MW from", "log P", "log P from"], props,
                  caption="Molecular weight and octanol/water log P of the topicals below and where each comes from. "
                          "An assumed log P rests on no measurement found in a stored source (the reason is "
                          "given); the intact-skin uptake of that topical inherits the assumption.")
    rows, out, first = [], [], None
    for p in ctx.patients:
        plan = plan_zones(p)
        if not plan.zones:
            continue
        z = plan.zones[0]
        for key in TOPICALS:
            for occluded in (False, True):
                q = DeliveryQuery(molecule=key, needle_length_mm=z.needle_length_mm, hours=HOURS, occluded=occluded,
                                  zone=z.zone, device=z.device)
                summary, res = run_query(q)
                if first is None and key == TOPICALS[0]:
                    first = (p.id, z, {})
                if first is not None and first[0] == p.id and key == TOPICALS[0]:
                    first[2][occluded] = res
                rows.append([p.id, z.zone, z.needle_length_mm, key, "yes" if occluded else "no",
                             summary["channel_half_closure_hours"], summary["cumulative_uptake_ug_per_cm2"],
                             summary["intact_skin_uptake_ug_per_cm2"], _fmt_enh(summary["enhancement"])])
                out.append({"patient": p.id, **summary})
    section.table(["patient", "zone", "needle (mm)", "topical", "occluded", "half-closure (h)",
                   "needled uptake (ug/cm2)", "intact uptake (ug/cm2)", "enhancement"], rows,
                  caption="First planned zone of each patient; uptake at 24 h.")
    if first is not None:
        pid, z, res = first
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.4))
        for occluded, style in ((False, "-"), (True, "--")):
            r = res[occluded]
            label = "needled, occluded" if occluded else "needled, open"
            ax1.plot(r.times_h, r.flux_needled_ug_per_cm2_h, style, color="#b33", label=label)
            ax2.plot(r.times_h, r.cumulative_needled_ug_per_cm2, style, color="#b33", label=label)
        r = res[False]
        ax1.plot(r.times_h, r.flux_intact_ug_per_cm2_h, color="#336", label="intact")
        ax2.plot(r.times_h, r.cumulative_intact_ug_per_cm2, color="#336", label="intact")
        ax1.set_yscale("log")
        ax1.set_ylim(bottom=max(1e-4, float(r.flux_intact_ug_per_cm2_h[-1]) / 100))
        ax2.set_yscale("log")
        ax2.set_ylim(bottom=max(1e-3, float(r.cumulative_intact_ug_per_cm2[-1]) / 100))
        for ax in (ax1, ax2):
            ax.set_xlabel("hours after the session")
        ax1.set_ylabel("flux (ug/cm2/h)")
        ax2.set_ylabel("cumulative uptake (ug/cm2)")
        ax2.legend(fontsize=8)
        fig.tight_layout()
        section.figure(fig, f"{TOPICALS[0]} after the planned session of {pid} ({z.zone}, {z.needle_length_mm} mm "
                            f"{z.device}): flux and cumulative uptake, intact vs needled skin (open and occluded).")
    ctx.results["delivery"] = out
    return section
