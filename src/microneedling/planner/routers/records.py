"""Treatment records (a session as done) and follow-ups (scores, photo metadata), from the patient page and
by JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from microneedling.planner import services as sv
from microneedling.planner.deps import Ctx, check_csrf, form_data, require
from microneedling.planner.models import PatientRow
from microneedling.planner.routers.patients import patient_post
from microneedling.planner.schemas import FollowUpIn, FollowUpOut, TreatmentIn, TreatmentOut
from microneedling.planner.web import blank, checked

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["records"])


@pages.post("/appointments/{appointment_id}/record")
def record_submit(request: Request, appointment_id: int, form: dict = Depends(form_data),
                  ctx: Ctx = Depends(require("treatment.record"))) -> Response:
    check_csrf(ctx, form)
    appt, row = sv.get_appointment(ctx.db, ctx.user, appointment_id)

    def act(_row: PatientRow) -> None:
        sv.record_treatment(ctx.db, ctx.user, appt, TreatmentIn.model_validate({
            "device": form.get("device"), "needle_length_mm": blank(form.get("needle_length_mm")),
            "endpoint_reached": checked(form, "endpoint_reached"), "adverse_events": form.get("adverse_events", "")}))
    return patient_post(request, ctx, form, row.id, act)


@pages.post("/patients/{patient_id}/followups")
def followup_submit(request: Request, patient_id: int, form: dict = Depends(form_data),
                    ctx: Ctx = Depends(require("followup.write"))) -> Response:
    photos = []
    if blank(form.get("photo_file")):
        photos.append({"view": form.get("photo_view") or "front", "file": form.get("photo_file", "").strip(),
                       "taken_on": blank(form.get("photo_taken_on")), "note": form.get("photo_note", "")})

    def act(row: PatientRow) -> None:
        sv.add_followup(ctx.db, ctx.user, row, FollowUpIn.model_validate({
            "week": blank(form.get("week")), "gb_grade": blank(form.get("gb_grade")),
            "gb_score": blank(form.get("gb_score")), "photos": photos, "note": form.get("note", "")}))
    return patient_post(request, ctx, form, patient_id, act)


@api.post("/appointments/{appointment_id}/record", status_code=201, response_model=TreatmentOut)
def record(appointment_id: int, body: TreatmentIn, ctx: Ctx = Depends(require("treatment.record"))):
    appt, _ = sv.get_appointment(ctx.db, ctx.user, appointment_id)
    t = sv.record_treatment(ctx.db, ctx.user, appt, body)
    ctx.db.commit()
    return t


@api.get("/patients/{patient_id}/followups", response_model=list[FollowUpOut])
def followups(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    return sv.followups_of(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id))


@api.post("/patients/{patient_id}/followups", status_code=201, response_model=FollowUpOut)
def add_followup(patient_id: int, body: FollowUpIn, ctx: Ctx = Depends(require("followup.write"))):
    f = sv.add_followup(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return f
