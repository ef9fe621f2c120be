"""Face-map charting: scar markers placed on a front-view face drawing, one chart per visit.

A marker is one lesion at an image-relative position (``x``, ``y`` in [0, 1] of the drawing's width and
height) in a facial zone of :class:`microneedling.patient.Zone` (the drawing's left and right regions, and the
jawline, map onto those zones: :data:`REGIONS`). Its type is an atrophic type of
:class:`microneedling.patient.ScarType` (icepick, boxcar, rolling) or a non-atrophic lesion (macular,
hypertrophic). An atrophic marker's depth and width are the measured ones when given (mm), else the typical
ones of its size class from the package's scar data (:func:`microneedling.tissue.scars.size_class_scar`).

The chart becomes scar groups (zone, type, count, depth, width: markers alike in all four are one group);
the Goodman & Baron score and grade come from the one score model,
:func:`microneedling.outcomes.goodman_baron.score_scar_groups`, with macular markers as its macular lesions (A1)
and hypertrophic markers as its papular lesions (D1)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from microneedling.outcomes.goodman_baron import score_scar_groups
from microneedling.patient import SCAR_TYPES, Zone
from microneedling.tissue.scars import SIZE_CLASSES, size_class_scar

MarkerType = Literal["icepick", "boxcar", "rolling", "macular", "hypertrophic"]
MARKER_TYPES: tuple[str, ...] = ("icepick", "boxcar", "rolling", "macular", "hypertrophic")
ATROPHIC: frozenset[str] = frozenset(t.value for t in SCAR_TYPES)
MAX_MARKERS = 500

# drawing region id -> zone of the package's zone plan (R/L: the patient's right and left; front view, so the
# patient's right is on the viewer's left). The zone plan has no jaw zone: the jawline charts as cheek.
REGIONS: dict[str, Zone] = {
    "forehead": Zone.forehead, "temple_r": Zone.temple, "temple_l": Zone.temple,
    "periorbital_r": Zone.periorbital, "periorbital_l": Zone.periorbital, "nose": Zone.nose,
    "cheek_r": Zone.cheek, "cheek_l": Zone.cheek, "perioral": Zone.perioral, "chin": Zone.chin,
    "jaw_r": Zone.cheek, "jaw_l": Zone.cheek,
}


class MarkerIn(BaseModel):
    """One charted lesion. Depth and width apply to atrophic markers only (ignored for macular and hypertrophic)."""

    model_config = ConfigDict(extra="forbid")

    zone: Zone
    x: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False, description="from the drawing's left edge")]
    y: Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False, description="from the drawing's top edge")]
    type: MarkerType
    size: Literal["small", "medium", "large"] = "medium"
    depth_mm: Annotated[float, Field(gt=0.0, le=3.0, allow_inf_nan=False, description="measured depth, mm")] | None = None
    width_mm: Annotated[float, Field(gt=0.0, le=20.0, allow_inf_nan=False, description="measured width, mm")] | None = None


class ChartIn(BaseModel):
    """A visit's chart: its markers (at most 500) and the visit date (today if not given)."""

    model_config = ConfigDict(extra="forbid")

    markers: Annotated[list[MarkerIn], Field(max_length=MAX_MARKERS)]
    visit_date: date | None = None


class ChartOut(BaseModel):
    chart_id: int
    visit_date: date
    gb_quantitative: float
    gb_grade: int
    counts: dict[str, dict[str, int]] = Field(description="markers per zone and type")
    markers: list[dict] = Field(description="the markers as stored (depth and width resolved, mm)")


@dataclass(frozen=True)
class Group:
    """Alike atrophic markers of one zone: the scar group the plan and prediction use."""

    zone: str
    type: str
    count: int
    depth_mm: float
    width_mm: float


def resolved(marker: MarkerIn) -> dict:
    """The marker as stored: depth and width (mm) resolved from its size class where not measured; none for
    non-atrophic markers."""
    out = {"zone": marker.zone.value, "x": marker.x, "y": marker.y, "type": marker.type, "size": marker.size,
           "depth_mm": None, "width_mm": None}
    if marker.type in ATROPHIC:
        depth, width = size_class_scar(marker.type, marker.size)
        out["depth_mm"] = marker.depth_mm if marker.depth_mm is not None else depth
        out["width_mm"] = marker.width_mm if marker.width_mm is not None else width
    return out


def scar_groups(markers: list[dict]) -> list[Group]:
    """Atrophic markers (as :func:`resolved` stores them) grouped by zone, type, depth and width, in first-seen order."""
    n = Counter((m["zone"], m["type"], m["depth_mm"], m["width_mm"]) for m in markers if m["type"] in ATROPHIC)
    return [Group(z, t, c, d, w) for (z, t, d, w), c in n.items()]


def counts(markers: list[dict]) -> dict[str, dict[str, int]]:
    """Markers per zone and type."""
    out: dict[str, dict[str, int]] = {}
    for m in markers:
        out.setdefault(m["zone"], Counter())[m["type"]] += 1
    return {z: dict(c) for z, c in out.items()}


def score(markers: list[dict]) -> tuple[float, int]:
    """Goodman & Baron quantitative score (points) and qualitative grade (1-4) of a chart, by the one score model."""
    groups = scar_groups(markers)
    kinds = Counter(m["type"] for m in markers)
    return score_scar_groups([g.type for g in groups], [g.count for g in groups], [g.depth_mm for g in groups],
                             macular=kinds["macular"], papular=kinds["hypertrophic"])


def size_class_table() -> list[dict]:
    """Depth and width (mm) an atrophic marker gets per size class when not measured, for the chart page."""
    return [{"type": t.value, "size": s, "depth_mm": d, "width_mm": w}
            for t in SCAR_TYPES for s in SIZE_CLASSES for d, w in [size_class_scar(t, s)]]
