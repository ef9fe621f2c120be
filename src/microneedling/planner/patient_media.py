"""What the patient page shows of a patient's face charts and photos: the chart history, the marker types and
the depth and width each size class stands for, the photo gallery with the upload limit, and the views a
follow-up's photo metadata may name."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from microneedling.planner import chart_service, face_chart, photo_service
from microneedling.planner.models import PatientRow
from microneedling.planner.schemas import FOLLOWUP_PHOTO_VIEWS, PHOTO_VIEWS


def patient_media(request: Request, db: Session, row: PatientRow) -> dict:
    """Template context of the patient page's Chart and Photos sections."""
    return {"charts": chart_service.charts_of(db, row), "chart_types": face_chart.MARKER_TYPES,
            "size_classes": face_chart.size_class_table(), "photos": photo_service.photos_of(db, row),
            "photo_views": PHOTO_VIEWS, "followup_photo_views": FOLLOWUP_PHOTO_VIEWS,
            "max_photo_mb": request.app.state.settings.max_photo_bytes / 1e6}
