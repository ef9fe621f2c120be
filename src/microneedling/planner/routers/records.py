"""Treatment records (a session as done, zone by zone), the printable aftercare sheet of a session, lot
recall, and follow-ups (scores, photo metadata), as pages and by JSON API. The recording rules are in
:mod:`microneedling.planner.treatment_records`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError

from microneedling.citations import format_reference
from microneedling.clinic.aftercare import default_aftercare
from microneedling.errors import InputError
from microneedling.patient import Zone
from microneedling.planner import services as sv
from microneedling.planner import treatment_records as tr
from microneedling.planner.deps import Ctx, check_csrf, form_data, require
from microneedling.planner.form_errors import FormErrors, Names, form_errors, last_name
from microneedling.planner.models import PatientRow
from microneedling.planner.reads import viewed
from microneedling.planner.routers.patients import patient_post
from microneedling.planner.scheduling import local_label
from microneedling.planner.schemas import FollowUpIn, FollowUpOut, TreatmentIn, TreatmentOut
from microneedling.planner.web import blank, render, see_other

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["records"])


class NoteTemplateOut(BaseModel):
    name: str
    text: str


class LotUseOut(BaseModel):
    patient_id: int
    patient_label: str
    appointment_id: int
    starts_at: str
    zones: list[str]
    cartridge_expiry: str | None


def _treated_zones(form: dict[str, str]) -> list[str]:
    """The zones of the record form whose needle length is filled in, in the order of :class:`Zone`."""
    return [z.value for z in Zone if blank(form.get(f"{z.value}_needle_length_mm"))]


def treatment_field_names(form: dict[str, str]) -> Names:
    """The input of the record form behind a location of :class:`TreatmentIn` as :func:`treatment_from_form`
    built it: ``zones.I.passes`` -> ``{zone}_passes``, ``anaesthetic.minutes`` -> ``anaesthetic_minutes``; no
    zone at all -> the form as a whole."""
    zones = _treated_zones(form)

    def name(loc: tuple) -> str | None:
        if loc[:1] == ("zones",):
            if len(loc) >= 3 and isinstance(loc[1], int) and loc[1] < len(zones):
                return f"{zones[loc[1]]}_{loc[2]}"
            return None
        if loc[:1] == ("anaesthetic",) and len(loc) > 1:
            return f"anaesthetic_{loc[-1]}"
        return last_name(loc)
    return name


def followup_field_names(loc: tuple) -> str | None:
    """The input of the follow-up form behind a location of :class:`FollowUpIn` (``photos.0.view`` ->
    ``photo_view``)."""
    return f"photo_{loc[-1]}" if loc[:1] == ("photos",) and len(loc) > 2 else last_name(loc)


def treatment_from_form(form: dict[str, str]) -> TreatmentIn:
    """The record form: a zone counts as treated when its needle length is filled in."""
    zones = [{"zone": z, "needle_length_mm": blank(form.get(f"{z}_needle_length_mm")),
              "passes": blank(form.get(f"{z}_passes")) or 1, "over_depth_reason": form.get(f"{z}_over_depth_reason", "")}
             for z in _treated_zones(form)]
    product = blank(form.get("anaesthetic_product"))
    anaesthetic = {"product": product, "concentration_pct": blank(form.get("anaesthetic_concentration_pct")),
                   "minutes": blank(form.get("anaesthetic_minutes"))} if product else None
    return TreatmentIn.model_validate({
        "device": form.get("device"), "zones": zones, "cartridge_lot": (form.get("cartridge_lot") or "").strip(),
        "cartridge_expiry": blank(form.get("cartridge_expiry")), "anaesthetic": anaesthetic,
        "endpoint": form.get("endpoint"), "adverse_events": form.get("adverse_events", ""),
        "note": form.get("note", "")})


def _record_page(request: Request, ctx: Ctx, appointment_id: int, status: int = 200,
                 errors: FormErrors | None = None, values: dict | None = None) -> HTMLResponse:
    appt, row = sv.get_appointment(ctx.db, ctx.user, appointment_id)
    limits = tr.plan_and_caps(tr.plan_for(ctx.db, appt))
    zones = list(dict.fromkeys(s.zone for s in row.scars))
    return render(request, "record.html", ctx, status=status, appt=appt, patient=row, zones=zones, limits=limits,
                  all_zones=[z.value for z in Zone if z.value not in zones], errors=errors or [],
                  values=values or {}, note_templates=tr.NOTE_TEMPLATES,
                  when=local_label(appt.starts_at, request.app.state.clinic_zone),
                  treatment=tr.treatment_of(ctx.db, appt))


@pages.get("/appointments/{appointment_id}/record")
def record_page(request: Request, appointment_id: int,
                ctx: Ctx = Depends(require("treatment.record"))) -> HTMLResponse:
    return _record_page(request, ctx, appointment_id)


@pages.post("/appointments/{appointment_id}/record")
def record_submit(request: Request, appointment_id: int, form: dict = Depends(form_data),
                  ctx: Ctx = Depends(require("treatment.record"))) -> Response:
    check_csrf(ctx, form)
    appt, row = sv.get_appointment(ctx.db, ctx.user, appointment_id)
    try:
        tr.record(ctx.db, ctx.user, appt, treatment_from_form(form), request.app.state.clinic_zone)
    except (ValidationError, InputError, sv.Conflict) as exc:
        ctx.db.rollback()
        status = 409 if isinstance(exc, sv.Conflict) else 422
        errors = form_errors(exc, "record", treatment_field_names(form), TreatmentIn)
        return _record_page(request, ctx, appointment_id, status, errors, form)
    ctx.db.commit()
    return see_other(f"/patients/{row.id}#sessions")


@pages.get("/appointments/{appointment_id}/aftercare")
def aftercare_sheet(request: Request, appointment_id: int,
                    ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    appt, row = sv.get_appointment(ctx.db, ctx.user, appointment_id)
    care = default_aftercare()
    keys = list(dict.fromkeys(s.key for i in care.expected_effects + care.aftercare for s in i.sources))
    cautions = [f for f in sv.decision(ctx.db, row).as_dict()["findings"] if f["level"] == "caution"]
    return render(request, "aftercare.html", ctx, appt=appt, patient=row, care=care, cautions=cautions,
                  treatment=tr.treatment_of(ctx.db, appt), settings=request.app.state.settings,
                  references={k: format_reference(k) for k in keys}, numbers={k: n for n, k in enumerate(keys, 1)},
                  when=local_label(appt.starts_at, request.app.state.clinic_zone))


@pages.get("/recall")
def recall_page(request: Request, lot: str = "", ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    uses = tr.treated_with_lot(ctx.db, ctx.user, lot) if lot.strip() else []
    zone = request.app.state.clinic_zone
    return render(request, "recall.html", ctx, lot=lot, uses=[(u, local_label(u.starts_at, zone)) for u in uses])


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
    return patient_post(request, ctx, form, patient_id, act, "followup", FollowUpIn, followup_field_names)


@api.post("/appointments/{appointment_id}/record", status_code=201, response_model=TreatmentOut)
def record(request: Request, appointment_id: int, body: TreatmentIn,
           ctx: Ctx = Depends(require("treatment.record"))):
    appt, _ = sv.get_appointment(ctx.db, ctx.user, appointment_id)
    t = tr.record(ctx.db, ctx.user, appt, body, request.app.state.clinic_zone)
    ctx.db.commit()
    return t


@api.get("/treatment-note-templates", response_model=list[NoteTemplateOut])
def note_templates(ctx: Ctx = Depends(require("patient.read"))):
    """The structured note templates the record form can insert."""
    return [NoteTemplateOut(name=k, text=v) for k, v in tr.NOTE_TEMPLATES.items()]


@api.get("/recall", response_model=list[LotUseOut])
def recall(lot: str, ctx: Ctx = Depends(require("patient.read"))):
    """Who was treated with cartridge lot ``lot``: patients, session times (UTC) and zones; a provider sees
    their own patients, an admin all."""
    return [u.as_dict() for u in tr.treated_with_lot(ctx.db, ctx.user, lot)]


@api.get("/patients/{patient_id}/followups", response_model=list[FollowUpOut])
def followups(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    out = sv.followups_of(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id))
    viewed(ctx, "patient", patient_id, api="followups")
    return out


@api.post("/patients/{patient_id}/followups", status_code=201, response_model=FollowUpOut)
def add_followup(patient_id: int, body: FollowUpIn, ctx: Ctx = Depends(require("followup.write"))):
    f = sv.add_followup(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return f
