"""Scheduling in the clinic's time zone: appointment times are stored in UTC (naive ``DateTime`` columns
holding UTC), entered either with a UTC offset or in clinic local time (``Settings.clinic_timezone``, an IANA
name read by :mod:`zoneinfo`), and shown in clinic time with the zone named.

A provider cannot be in two sessions at once: a new, moved or repeated appointment that overlaps another
scheduled or done appointment of the same provider (the patient's owner) is refused with the clashing time
(:class:`~microneedling.planner.services.Conflict`, 409). Appointments can be cancelled, marked as no-show
or moved (rescheduled, with the same overlap check); every change is audited.

Repeated sessions keep the local wall-clock time across daylight-saving changes (a 09:00 session stays at
09:00 in the clinic in summer and in winter, so its UTC time moves by the offset change).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from microneedling.errors import InputError
from microneedling.inputs import StrictInput
from microneedling.planner.models import AppointmentRow, PatientRow, PlanRow, User
from microneedling.planner.schemas import AppointmentIn
from microneedling.planner.services import Conflict, audit

MAX_DURATION_MIN = 480  # the longest appointment AppointmentIn accepts (minutes)
BOOKED = ("scheduled", "done")  # statuses that hold the provider's time


class RescheduleIn(StrictInput):
    starts_at: datetime
    duration_min: Annotated[int, Field(ge=5, le=MAX_DURATION_MIN)] | None = None


class StatusIn(StrictInput):
    status: Literal["cancelled", "no_show", "scheduled"]


def clinic_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (e.g. ``Europe/Paris``); an unknown name is an input error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("clinic_timezone", name, "an IANA time zone name such as Europe/Paris or UTC") from None


def to_utc(when: datetime, zone: ZoneInfo) -> datetime:
    """``when`` as naive UTC: converted from its offset if it has one, else read as clinic local time.
    A local time skipped by a clock change (e.g. 02:30 on the spring-forward night) is refused."""
    if when.tzinfo is not None:
        return when.astimezone(UTC).replace(tzinfo=None)
    local = when.replace(tzinfo=zone)
    utc = local.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != when:
        raise InputError("starts_at", when.isoformat(), f"does not exist in {zone.key} (the clocks change then)")
    return utc.replace(tzinfo=None)


def to_local(utc_naive: datetime, zone: ZoneInfo) -> datetime:
    """A stored (naive UTC) time in clinic local time, zone-aware."""
    return utc_naive.replace(tzinfo=UTC).astimezone(zone)


def local_label(utc_naive: datetime, zone: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time as shown to the clinic: local time, abbreviation and zone, e.g.
    ``2027-07-05 09:00 CEST (Europe/Paris)``; ``09:00 UTC`` when the zone is UTC."""
    local = to_local(utc_naive, zone)
    abbr = local.tzname() or ""
    return f"{local.strftime(fmt)} {abbr}" + ("" if zone.key in ("UTC", abbr) else f" ({zone.key})")


def _clash(db: Session, provider_id: int, start: datetime, minutes: int, skip: set[int]) -> AppointmentRow | None:
    end = start + timedelta(minutes=minutes)
    q = (select(AppointmentRow).join(PatientRow, PatientRow.id == AppointmentRow.patient_id)
         .where(PatientRow.owner_id == provider_id, AppointmentRow.status.in_(BOOKED),
                AppointmentRow.starts_at < end,
                AppointmentRow.starts_at > start - timedelta(minutes=MAX_DURATION_MIN))
         .order_by(AppointmentRow.starts_at))
    for a in db.scalars(q):
        if a.id not in skip and a.starts_at + timedelta(minutes=a.duration_min) > start:
            return a
    return None


def check_free(db: Session, row: PatientRow, start: datetime, minutes: int, zone: ZoneInfo,
               skip: set[int] | None = None) -> None:
    """Refuse (409) a session of ``minutes`` from ``start`` (naive UTC) that overlaps another booked session
    of the patient's provider; the message names the clashing session's time in clinic time."""
    other = _clash(db, row.owner_id, start, minutes, skip or set())
    if other is not None:
        end = other.starts_at + timedelta(minutes=other.duration_min)
        raise Conflict(f"the provider already has a session from {local_label(other.starts_at, zone)} to "
                       f"{to_local(end, zone).strftime('%H:%M')} (appointment {other.id})")


def schedule(db: Session, user: User, row: PatientRow, zone: ZoneInfo, data: AppointmentIn) -> list[AppointmentRow]:
    """``data.repeat`` sessions ``data.interval_weeks`` apart at the same clinic wall-clock time, stored in
    UTC; refused whole (409) if any overlaps a booked session of the provider."""
    if data.plan_id is not None:
        plan = db.get(PlanRow, data.plan_id)
        if plan is None or plan.patient_id != row.id:
            raise InputError("plan_id", data.plan_id, "must be a plan of this patient")
    first = to_local(to_utc(data.starts_at, zone), zone).replace(tzinfo=None)
    out = []
    for k in range(data.repeat):
        start = to_utc(first + timedelta(weeks=k * data.interval_weeks), zone)
        check_free(db, row, start, data.duration_min, zone)
        a = AppointmentRow(patient_id=row.id, plan_id=data.plan_id, starts_at=start, duration_min=data.duration_min,
                           status="scheduled", note=data.note, created_by=user.id)
        db.add(a)
        db.flush()
        out.append(a)
    for a in out:
        audit(db, user, "create", "appointment", a.id, patient_id=row.id, starts_at=a.starts_at.isoformat() + "Z")
    return out


def reschedule(db: Session, user: User, appt: AppointmentRow, row: PatientRow, data: RescheduleIn,
               zone: ZoneInfo) -> AppointmentRow:
    """Move a scheduled (or no-show) appointment; the same overlap check as a new one."""
    if appt.status in ("done", "cancelled"):
        raise Conflict(f"appointment {appt.id} is {appt.status} and cannot be moved")
    start = to_utc(data.starts_at, zone)
    minutes = data.duration_min or appt.duration_min
    check_free(db, row, start, minutes, zone, skip={appt.id})
    before = appt.starts_at.isoformat() + "Z"
    appt.starts_at, appt.duration_min, appt.status = start, minutes, "scheduled"
    db.flush()
    audit(db, user, "reschedule", "appointment", appt.id, before=before, after=start.isoformat() + "Z")
    return appt


def set_status(db: Session, user: User, appt: AppointmentRow, row: PatientRow, data: StatusIn,
               zone: ZoneInfo) -> AppointmentRow:
    """Cancel, mark no-show, or put a cancelled or no-show appointment back (overlap checked again). A
    recorded (done) session keeps its status."""
    if appt.status == "done":
        raise Conflict(f"appointment {appt.id} is recorded as done")
    if data.status == "scheduled" and appt.status != "scheduled":
        check_free(db, row, appt.starts_at, appt.duration_min, zone, skip={appt.id})
    before = appt.status
    appt.status = data.status
    db.flush()
    audit(db, user, "status", "appointment", appt.id, before=before, after=data.status)
    return appt
