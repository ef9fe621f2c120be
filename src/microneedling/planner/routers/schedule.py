"""Sessions: scheduling appointments from the patient page, the month calendar and the iCalendar exports;
JSON API for appointments."""

from __future__ import annotations

from calendar import Calendar
from datetime import date, datetime, timedelta
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from microneedling.errors import InputError
from microneedling.planner import ics
from microneedling.planner import services as sv
from microneedling.planner.deps import Ctx, form_data, require
from microneedling.planner.models import AppointmentRow, PatientRow
from microneedling.planner.routers.patients import patient_post
from microneedling.planner.schemas import AppointmentIn, AppointmentOut
from microneedling.planner.security import visible_owner_ids
from microneedling.planner.web import blank, render

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["schedule"])


@pages.post("/patients/{patient_id}/appointments")
def schedule_submit(request: Request, patient_id: int, form: dict = Depends(form_data),
                    ctx: Ctx = Depends(require("schedule.write"))) -> Response:
    def act(row: PatientRow) -> None:
        sv.schedule(ctx.db, ctx.user, row, AppointmentIn.model_validate({
            "starts_at": form.get("starts_at"), "duration_min": blank(form.get("duration_min")) or 45,
            "plan_id": blank(form.get("plan_id")), "note": form.get("note", ""),
            "repeat": blank(form.get("repeat")) or 1, "interval_weeks": blank(form.get("interval_weeks")) or 4}))
    return patient_post(request, ctx, form, patient_id, act)


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
    appts = sv.appointments_of(ctx.db, visible_owner_ids(ctx.user))
    by_day: dict[date, list] = {}
    for a in appts:
        by_day.setdefault(a.starts_at.date(), []).append(a)
    weeks = Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    prev = (first.replace(day=1) - timedelta(days=1)).replace(day=1)
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return render(request, "calendar.html", ctx, weeks=weeks, by_day=by_day, labels=_labels(ctx), first=first,
                  prev=prev.strftime("%Y-%m"), next=nxt.strftime("%Y-%m"), upcoming=[
                      a for a in appts if a.starts_at >= datetime.now() and a.status == "scheduled"][:50])


def _ics_response(appts: list[AppointmentRow], labels: dict[int, str], name: str) -> Response:
    events = [{"uid": f"appointment-{a.id}@microneedling-planner", "starts_at": a.starts_at,
               "duration_min": a.duration_min, "summary": f"Microneedling session: {labels.get(a.patient_id, '?')}",
               "description": a.note} for a in appts if a.status != "cancelled"]
    return Response(ics.calendar(events, name), media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{quote(name)}.ics"'})


@pages.get("/calendar.ics")
def calendar_ics(ctx: Ctx = Depends(require("patient.read"))) -> Response:
    return _ics_response(sv.appointments_of(ctx.db, visible_owner_ids(ctx.user)), _labels(ctx), "sessions")


@pages.get("/patients/{patient_id}/calendar.ics")
def patient_ics(patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> Response:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    return _ics_response(sv.appointments_of(ctx.db, None, row.id), {row.id: row.label}, f"sessions-{row.label}")


@api.get("/patients/{patient_id}/appointments", response_model=list[AppointmentOut])
def patient_appointments(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    return sv.appointments_of(ctx.db, None, row.id)


@api.post("/patients/{patient_id}/appointments", status_code=201, response_model=list[AppointmentOut])
def schedule(patient_id: int, body: AppointmentIn, ctx: Ctx = Depends(require("schedule.write"))):
    out = sv.schedule(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return out


@api.get("/appointments", response_model=list[AppointmentOut])
def all_appointments(ctx: Ctx = Depends(require("patient.read"))):
    return sv.appointments_of(ctx.db, visible_owner_ids(ctx.user))
