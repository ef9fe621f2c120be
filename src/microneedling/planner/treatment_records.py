"""Treatment records a clinic can defend: what was done in a session, zone by zone.

A record names, per zone, the needle length (mm) and passes; the device; the cartridge (needle head) lot and
its expiry date; the anaesthetic (product, concentration %, minutes on the skin); the clinical endpoint
reached (uniform pinpoint bleeding, Farber 2020; or erythema); adverse events; and a note (the form offers
:data:`NOTE_TEMPLATES`). It is refused when

* the patient has no valid signed consent (:func:`microneedling.planner.consent.valid_consent`; 409),
* the appointment has not started yet (409) or is already recorded, cancelled or a no-show (409),
* the cartridge expired before the session day in clinic time (422),
* a zone's needle is longer than the plan's length for that zone or the zone cap
  (:func:`microneedling.clinic.zone_plan.zone_caps`, or the cap the plan was made with) and no reason is given
  for it (422 naming zone, length, plan length and cap). The plan is the appointment's, else the patient's
  latest plan made before the session.

Lot recall (:func:`treated_with_lot`) lists who was treated with a lot: patients, dates and zones, limited to
the patients the user may see (a provider's own; all for an admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from microneedling.clinic.zone_plan import zone_caps
from microneedling.errors import InputError
from microneedling.planner import consent
from microneedling.planner.labels import value_word
from microneedling.planner.models import (
    AppointmentRow,
    PatientRow,
    PlanRow,
    TreatmentRow,
    TreatmentZoneRow,
    User,
    utcnow,
)
from microneedling.planner.scheduling import local_label, to_local
from microneedling.planner.schemas import TreatmentIn
from microneedling.planner.security import visible_owner_ids
from microneedling.planner.services import Conflict, audit

TOLERANCE_MM = 1e-9

# Structured note templates the record form can insert (the provider edits the text before saving).
NOTE_TEMPLATES: dict[str, str] = {
    "Routine session": ("Skin cleansed and prepped. Consent and photos checked. Treated zones as recorded, "
                        "passes as recorded. Endpoint as recorded. Aftercare sheet given and explained. "
                        "Next session as scheduled."),
    "Reaction during session": ("Reaction: [describe: e.g. marked swelling, bruising, vasovagal episode]. "
                                "Onset [minutes] into the session in zone [zone]. Action taken: [stopped / "
                                "cooled / observed]. Resolved by [time]. Patient advised to call if [signs]."),
    "Partial session": ("Session stopped early because [pain / patient request / bleeding / device fault]. Zones "
                        "completed: as recorded. Zones not treated: [zones]. Plan: [repeat / reschedule]."),
    "Deeper needle used": ("Needle longer than the plan in [zone] because [scar depth on palpation / thick "
                           "skin / previous response]. Endpoint checked at each pass."),
}


def plan_for(db: Session, appt: AppointmentRow) -> PlanRow | None:
    if appt.plan_id is not None:
        plan = db.get(PlanRow, appt.plan_id)
        if plan is not None:
            return plan
    return db.scalar(select(PlanRow).where(PlanRow.patient_id == appt.patient_id, PlanRow.created_at <= appt.starts_at)
                     .order_by(PlanRow.id.desc()).limit(1))


def plan_and_caps(plan: PlanRow | None) -> dict[str, tuple[float | None, float]]:
    """Zone -> (the plan's needle length or None, the cap), mm. The cap is the one the plan was made with,
    else the packaged zone cap."""
    caps = {z.value: v for z, v in zone_caps().items()}
    out: dict[str, tuple[float | None, float]] = {z: (None, c) for z, c in caps.items()}
    for zc in (plan.result.get("zone_plan", {}).get("zones", []) if plan else []):
        out[zc["zone"]] = (float(zc["needle_length_mm"]), float(zc.get("cap_mm", caps[zc["zone"]])))
    return out


def check_depths(data: TreatmentIn, limits: dict[str, tuple[float | None, float]]) -> None:
    """Every zone deeper than its plan length or cap needs a reason (else InputError, 422)."""
    for i, z in enumerate(data.zones):
        planned, cap = limits[z.zone.value]
        over_plan = planned is not None and z.needle_length_mm > planned + TOLERANCE_MM
        over_cap = z.needle_length_mm > cap + TOLERANCE_MM
        if (over_plan or over_cap) and not z.over_depth_reason.strip():
            plan_text = f"plan {planned:g} mm" if planned is not None else "no plan length"
            raise InputError(f"zones.{i}.over_depth_reason", z.over_depth_reason,
                             f"{z.zone.value}: {z.needle_length_mm:g} mm is deeper than the "
                             f"{'plan' if over_plan else 'zone cap'} ({plan_text}, cap {cap:g} mm); "
                             "record the reason for the deeper needle")


def record(db: Session, user: User, appt: AppointmentRow, data: TreatmentIn, zone: ZoneInfo) -> TreatmentRow:
    """Store the session as done (see the module docstring for what is refused)."""
    if db.scalar(select(TreatmentRow.id).where(TreatmentRow.appointment_id == appt.id)) is not None:
        raise Conflict(f"appointment {appt.id} is already recorded")
    if appt.status in ("cancelled", "no_show"):
        raise Conflict(f"appointment {appt.id} is {value_word(appt.status)}; reschedule it before recording")
    if appt.starts_at > utcnow():
        raise Conflict(f"appointment {appt.id} starts {local_label(appt.starts_at, zone)}, in the future; "
                       "record it once the session has taken place")
    signed = consent.valid_consent(db, appt.patient_id)
    if signed is None:
        raise Conflict("no signed consent for this patient: sign the consent before recording a treatment")
    session_day = to_local(appt.starts_at, zone).date()
    if data.cartridge_expiry < session_day:
        raise InputError("cartridge_expiry", data.cartridge_expiry.isoformat(),
                         f"lot {data.cartridge_lot} expired on {data.cartridge_expiry.isoformat()}, before the "
                         f"session on {session_day.isoformat()}; use an in-date cartridge")
    limits = plan_and_caps(plan_for(db, appt))
    check_depths(data, limits)
    a = data.anaesthetic
    t = TreatmentRow(appointment_id=appt.id, patient_id=appt.patient_id, device=data.device,
                     needle_length_mm=max(z.needle_length_mm for z in data.zones),
                     endpoint_reached=data.endpoint != "not reached", adverse_events=data.adverse_events,
                     recorded_by=user.id, consent_id=signed.id, cartridge_lot=data.cartridge_lot,
                     cartridge_expiry=data.cartridge_expiry, anaesthetic_product=a.product if a else "",
                     anaesthetic_concentration_pct=a.concentration_pct if a else None,
                     anaesthetic_minutes=a.minutes if a else None, endpoint=data.endpoint, note=data.note)
    t.zones = [TreatmentZoneRow(zone=z.zone.value, needle_length_mm=z.needle_length_mm, passes=z.passes,
                                plan_depth_mm=limits[z.zone.value][0], cap_mm=limits[z.zone.value][1],
                                over_depth_reason=z.over_depth_reason.strip()) for z in data.zones]
    appt.status = "done"
    db.add(t)
    db.flush()
    audit(db, user, "record", "treatment", t.id, appointment_id=appt.id, consent_id=signed.id,
          **data.model_dump(mode="json"))
    return t


def treatment_of(db: Session, appt: AppointmentRow) -> TreatmentRow | None:
    return db.scalar(select(TreatmentRow).where(TreatmentRow.appointment_id == appt.id))


@dataclass(frozen=True)
class LotUse:
    """One session done with a lot: patient, session time (naive UTC), zones, expiry."""

    patient_id: int
    patient_label: str
    appointment_id: int
    starts_at: datetime
    zones: tuple[str, ...]
    cartridge_expiry: date | None

    def as_dict(self) -> dict:
        return {"patient_id": self.patient_id, "patient_label": self.patient_label,
                "appointment_id": self.appointment_id, "starts_at": self.starts_at.isoformat() + "Z",
                "zones": list(self.zones),
                "cartridge_expiry": self.cartridge_expiry.isoformat() if self.cartridge_expiry else None}


def treated_with_lot(db: Session, user: User, lot: str) -> list[LotUse]:
    """Sessions recorded with cartridge lot ``lot`` (lots are stored upper-case, so the search ignores case) on
    patients ``user`` may see, oldest first."""
    q = (select(TreatmentRow, AppointmentRow, PatientRow)
         .join(AppointmentRow, AppointmentRow.id == TreatmentRow.appointment_id)
         .join(PatientRow, PatientRow.id == TreatmentRow.patient_id)
         .where(TreatmentRow.cartridge_lot == lot.strip().upper())
         .order_by(AppointmentRow.starts_at))
    owners = visible_owner_ids(user)
    if owners is not None:
        q = q.where(PatientRow.owner_id.in_(owners or {-1}))
    return [LotUse(p.id, p.label, a.id, a.starts_at, tuple(z.zone for z in t.zones), t.cartridge_expiry)
            for t, a, p in db.execute(q)]

