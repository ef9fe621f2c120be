"""Plan figures: predicted score over weeks with its 95% band, observed follow-ups, plan comparison.
PNGs are cached by their content (same predictions and observations -> same image)."""

from __future__ import annotations

import base64
import io
import json
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plain(text: str) -> str:
    """User text as matplotlib shows it literally: a ``$`` would start mathtext (and a bad formula raises)."""
    return str(text).replace("$", r"\$")


def has_figure(predictions: list[tuple[str, dict]], observed: list[tuple[float, float]]) -> bool:
    return bool(observed) or any(p.get("available") for _, p in predictions)


@lru_cache(maxsize=256)
def _png(key: str) -> bytes:
    predictions, observed = json.loads(key)
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    for name, p in predictions:
        if not p.get("available"):
            continue
        line, = ax.plot(p["weeks"], p["score_mean"], label=f"{plain(name)}: predicted mean")
        ax.fill_between(p["weeks"], p["score_low"], p["score_high"], color=line.get_color(), alpha=0.2,
                        label=f"{plain(name)}: 95% prediction for this patient")
        for w in p.get("session_weeks", []):
            ax.axvline(w, color=line.get_color(), lw=0.6, ls=":")
    if observed:
        ax.plot([w for w, _ in observed], [s for _, s in observed], "ko", label="observed",
                clip_on=False)  # a score at the axis limit is drawn whole
    ax.set_xlabel("weeks after first session")
    ax.set_ylabel("Goodman & Baron quantitative score")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def outcome_png(predictions: list[tuple[str, dict]], observed: list[tuple[float, float]] = ()) -> bytes | None:
    """PNG of each available prediction (mean, 95% band) and the observed scores as points; None if empty."""
    if not has_figure(predictions, list(observed)):
        return None
    return _png(json.dumps([[[n, p] for n, p in predictions], [list(o) for o in observed]], sort_keys=True))


def outcome_figure(predictions: list[tuple[str, dict]], observed: list[tuple[float, float]] = ()) -> str | None:
    """The same figure as a data URI (for the printable, self-contained plan)."""
    png = outcome_png(predictions, observed)
    return None if png is None else "data:image/png;base64," + base64.b64encode(png).decode("ascii")
