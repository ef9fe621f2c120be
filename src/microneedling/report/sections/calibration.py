"""Report section: calibration of the virtual trials (data, fit, residuals, posterior, held-out checks)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from microneedling.report.html import Section


def calibration_section(result: dict) -> Section:
    s = Section("Calibration of the clinical response on published trials")
    s.text(f"Fitted to: {', '.join(result['fitted_to'])}. Objective: squared z-scores of the published means "
           f"and SDs plus weak log-normal priors; BFGS on JAX gradients ({result['iterations']} iterations, "
           f"converged: {result['converged']}, gradient norm {result['gradient_norm']:.2g}); posterior by the "
           "Laplace approximation.")
    s.table(["parameter", "value", "95% interval"],
            [[k, v, f"{result['theta_ci95'][k][0]:.3g} - {result['theta_ci95'][k][1]:.3g}"]
             for k, v in result["theta"].items()], caption="Calibrated parameters")
    s.table(["trial", "week", "scale", "n", "published mean", "model mean", "z (mean)", "published SD",
             "model SD", "z (SD)"],
            [[r["trial"], r["week"], r["scale"].replace("goodman_baron_", ""), r["n"], r["observed_mean"],
              r["model_mean"], r["z_mean"], r["observed_sd"], r["model_sd"], r["z_sd"]] for r in result["fit"]],
            caption="Fit: data, model and residuals")
    s.table(["held-out trial", "week", "n", "published change", "predicted change", "95% interval", "inside"],
            [[r["trial"], r["week"], r["n"], r["observed_change"], r["predicted_change"],
              f"{r['predicted_change_ci95'][0]:.2f} - {r['predicted_change_ci95'][1]:.2f}",
              "yes" if r["inside"] else "NO"] for r in result.get("held_out", [])],
            caption="Held-out trials (never fitted)")
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    rows = result.get("held_out", [])
    for i, r in enumerate(rows):
        lo, hi = r["predicted_change_ci95"]
        ax.plot([i, i], [lo, hi], color="#557", lw=6, alpha=0.4)
        ax.plot(i, r["predicted_change"], "o", color="#335")
        ax.plot(i, r["observed_change"], "x", color="#c33", ms=9)
    ax.set_xticks(range(len(rows)), [f"{r['trial']}\nwk {r['week']:g}" for r in rows], fontsize=8)
    ax.set_ylabel("change of the mean score")
    s.figure(fig, "Held-out trials: predicted 95% interval (bar), predicted mean (dot), published (cross).")
    return s
