"""Patient links: after booking, the provider gives the patient a link (no account) to see the appointment,
read the aftercare sheet, sign the consent and send a photo. The link's token is 256 random bits
(:func:`secrets.token_urlsafe`); only its SHA-256 is stored. A link expires after ``days`` and each action it
allows can be done once (a unique row per link and action). A missing, expired or used token gives the same
answer (:class:`~microneedling.planner.services.NotFound`), so tokens cannot be told apart by probing."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from microneedling.planner import consent
from microneedling.planner import services as sv
from microneedling.planner.labels import value_word
from microneedling.planner.models import (
    AppointmentRow,
    PatientLinkRow,
    PatientLinkUseRow,
    PatientRow,
    User,
    utcnow,
)
from microneedling.planner.schemas import PHOTO_VIEWS

ACTIONS = ("consent", "photo")
PHOTO_VIEW_NAMES = {"front": "front", "left": "left side", "right": "right side", "oblique_left": "half-turned left",
                    "oblique_right": "half-turned right"}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create(db: Session, user: User, row: PatientRow, appointment_id: int | None, days: float) -> str:
    """A new link for ``row`` (and one of its appointments); returns the raw token, shown once."""
    if appointment_id is not None:
        appt = db.get(AppointmentRow, appointment_id)
        if appt is None or appt.patient_id != row.id:
            raise sv.NotFound(f"appointment {appointment_id}")
    token = secrets.token_urlsafe(32)
    link = PatientLinkRow(token_hash=digest(token), patient_id=row.id, appointment_id=appointment_id,
                          created_by=user.id, expires_at=utcnow() + timedelta(days=days))
    db.add(link)
    db.flush()
    sv.audit(db, user, "create", "patient_link", link.id, patient_id=row.id, appointment_id=appointment_id,
             expires_at=link.expires_at.isoformat())
    return token


def resolve(db: Session, token: str) -> PatientLinkRow:
    """The live link of ``token``; NotFound if there is none or it expired."""
    link = db.scalar(select(PatientLinkRow).where(PatientLinkRow.token_hash == digest(token)))
    if link is None or link.expires_at < utcnow():
        raise sv.NotFound("link")
    return link


def used(db: Session, link: PatientLinkRow) -> set[str]:
    return set(db.scalars(select(PatientLinkUseRow.action).where(PatientLinkUseRow.link_id == link.id)))


def use(db: Session, token: str, action: str) -> PatientLinkRow:
    """Spend ``action`` of the link in the caller's transaction, as its first write (a lost race rolls the
    transaction back); NotFound if missing, expired or used. Rolling back the caller's transaction (the photo
    was refused) leaves the action open."""
    if action not in ACTIONS:
        raise sv.NotFound("link")
    link = resolve(db, token)
    if action in used(db, link):
        raise sv.NotFound("link")
    db.add(PatientLinkUseRow(link_id=link.id, action=action, at=utcnow()))
    try:
        db.flush()
    except IntegrityError:  # spent by a concurrent request between the check and the insert
        db.rollback()
        raise sv.NotFound("link") from None
    sv.audit(db, None, action, "patient_link", link.id, patient_id=link.patient_id)
    return link


def appointments(db: Session, link: PatientLinkRow) -> list[AppointmentRow]:
    """The linked appointment, else the patient's coming ones (cancelled left out)."""
    q = select(AppointmentRow).where(AppointmentRow.patient_id == link.patient_id,
                                     AppointmentRow.status != "cancelled").order_by(AppointmentRow.starts_at)
    if link.appointment_id is not None:
        q = q.where(AppointmentRow.id == link.appointment_id)
    else:
        q = q.where(AppointmentRow.starts_at >= utcnow() - timedelta(days=1))
    return list(db.scalars(q))


def view(db: Session, settings, link: PatientLinkRow) -> dict:
    """What the link page shows: the appointment times in clinic time, the aftercare sheet (each item with its
    sources or marked general advice), which actions are still open, and the consent form's current version
    (stored on first use, as on the staff's signing page) while the consent is still to sign."""
    from microneedling.citations import format_reference
    from microneedling.clinic.aftercare import default_aftercare
    from microneedling.planner.scheduling import clinic_zone, local_label

    zone = clinic_zone(settings.clinic_timezone)
    care = default_aftercare()

    def items(entries) -> list[dict]:
        return [{"text": i.text, "sources": [format_reference(s.key) for s in i.sources], "general": i.general}
                for i in entries]

    done = used(db, link)
    form = consent.template(db) if "consent" not in done else None
    return {"consent_form": form, "consent_body": consent.render_markdown(form.body_md) if form else None,
            "appointments": [{"when": local_label(a.starts_at, zone), "minutes": a.duration_min, "status": a.status}
                             for a in appointments(db, link)],
            "expected_effects": items(care.expected_effects), "aftercare": items(care.aftercare),
            "open_actions": [a for a in ACTIONS if a not in done], "expires": local_label(link.expires_at, zone),
            "photo_views": [(v, PHOTO_VIEW_NAMES.get(v, value_word(v))) for v in PHOTO_VIEWS]}


def issuer_and_patient(db: Session, link: PatientLinkRow) -> tuple[User, PatientRow]:
    """The user who issued the link (recorded as collecting what the patient sends through it) and the patient."""
    return db.get(User, link.created_by), db.get(PatientRow, link.patient_id)
