"""Report section: calibration of the virtual trials (data, fit, residuals, posterior, held-out checks)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from microneedling.report.html import Section


def calibration_section(result: dict) -> Section:
    s = Section("Calibration of the clinical response on published trials")
    d, sp = result["diagnostics"], result["sampler"]
    s.text(f"Fitted to: {', '.join(result['fitted_to'])} (arms: {', '.join(result['arms'])}). Hierarchical model "
           "fitted with NumPyro NUTS: the course engine's scar-fill efficiency (population median and between-trial "
           "SD tau of its logarithm, one random effect per arm), the patients' response spread (log-SD of a "
           "multiplier on the fill) and the qualitative rater SD; likelihood of every published mean (SE = SD / "
           f"sqrt(n)) and SD. {sp['chains']} chains x {sp['warmup']} warm-up + {sp['samples']} samples in "
           f"{sp['seconds']:.0f} s. Diagnostics (ArviZ): R-hat max {d['r_hat_max']:.3f}, bulk ESS min "
           f"{d['ess_bulk_min']:.0f}, tail ESS min {d['ess_tail_min']:.0f}, {d['divergences']} divergent "
           f"transitions. Misfit: chi2 {result['chi2']:.1f} on {result['n_observations']} data (no interval is "
           "widened for it).")
    s.table(["parameter", "posterior median", "95% interval", "posterior SD", "prior SD"],
            [[k, v["median"], f"{v['ci95'][0]:.3g} - {v['ci95'][1]:.3g}", v["sd"],
              result["prior_sd"].get(k, float("nan"))] for k, v in result["summary"].items()],
            caption="Calibrated parameters (mu = ln fill; fill = exp mu)")
    s.table(["trial", "week", "scale", "n", "quantity", "published", "model", "z"],
            [[r["trial"], r["week"], r["scale"].replace("goodman_baron_", ""), r["n"], r["quantity"],
              r["observed"], r["model"], r["z"]] for r in result["fit"]],
            caption="fit: data, model (posterior median of the arm's fill) and residuals in SE units")
    s.table(["held-out trial", "week", "n", "quantity", "published", "predicted", "95% interval", "inside"],
            [[r["trial"], r["week"], r["n"], r["quantity"].replace("_", " "), r["observed"], r["predicted"],
              f"{r['predicted_ci95'][0]:.2f} - {r['predicted_ci95'][1]:.2f}",
              "yes" if r["inside"] else "NO"] for r in result.get("held_out", [])],
            caption="out-of-sample: held-out arms (never fitted), 95% prediction interval for a new trial")
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    rows = result.get("held_out", [])
    for i, r in enumerate(rows):
        lo, hi = r["predicted_ci95"]
        ax.plot([i, i], [lo, hi], color="#557", lw=6, alpha=0.4)
        ax.plot(i, r["predicted"], "o", color="#335")
        ax.plot(i, r["observed"], "x", color="#c33", ms=9)
    ax.set_xticks(range(len(rows)), [f"{r['trial']}\nwk {r['week']:g}" for r in rows], fontsize=8)
    ax.set_ylabel("change of the mean score, or responder rate")
    s.figure(fig, "Held-out trials: predicted 95% interval (bar), predicted mean (dot), published (cross).")
    return s
