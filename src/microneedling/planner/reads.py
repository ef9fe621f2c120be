"""Reads of patient records are audited (action ``view``), as changes are: who opened which patient, plan,
appointment, figure or set of records, and when (OWASP ASVS 4.0 V7.1.3: log access to sensitive data; HIPAA
45 CFR 164.312(b) audit controls). A read spanning several patients (the calendar, its iCalendar export, the
appointment list) is one entry naming the patients whose appointments it showed."""

from __future__ import annotations

from collections.abc import Iterable

from microneedling.planner.deps import Ctx
from microneedling.planner.models import AppointmentRow
from microneedling.planner.services import audit


def viewed(ctx: Ctx, entity: str, entity_id: int | None, **detail) -> None:
    """Write a ``view`` entry for ``entity`` ``entity_id`` by the logged-in user and commit it."""
    audit(ctx.db, ctx.user, "view", entity, entity_id, **detail)
    ctx.db.commit()


def viewed_appointments(ctx: Ctx, appointments: Iterable[AppointmentRow], **detail) -> None:
    """Write one ``view`` entry for a read of several patients' appointments: the patients' ids (ascending) and
    the number of appointments shown."""
    appts = list(appointments)
    viewed(ctx, "appointment", None, patient_ids=sorted({a.patient_id for a in appts}), count=len(appts), **detail)
