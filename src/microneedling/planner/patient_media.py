"""What the patient page shows of a patient's face charts and photos: the chart history, the marker types and
the depth and width each size class stands for, the photo gallery with the upload limit, and the views a
follow-up's photo metadata may name."""

from __future__ import annotations

from fastapi import Request

from microneedling.planner import face_chart
from microneedling.planner.models import ChartRow, PhotoRow
from microneedling.planner.schemas import FOLLOWUP_PHOTO_VIEWS, PHOTO_VIEWS


def patient_media(request: Request, charts: list[ChartRow], photos: list[PhotoRow]) -> dict:
    """Template context of the patient page's Chart and Photos sections: the patient's ``charts`` (oldest
    visit first) and ``photos`` (gallery order)."""
    return {"charts": charts, "chart_types": face_chart.MARKER_TYPES,
            "size_classes": face_chart.size_class_table(), "photos": photos,
            "photo_views": PHOTO_VIEWS, "followup_photo_views": FOLLOWUP_PHOTO_VIEWS,
            "max_photo_mb": request.app.state.settings.max_photo_bytes / 1e6}
