"""Consultation requests for providers: the list of questionnaires sent from the public form (page and
``GET /api/intake-requests``), accepting one into a pre-filled patient record
(``POST /api/intake-requests/{request_id}/accept``), and issuing a patient link for a booked patient
(``POST /api/patients/{patient_id}/links``; the raw link is shown once, only its hash is kept)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from microneedling.planner import intake, patient_links
from microneedling.planner import services as sv
from microneedling.planner.bounds import RefId
from microneedling.planner.deps import Ctx, check_csrf, form_data, require
from microneedling.planner.web import blank, render, see_other

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["intake"])


class IntakeFindingOut(BaseModel):
    rule: str
    level: str
    message: str


class IntakeRequestOut(BaseModel):
    request_id: str
    created_at: str
    status: str = Field(description="new or accepted")
    answers: dict
    contact: dict
    findings: list[IntakeFindingOut]
    patient_id: int | None


class AcceptedOut(BaseModel):
    patient_id: int


class LinkIn(BaseModel):
    appointment_id: RefId | None = None


class LinkOut(BaseModel):
    url: str = Field(description="the patient's link, shown once")
    expires_at: str


@api.get("/intake-requests", response_model=list[IntakeRequestOut])
def list_requests(ctx: Ctx = Depends(require("patient.read"))):
    return [intake.request_dict(r) for r in intake.list_requests(ctx.db)]


@api.post("/intake-requests/{request_id}/accept", status_code=201, response_model=AcceptedOut)
def accept(request_id: str, ctx: Ctx = Depends(require("patient.write"))):
    row = intake.accept(ctx.db, ctx.user, intake.get_request(ctx.db, request_id))
    ctx.db.commit()
    return {"patient_id": row.id}


def _link(request: Request, ctx: Ctx, patient_id: int, appointment_id: int | None) -> dict:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    token = patient_links.create(ctx.db, ctx.user, row, appointment_id, request.app.state.settings.patient_link_days)
    ctx.db.commit()
    link = patient_links.resolve(ctx.db, token)
    return {"url": str(request.base_url).rstrip("/") + f"/p/{token}", "expires_at": link.expires_at.isoformat()}


@api.post("/patients/{patient_id}/links", status_code=201, response_model=LinkOut)
def create_link(patient_id: int, body: LinkIn, request: Request, ctx: Ctx = Depends(require("schedule.write"))):
    return _link(request, ctx, patient_id, body.appointment_id)


@pages.get("/intake-requests")
def requests_page(request: Request, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    return render(request, "intake_requests.html", ctx, requests=intake.list_requests(ctx.db))


@pages.post("/intake-requests/{request_id}/accept")
def accept_form(request_id: str, form: dict = Depends(form_data),
                ctx: Ctx = Depends(require("patient.write"))) -> Response:
    check_csrf(ctx, form)
    row = intake.accept(ctx.db, ctx.user, intake.get_request(ctx.db, request_id))
    ctx.db.commit()
    return see_other(f"/patients/{row.id}")


@pages.post("/patients/{patient_id}/links")
def link_form(request: Request, patient_id: int, form: dict = Depends(form_data),
              ctx: Ctx = Depends(require("schedule.write"))) -> HTMLResponse:
    check_csrf(ctx, form)
    appt = blank(form.get("appointment_id"))
    out = _link(request, ctx, patient_id, int(appt) if appt and appt.isdigit() and len(appt) <= 18 else None)
    return render(request, "patient_link_issued.html", ctx, patient_id=patient_id, **out)
