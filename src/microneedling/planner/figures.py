"""Plan figures: predicted score over weeks with its 95% band, observed follow-ups, plan comparison."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from microneedling.report import figure_to_data_uri  # noqa: E402


def outcome_figure(predictions: list[tuple[str, dict]], observed: list[tuple[float, float]] = ()) -> str | None:
    """Data URI of a PNG: each available prediction (mean, 95% band), observed scores as points."""
    usable = [(n, p) for n, p in predictions if p.get("available")]
    if not usable and not observed:
        return None
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    for name, p in usable:
        line, = ax.plot(p["weeks"], p["score_mean"], label=f"{name}: predicted mean")
        ax.fill_between(p["weeks"], p["score_low"], p["score_high"], color=line.get_color(), alpha=0.2,
                        label=f"{name}: 95% band")
        for w in p.get("session_weeks", []):
            ax.axvline(w, color=line.get_color(), lw=0.6, ls=":")
    if observed:
        ax.plot([w for w, _ in observed], [s for _, s in observed], "ko", label="observed")
    ax.set_xlabel("weeks after first session")
    ax.set_ylabel("Goodman & Baron quantitative score")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7)
    fig.tight_layout()
    uri = figure_to_data_uri(fig)
    plt.close(fig)
    return uri
