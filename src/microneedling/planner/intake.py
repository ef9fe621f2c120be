"""Pre-consultation questionnaire and consultation requests.

A visitor answers the public questionnaire (age, sex, skin type, the history items the candidacy rules read,
scars as type, zone and rough count, and one way to reach them). The answers run through the SAME candidacy
rules as a provider's patient (:func:`microneedling.clinic.candidacy.evaluate`) and the visitor is told, in
plain words, what the provider will want to discuss; a contraindication reads "needs a provider's assessment
first", never a final no. The request is stored under an unguessable random ``request_id``
(:func:`secrets.token_urlsafe`, 256 bits), listed for providers, and accepted into a patient record whose
history and scars are pre-filled (each scar group at its type's typical depth and width,
:func:`microneedling.tissue.scars.typical_scar`, for the provider to measure and correct).

Only what the consultation needs is collected; requests are deleted after the retention period
(:func:`purge`, ``microneedling purge-intake``), accepted or not, together with expired patient links and old
rate-limit counts.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from microneedling.clinic import candidacy
from microneedling.inputs import StrictInput
from microneedling.patient import Fitzpatrick, History, Patient, ScarType, Sex, Zone
from microneedling.planner import services as sv
from microneedling.planner.labels import value_word
from microneedling.planner.models import (
    IntakeRequestRow,
    PatientLinkRow,
    PatientRow,
    PublicHitRow,
    User,
    utcnow,
)
from microneedling.planner.schemas import PatientIn
from microneedling.tissue.scars import typical_scar
from microneedling.units import AgeYears

# plain words for each rule of data/candidacy_rules.yaml (a rule missing here is named by its id)
TOPICS = {
    "active_acne": "Active acne (spots now)",
    "active_infection": "A skin infection or cold sore right now",
    "keloid_tendency": "A tendency to raised (keloid) scars",
    "immunosuppression": "Medicines or an illness that weaken the immune system",
    "pregnancy": "Pregnancy or breastfeeding",
    "isotretinoin_recent": "Isotretinoin (Roaccutane) in the last 12 months",
    "herpes_labialis": "Cold sores in the past",
    "anticoagulants": "Blood thinners or a bleeding disorder",
    "recent_filler_or_laser": "A recent filler, laser or peel",
    "darker_phototype": "A darker skin type (IV to VI)",
}
ASSESS = "assessment_first"  # a contraindication: a provider must assess it before any plan
DISCUSS = "discuss"  # a caution: the provider will talk it through


class IntakeScar(StrictInput):
    """Scars of one type in one facial zone, roughly counted by the visitor."""

    zone: Zone
    type: ScarType
    count: Annotated[int, Field(ge=1, le=500, description="rough count")]


class Contact(StrictInput):
    """How the clinic answers: a name to address the visitor by and one email address or phone number."""

    name: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[^<>\x00-\x1f]+$")]
    reach: Annotated[str, Field(min_length=5, max_length=120, pattern=r"^[^<>\x00-\x1f\s][^<>\x00-\x1f]*$",
                                description="email address or phone number")]


class IntakeIn(StrictInput):
    """The questionnaire (``POST /api/intake``): nothing else is collected."""

    age_years: AgeYears
    sex: Sex
    fitzpatrick: Fitzpatrick
    history: History = History()
    scars: Annotated[list[IntakeScar], Field(min_length=1, max_length=len(Zone) * len(ScarType))]
    contact: Contact


def zones_of(scars: list[IntakeScar]) -> list[dict]:
    """Scar groups by zone, each at its type's typical depth and width (mm; Fabbrocini 2010 Table 1), the
    counts of repeated (zone, type) pairs added."""
    merged: dict[tuple[str, str], int] = {}
    for s in scars:
        merged[(s.zone.value, s.type.value)] = merged.get((s.zone.value, s.type.value), 0) + s.count
    zones: dict[str, list[dict]] = {}
    for (zone, kind), count in merged.items():
        shape = typical_scar(kind)
        zones.setdefault(zone, []).append({"type": kind, "count": min(count, 500), "depth_mm": shape.depth_mm,
                                           "width_mm": shape.width_mm})
    return [{"zone": z, "scars": g} for z, g in zones.items()]


def as_patient(data: IntakeIn, label: str = "intake") -> Patient:
    return Patient(id=label, age_years=data.age_years, sex=data.sex, fitzpatrick=data.fitzpatrick,
                   history=data.history, zones=zones_of(data.scars))


def findings(data: IntakeIn) -> list[dict]:
    """The candidacy rules on the answers, in plain words: ``{"rule", "level", "message"}`` each."""
    out = []
    for f in candidacy.evaluate(as_patient(data)):
        topic = TOPICS.get(f.rule_id, value_word(f.rule_id).capitalize())
        if f.level == candidacy.Level.contraindication:
            out.append({"rule": f.rule_id, "level": ASSESS, "message": f"{topic}: needs a provider's assessment "
                                                                       "first."})
        else:
            out.append({"rule": f.rule_id, "level": DISCUSS, "message": f"{topic}: the provider will want to "
                                                                       "discuss this with you."})
    return out


def submit(db: Session, data: IntakeIn) -> IntakeRequestRow:
    """Store a request (audited without its personal data); returns it with its random ``request_id``."""
    answers = data.model_dump(mode="json", exclude={"contact"})
    row = IntakeRequestRow(request_id=secrets.token_urlsafe(32), status="new", answers=answers,
                           contact=data.contact.model_dump(mode="json"), findings=findings(data))
    db.add(row)
    db.flush()
    sv.audit(db, None, "create", "intake_request", row.id, rules=[f["rule"] for f in row.findings])
    return row


def list_requests(db: Session) -> list[IntakeRequestRow]:
    """Every stored request, newest first (clinic-wide: any provider may take a new patient)."""
    return list(db.scalars(select(IntakeRequestRow).order_by(IntakeRequestRow.id.desc())))


def get_request(db: Session, request_id: str) -> IntakeRequestRow:
    row = db.scalar(select(IntakeRequestRow).where(IntakeRequestRow.request_id == request_id))
    if row is None:
        raise sv.NotFound("intake request")
    return row


def accept(db: Session, user: User, row: IntakeRequestRow) -> PatientRow:
    """A patient record owned by ``user`` from the request (history and scars pre-filled); the request is
    marked accepted. A request is accepted once (:class:`~microneedling.planner.services.Conflict` after)."""
    if row.status == "accepted":
        raise sv.Conflict("this request has already been accepted")
    data = IntakeIn.model_validate({**row.answers, "contact": row.contact})
    patient = sv.create_patient(db, user, PatientIn(
        label=f"W-{row.id:05d}", age_years=data.age_years, sex=data.sex, fitzpatrick=data.fitzpatrick,
        history=data.history, zones=zones_of(data.scars)))
    row.status, row.patient_id, row.accepted_by, row.accepted_at = "accepted", patient.id, user.id, utcnow()
    db.flush()
    sv.audit(db, user, "accept", "intake_request", row.id, patient_id=patient.id)
    return patient


def request_dict(row: IntakeRequestRow) -> dict:
    return {"request_id": row.request_id, "created_at": row.created_at.isoformat(), "status": row.status,
            "answers": row.answers, "contact": row.contact, "findings": row.findings, "patient_id": row.patient_id}


def purge(db: Session, retention_days: float, now: datetime | None = None, hits_older_than_s: float = 86400.0
          ) -> dict[str, int]:
    """Delete requests older than ``retention_days``, links expired that long ago, and rate-limit counts older
    than ``hits_older_than_s``; returns how many of each (audited)."""
    now = now or utcnow()
    cut = now - timedelta(days=retention_days)
    counts = {
        "intake_requests": db.execute(delete(IntakeRequestRow).where(IntakeRequestRow.created_at < cut)).rowcount,
        "patient_links": db.execute(delete(PatientLinkRow).where(PatientLinkRow.expires_at < cut)).rowcount,
        "public_hits": db.execute(delete(PublicHitRow).where(
            PublicHitRow.at < now - timedelta(seconds=hits_older_than_s))).rowcount,
    }
    sv.audit(db, None, "purge", "intake_request", None, retention_days=retention_days, **counts)
    return counts
