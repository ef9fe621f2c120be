"""Sessions: scheduling appointments from the patient page (clinic local time), cancelling, marking no-show
and moving them, the month calendar (clinic time) and the iCalendar exports (time zone, clinic location,
reminder); JSON API for appointments. Every read of appointments is audited as a view
(:mod:`microneedling.planner.reads`). The rules (UTC storage, no double booking) are in
:mod:`microneedling.planner.scheduling`."""

from __future__ import annotations

from calendar import Calendar
from datetime import date, datetime, timedelta
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from microneedling.errors import InputError
from microneedling.planner import ics, scheduling
from microneedling.planner import services as sv
from microneedling.planner.bounds import MAX_YEAR, MIN_YEAR, PathId
from microneedling.planner.deps import Ctx, check_csrf, form_data, require
from microneedling.planner.models import AppointmentRow, PatientRow, utcnow
from microneedling.planner.reads import viewed, viewed_appointments
from microneedling.planner.routers.patients import patient_post
from microneedling.planner.scheduling import RescheduleIn, StatusIn, to_local
from microneedling.planner.schemas import AppointmentIn, AppointmentOut
from microneedling.planner.security import visible_owner_ids
from microneedling.planner.web import blank, render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["schedule"])


@pages.post("/patients/{patient_id}/appointments")
def schedule_submit(request: Request, patient_id: int, form: dict = Depends(form_data),
                    ctx: Ctx = Depends(require("schedule.write"))) -> Response:
    def act(row: PatientRow) -> None:
        scheduling.schedule(ctx.db, ctx.user, row, request.app.state.clinic_zone, AppointmentIn.model_validate({
            "starts_at": form.get("starts_at"), "duration_min": blank(form.get("duration_min")) or 45,
            "plan_id": blank(form.get("plan_id")), "note": form.get("note", ""),
            "repeat": blank(form.get("repeat")) or 1, "interval_weeks": blank(form.get("interval_weeks")) or 4}))
    return patient_post(request, ctx, form, patient_id, act, "schedule", AppointmentIn)


def _labels(ctx: Ctx) -> dict[int, str]:
    """Patient id -> label of the patients the user may see."""
    return {p.id: p.label for p in sv.list_patients(ctx.db, ctx.user)}


