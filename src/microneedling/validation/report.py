"""The validation report: every registered model-vs-data comparison as a figure, metric, source and verdict."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np

from microneedling.citations import cite, format_references
from microneedling.report.html import Section, render_html
from microneedling.validation.registry import Comparison, registered, run_comparison


def run_all(fast_only: bool = False, on_step: Callable[[str], None] | None = None) -> list[Comparison]:
    """Run every registered comparison (or only the fast ones) in registration order."""
    results = []
    for name in registered(fast_only=fast_only):
        if on_step:
            on_step(name)
        results.append(run_comparison(name))
    return results


def comparison_figure(c: Comparison):
    """Observed (with error bars) and predicted values at the compared points."""
    numeric = all(isinstance(v, (int, float)) for v in c.x)
    pos = np.asarray(c.x, dtype=float) if numeric else np.arange(len(c.x), dtype=float)
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    ax.errorbar(pos, c.observed, yerr=c.observed_err, fmt="o", color="k", capsize=3, label="published")
    if c.predicted_band is not None:
        lo = [b[0] for b in c.predicted_band]
        hi = [b[1] for b in c.predicted_band]
        ax.fill_between(pos, lo, hi, color="#7aa6d8", alpha=0.35, label="model 95% band")
    ax.plot(pos, c.predicted, "s" if not numeric else "s-", color="#2266aa", label="model")
    if not numeric:
        ax.set_xticks(pos, [str(v) for v in c.x], rotation=35, ha="right", fontsize=8)
    ax.set_xlabel(c.x_label)
    ax.set_ylabel(c.quantity)
    ax.legend(fontsize=8)
    ax.set_title(("PASS" if c.passed else "FAIL") + f": {c.title}", fontsize=10)
    return fig


def comparison_section(c: Comparison) -> Section:
    for key in c.sources:
        cite(key)
    s = Section(("PASS  " if c.passed else "FAIL  ") + c.title)
    s.table(["metric", "error", "tolerance", "verdict", "sources"],
            [[c.metric, c.error, c.tolerance, "pass" if c.passed else "FAIL", ", ".join(c.sources)]])
    if c.notes:
        s.text(c.notes)
    s.figure(comparison_figure(c), f"{c.title}: published values (error bars) and model.")
    return s


def render_validation_report(results: list[Comparison]) -> str:
    summary = Section("Summary")
    summary.text(f"{sum(c.passed for c in results)} of {len(results)} comparisons within their stated tolerance.")
    summary.table(["comparison", "metric", "error", "tolerance", "verdict"],
                  [[c.name, c.metric, c.error, c.tolerance, "pass" if c.passed else "FAIL"] for c in results])
    sections = [summary] + [comparison_section(c) for c in results]
    return render_html("microneedling validation report", sections, format_references())
