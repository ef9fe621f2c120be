"""Clinical photos in the database: upload (stored by :mod:`microneedling.planner.photo_store`), the gallery
of a patient, the consent-to-share flag, and reading a photo. Uploads, consent changes and every view are
written to the audit log; a photo is reachable only through its patient, so only those who may see the
patient (:func:`microneedling.planner.services.get_patient`) can see it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from microneedling.planner import photo_store
from microneedling.planner.models import PatientRow, PhotoRow, User
from microneedling.planner.schemas import PHOTO_VIEWS, PhotoView
from microneedling.planner.services import NotFound, audit, get_patient


class PhotoIn(BaseModel):
    """What is recorded with an uploaded photo (the file itself comes as the multipart field ``file``)."""

    model_config = ConfigDict(extra="forbid")

    view: PhotoView
    taken_on: date
    visit: date | None = Field(None, description="the visit the photo belongs to (default: taken_on)")
    consent_to_share: bool = False


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consent_to_share: bool


class PhotoOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    view: str
    taken_on: date
    visit_date: date
    consent_to_share: bool
    content_type: str
    width_px: int
    height_px: int
    uploaded_at: datetime


class PhotoCreatedOut(BaseModel):
    id: int


def add_photo(db: Session, user: User, row: PatientRow, data: PhotoIn, content: bytes, folder: Path) -> PhotoRow:
    """Clean and store ``content`` and record it; raises :class:`photo_store.NotAnImage` for anything but a
    JPEG or PNG."""
    stored = photo_store.store(folder, content)
    photo = PhotoRow(patient_id=row.id, sha256=stored.sha256, content_type=stored.content_type,
                     width_px=stored.width_px, height_px=stored.height_px, view=data.view, taken_on=data.taken_on,
                     visit_date=data.visit or data.taken_on, consent_to_share=data.consent_to_share,
                     uploaded_by=user.id)
    db.add(photo)
    db.flush()
    audit(db, user, "upload", "photo", photo.id, patient_id=row.id, view=data.view,
          taken_on=data.taken_on.isoformat(), content_type=stored.content_type, bytes_received=len(content),
          consent_to_share=data.consent_to_share)
    return photo


def photos_of(db: Session, row: PatientRow) -> list[PhotoRow]:
    """The patient's photos by visit date, then standard view order."""
    return sorted(db.scalars(select(PhotoRow).where(PhotoRow.patient_id == row.id)), key=photo_order)


def photo_order(p: PhotoRow) -> tuple:
    """Sort key of a patient's photos: visit date, then the standard views' order, then upload order."""
    return p.visit_date, PHOTO_VIEWS.index(p.view) if p.view in PHOTO_VIEWS else len(PHOTO_VIEWS), p.id


def get_photo(db: Session, user: User, photo_id: int) -> tuple[PhotoRow, PatientRow]:
    """The photo if ``user`` may see its patient; else :class:`NotFound` (the two are not told apart)."""
    photo = db.get(PhotoRow, photo_id)
    if photo is None:
        raise NotFound(f"photo {photo_id}")
    return photo, get_patient(db, user, photo.patient_id)


def view_photo(db: Session, user: User, photo_id: int, folder: Path, thumb: bool) -> tuple[Path, str]:
    """(file path, content type) of a photo or its thumbnail, the view audited."""
    photo, _ = get_photo(db, user, photo_id)
    audit(db, user, "view", "photo", photo.id, patient_id=photo.patient_id, thumb=thumb)
    path = photo_store.path_of(folder, photo.sha256, photo.content_type, thumb)
    if not path.exists():
        raise NotFound(f"photo file {photo_id}")
    return path, "image/jpeg" if thumb else photo.content_type


def set_consent(db: Session, user: User, photo_id: int, data: ConsentIn) -> PhotoRow:
    photo, _ = get_photo(db, user, photo_id)
    before = photo.consent_to_share
    photo.consent_to_share = data.consent_to_share
    audit(db, user, "update", "photo", photo.id, patient_id=photo.patient_id, consent_to_share_before=before,
          consent_to_share=data.consent_to_share)
    return photo
