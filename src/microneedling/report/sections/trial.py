"""Report section: a virtual trial summary (score over time with 95% CI, change, responder rate per arm).

Used by ``microneedling trial --out`` and by the demo, which runs ``examples/trial.yaml``-like arms sized
for the demo patients' profile.
"""

from __future__ import annotations

import csv
import io

import matplotlib.pyplot as plt

from microneedling.report.html import Section
from microneedling.report.sections import DemoContext
from microneedling.trials.spec import TrialSpec, spec_from_dict


def results_csv(result: dict) -> str:
    from microneedling.trials.run import results_rows

    rows = results_rows(result)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def trial_section(spec: TrialSpec, result: dict, title: str | None = None) -> Section:
    section = Section(title or f"Virtual trial: {spec.name}")
    section.text(
        "Virtual patients drawn from each arm's population go through the course model (injury, healing, "
        "scar depth by type) and the one score model (scar classes x counts, in expectation over per-scar depths), "
        "with the calibrated clinical response (scar fill of the course, its between-trial spread, each patient's "
        "response multiplier on the fill) and rater noise. '95% new trial' is the prediction for a new trial of "
        "this size (posterior draws with the between-trial spread, bootstrap resamples of the cohort, rater noise); "
        "'95% population mean' is the mean of the trial population fitted (parameter uncertainty only) "
        f"(seed {spec.seed}, {spec.draws} draws). Change = baseline minus score (positive = better)."
    )
    rows = []
    for arm in spec.arms:
        a = result["arms"][arm.name]
        p = arm.protocol
        proto = "untreated" if not p.treated else (
            f"{p.device.value} {p.needle_length_mm:g} mm x {p.sessions}, every {p.interval_weeks:g} wk")
        for tp in a["timepoints"]:
            rows.append([arm.name, proto, a["n"], a["scale"].replace("goodman_baron_", "G&B "), tp["week"],
                         a["baseline_mean"], tp["score_mean"], f"{tp['score_ci95'][0]:.2f} - {tp['score_ci95'][1]:.2f}",
                         tp["change_mean"], f"{tp['change_ci95'][0]:.2f} - {tp['change_ci95'][1]:.2f}",
                         f"{tp['change_ci95_population'][0]:.2f} - {tp['change_ci95_population'][1]:.2f}",
                         f"{100 * tp['responder_rate']:.0f}%"])
    section.table(["arm", "protocol", "n", "scale", "week", "baseline", "score", "95% new trial", "change",
                   "95% new trial", "95% population mean", "responders"], rows)
    scales = sorted({result["arms"][a.name]["scale"] for a in spec.arms})
    fig, axes = plt.subplots(1, len(scales), figsize=(6.5 * len(scales), 3.4), squeeze=False)
    for ax, scale in zip(axes[0], scales, strict=True):
        for arm in spec.arms:
            a = result["arms"][arm.name]
            if a["scale"] != scale:
                continue
            wk = [0.0] + [tp["week"] for tp in a["timepoints"]]
            mean = [a["baseline_mean"]] + [tp["score_mean"] for tp in a["timepoints"]]
            lo = [a["baseline_mean"]] + [tp["score_ci95"][0] for tp in a["timepoints"]]
            hi = [a["baseline_mean"]] + [tp["score_ci95"][1] for tp in a["timepoints"]]
            line = ax.plot(wk, mean, marker="o", label=arm.name)[0]
            ax.fill_between(wk, lo, hi, color=line.get_color(), alpha=0.2)
        ax.set_xlabel("weeks after the first session")
        ax.set_ylabel("G&B quantitative score (points)" if scale.endswith("quantitative") else "G&B grade")
        ax.legend(fontsize=8)
    section.figure(fig, "Mean recorded score per arm with the 95% prediction interval for a new trial.")
    return section


DEMO_SPEC = {
    "name": "demo-sessions",
    "seed": 7,
    "draws": 100,
    "arms": [
        {"name": name, "population": {
            "n": 60, "age_years": {"mean": 30, "sd": 7}, "fitzpatrick": {"II": 0.2, "III": 0.4, "IV": 0.3, "V": 0.1},
            "scar_mix": {"icepick": 0.3, "boxcar": 0.4, "rolling": 0.3},
            "baseline": {"scale": "goodman_baron_quantitative", "mean": 14.0, "sd": 5.0}},
         "protocol": proto}
        for name, proto in [
            ("untreated", {"device": "none"}),
            ("roller-1.5mm-x1", {"device": "roller", "needle_length_mm": 1.5, "sessions": 1, "interval_weeks": 4}),
            ("roller-1.5mm-x3", {"device": "roller", "needle_length_mm": 1.5, "sessions": 3, "interval_weeks": 4}),
            ("roller-1.5mm-x6", {"device": "roller", "needle_length_mm": 1.5, "sessions": 6, "interval_weeks": 4}),
        ]
    ],
    "timepoints_weeks": [4, 12, 24, 36, 52],
}


def build(ctx: DemoContext) -> Section:
    from microneedling.trials.run import run_trial

    spec = spec_from_dict(DEMO_SPEC)
    result = run_trial(spec)
    ctx.results["trial"] = result
    return trial_section(spec, result, "Virtual trial: untreated vs 1, 3 and 6 sessions")


def sweep_heatmap(df, x: str, y: str | None, arm: str, value: str = "change_mean", week: float | None = None):
    """Heat map of ``value`` of ``arm`` over the swept ``x`` (and ``y``) at ``week`` (default: the last); a line
    plot when only one key was swept. Returns the matplotlib figure."""
    week = float(df["week"].max()) if week is None else week
    d = df[(df["week"] == week) & (df["arm"] == arm)]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    if y is None:
        d = d.sort_values(x)
        ax.plot(d[x], d[value], marker="o")
        ax.fill_between(d[x], d[value.replace("_mean", "_ci95_low")], d[value.replace("_mean", "_ci95_high")],
                        alpha=0.2)
        ax.set_xlabel(x)
        ax.set_ylabel(f"{value} at week {week:g}")
    else:
        table = d.pivot_table(index=y, columns=x, values=value, aggfunc="mean").sort_index()
        im = ax.imshow(table.values, origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(table.columns)), [f"{c:g}" for c in table.columns])
        ax.set_yticks(range(len(table.index)), [f"{r:g}" for r in table.index])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        for i in range(table.shape[0]):
            for j in range(table.shape[1]):
                ax.text(j, i, f"{table.values[i, j]:.2g}", ha="center", va="center", color="w", fontsize=8)
        fig.colorbar(im, ax=ax, label=f"{value} at week {week:g}")
    ax.set_title(f"arm {arm}")
    return fig
