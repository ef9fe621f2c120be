"""Report section "What rests on assumptions": the Sobol indices of the predicted 6-month change to the
calibrated and assumed parameters (:mod:`microneedling.sensitivity`), top 10 by total index, as a table and a
bar figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from microneedling.params import format_status_counts, status_counts
from microneedling.report.html import Section
from microneedling.report.sections import DemoContext

TITLE = "What rests on assumptions"
DEMO_SAMPLES = 16
"""Base samples of the demo report's run (N (D + 2) model evaluations); ``microneedling sensitivity --samples``
runs more."""
OUTPUT = "gb_quantitative_change"


def _interval(v: float, half: float) -> str:
    return f"{v:.2f} [{v - half:.2f}, {v + half:.2f}]"


def _range(row: dict) -> str:
    return f"{row['low']:.3g}-{row['high']:.3g} {row['unit'] if row['unit'] != '1' else ''}".strip()


def sensitivity_section(result: dict, output: str = OUTPUT, n: int = 10) -> Section:
    """The section for a :func:`microneedling.sensitivity.run_sensitivity` result: what was varied and how,
    the top ``n`` parameters by total index on ``output`` (table, with 95% intervals) and a bar figure of
    their first-order and total indices; the leaders of the other outputs in one line each."""
    from microneedling.sensitivity import top

    ref = result["reference"]
    p = ref["protocol"]
    counts = status_counts()
    out = result["outputs"][output]
    section = Section(TITLE)
    section.text(
        f"The registry holds {sum(counts.values())} parameters ({format_status_counts(counts)}). The "
        f"{counts['calibrated']} calibrated and {counts['assumed']} assumed ones were varied all at once over the "
        f"ranges below, and the predicted change of patient {ref['patient']} (age {ref['age_years']:g}) "
        f"{ref['readout_weeks']:g} weeks after the first of {p['sessions']} {p['device']} sessions at "
        f"{p['needle_length_mm']:g} mm, {p['interval_weeks']:g} weeks apart, was computed for each of "
        f"{result['evaluations']} parameter vectors (Saltelli sampling, {result['samples']} base samples). "
        "Sobol indices split the variance of the prediction: the first-order index S1 is the share due to a "
        "parameter alone, the total index ST the share including its interactions (0: the output does not "
        "depend on it). " + result["range_rules"])
    section.text(f"{out['label']}: mean {out['mean']:.3g}, SD {out['sd']:.3g} over the sample. Top "
                 f"{n} parameters by total index, with 95% bootstrap intervals:")
    rows = top(result, output, n)
    section.table(["parameter", "status", "range (basis)", "S1 [95%]", "ST [95%]"],
                  [[r["name"], r["status"], f"{_range(r)} ({r['basis']})", _interval(r["S1"], r["S1_conf"]),
                    _interval(r["ST"], r["ST_conf"])] for r in rows])
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.2))
    y = np.arange(len(rows))[::-1]
    ax.barh(y + 0.2, [r["ST"] for r in rows], 0.4, xerr=[r["ST_conf"] for r in rows], color="#a55",
            label="total (ST)")
    ax.barh(y - 0.2, [r["S1"] for r in rows], 0.4, xerr=[r["S1_conf"] for r in rows], color="#58a",
            label="first order (S1)")
    ax.set_yticks(y, [r["name"] for r in rows], fontsize=7)
    ax.set_xlabel("Sobol index (share of variance)")
    ax.axvline(0.0, color="#444", lw=0.6)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    section.figure(fig, f"Sobol indices of the {out['label']} to the {n} most influential calibrated or assumed "
                        "parameters (bars: estimate; whiskers: 95% bootstrap interval).")
    plt.close(fig)
    others = []
    for name, o in result["outputs"].items():
        if name != output:
            lead = ", ".join(f"{r['name']} (ST {r['ST']:.2f})" for r in o["indices"][:3])
            others.append(f"{o['label']} (mean {o['mean']:.3g}): {lead}")
    section.text("Leading parameters of the other outputs: " + "; ".join(others) + ".")
    return section


def build(ctx: DemoContext) -> Section:
    """The demo report's section: :data:`DEMO_SAMPLES` base samples on the reference patient."""
    from microneedling.sensitivity import run_sensitivity

    result = run_sensitivity(samples=DEMO_SAMPLES)
    ctx.results["sensitivity"] = {k: result[k] for k in ("reference", "samples", "evaluations", "range_rules")}
    ctx.results["sensitivity"]["top10"] = {o: result["outputs"][o]["indices"][:10] for o in result["outputs"]}
    return sensitivity_section(result)