@pages.get("/calendar")
def calendar_view(request: Request, month: str | None = None,
                  ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    try:
        first = datetime.strptime(month, "%Y-%m").date() if month else date.today().replace(day=1)
    except ValueError:
        raise InputError("month", month, "must be YYYY-MM") from None
    if not MIN_YEAR <= first.year <= MAX_YEAR:
        raise InputError("month", month, f"must be a month of the years {MIN_YEAR} to {MAX_YEAR}")
    zone = request.app.state.clinic_zone
    appts = sv.appointments_of(ctx.db, visible_owner_ids(ctx.user))
    by_day: dict[date, list] = {}
    for a in appts:
        by_day.setdefault(to_local(a.starts_at, zone).date(), []).append(a)
    weeks = Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    prev = (first.replace(day=1) - timedelta(days=1)).replace(day=1)
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    viewed_appointments(ctx, appts, page="calendar")
    return render(request, "calendar.html", ctx, weeks=weeks, by_day=by_day, labels=_labels(ctx), first=first,
                  prev=prev.strftime("%Y-%m"), next=nxt.strftime("%Y-%m"), upcoming=[
                      a for a in appts if a.starts_at >= utcnow() and a.status == "scheduled"][:50],
                  zone_name=zone.key)


def _ics_response(request: Request, appts: list[AppointmentRow], labels: dict[int, str], name: str) -> Response:
    settings = request.app.state.settings
    events = [{"uid": f"appointment-{a.id}@microneedling-planner", "starts_at": a.starts_at,
               "duration_min": a.duration_min, "summary": f"Microneedling session: {labels.get(a.patient_id, '?')}",
               "description": a.note} for a in appts if a.status not in ("cancelled", "no_show")]
    location = ", ".join(p for p in (settings.clinic_name, settings.clinic_address) if p)
    return Response(ics.calendar(events, name, request.app.state.clinic_zone, location),
                    media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{quote(name)}.ics"'})


@pages.get("/calendar.ics")
def calendar_ics(request: Request, ctx: Ctx = Depends(require("patient.read"))) -> Response:
    appts = sv.appointments_of(ctx.db, visible_owner_ids(ctx.user))
    out = _ics_response(request, appts, _labels(ctx), "sessions")
    viewed_appointments(ctx, appts, export="ics")
    return out


@pages.get("/patients/{patient_id}/calendar.ics")
def patient_ics(request: Request, patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> Response:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    out = _ics_response(request, sv.appointments_of(ctx.db, None, row.id), {row.id: row.label}, f"sessions-{row.label}")
    viewed(ctx, "patient", row.id, export="ics")
    return out


@api.get("/patients/{patient_id}/appointments", response_model=list[AppointmentOut])
def patient_appointments(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    out = [AppointmentOut.model_validate(a) for a in sv.appointments_of(ctx.db, None, row.id)]
    viewed(ctx, "patient", row.id, api="appointments")
    return out


@api.post("/patients/{patient_id}/appointments", status_code=201, response_model=list[AppointmentOut])
def schedule(request: Request, patient_id: int, body: AppointmentIn,
             ctx: Ctx = Depends(require("schedule.write"))):
    """``starts_at`` with a UTC offset is converted; without one it is clinic local time. 409 if it overlaps
    a session of the same provider."""
    out = scheduling.schedule(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id),
                              request.app.state.clinic_zone, body)
    ctx.db.commit()
    return out


@api.get("/appointments", response_model=list[AppointmentOut])
def all_appointments(ctx: Ctx = Depends(require("patient.read"))):
    appts = sv.appointments_of(ctx.db, visible_owner_ids(ctx.user))
    out = [AppointmentOut.model_validate(a) for a in appts]
    viewed_appointments(ctx, appts, api="appointments")
    return out


@api.get("/appointments/{appointment_id}", response_model=AppointmentOut)
def get_appointment(appointment_id: PathId, ctx: Ctx = Depends(require("patient.read"))):
    """One appointment (404 if it is not one of the user's patients')."""
    appt, row = sv.get_appointment(ctx.db, ctx.user, appointment_id)
    out = AppointmentOut.model_validate(appt)
    viewed(ctx, "appointment", appt.id, patient_id=row.id, api="appointment")
    return out


@pages.post("/appointments/{appointment_id}/status")
def status_submit(request: Request, appointment_id: int, form: dict = Depends(form_data),
                  ctx: Ctx = Depends(require("schedule.write"))) -> Response:
    check_csrf(ctx, form)
    appt, row = sv.get_appointment(ctx.db, ctx.user, appointment_id)

    def act(_row: PatientRow) -> None:
        scheduling.set_status(ctx.db, ctx.user, appt, row, StatusIn.model_validate({"status": form.get("status")}),
                              request.app.state.clinic_zone)
    return patient_post(request, ctx, form, row.id, act, f"status-{appt.id}", StatusIn)


@pages.post("/appointments/{appointment_id}/reschedule")
def reschedule_submit(request: Request, appointment_id: int, form: dict = Depends(form_data),
                      ctx: Ctx = Depends(require("schedule.write"))) -> Response:
    check_csrf(ctx, form)
    appt, row = sv.get_appointment(ctx.db, ctx.user, appointment_id)

    def act(_row: PatientRow) -> None:
        scheduling.reschedule(ctx.db, ctx.user, appt, row, RescheduleIn.model_validate({
            "starts_at": form.get("starts_at"), "duration_min": blank(form.get("duration_min"))}),
            request.app.state.clinic_zone)
    return patient_post(request, ctx, form, row.id, act, f"reschedule-{appt.id}", RescheduleIn)


@api.post("/appointments/{appointment_id}/status", response_model=AppointmentOut)
def set_status(request: Request, appointment_id: int, body: StatusIn,
               ctx: Ctx = Depends(require("schedule.write"))):
    """Cancel (``cancelled``), mark ``no_show``, or put back (``scheduled``, overlap checked)."""
    appt, row = sv.get_appointment(ctx.db, ctx.user, appointment_id)
    scheduling.set_status(ctx.db, ctx.user, appt, row, body, request.app.state.clinic_zone)
    ctx.db.commit()
    return appt


@api.post("/appointments/{appointment_id}/reschedule", response_model=AppointmentOut)
def reschedule(request: Request, appointment_id: int, body: RescheduleIn,
               ctx: Ctx = Depends(require("schedule.write"))):
    """Move the appointment (same time rules and overlap check as a new one)."""
    appt, row = sv.get_appointment(ctx.db, ctx.user, appointment_id)
    scheduling.reschedule(ctx.db, ctx.user, appt, row, body, request.app.state.clinic_zone)
    ctx.db.commit()
    return appt
