"""Patients: the list, the new-patient form, the patient page (candidacy, plans, sessions, follow-ups) and
candidacy overrides; JSON API for patients, their candidacy and overrides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from microneedling.errors import InputError
from microneedling.patient import Fitzpatrick, ScarType, Sex, Zone
from microneedling.planner import services as sv
from microneedling.planner.deps import Ctx, check_csrf, form_data, require
from microneedling.planner.figures import has_figure
from microneedling.planner.form_errors import FormErrors, Names, form_errors, last_name
from microneedling.planner.models import PatientRow
from microneedling.planner.patient_media import patient_media
from microneedling.planner.patient_record import read_patient_record
from microneedling.planner.patient_search import search_patients
from microneedling.planner.reads import viewed
from microneedling.planner.schemas import (
    CandidacyOut,
    OverrideIn,
    PatientIn,
    PatientOut,
    PatientSummaryOut,
)
from microneedling.planner.web import blank, checked, render, see_other

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["patients"])

SCAR_ROWS = 6
HISTORY_FLAGS = ("keloid_tendency", "active_infection", "herpes_labialis", "anticoagulants", "pregnant",
                 "immunosuppressed")


@pages.get("/")
def home(ctx: Ctx = Depends(require("patient.read"))) -> RedirectResponse:
    return see_other("/patients")


@pages.get("/patients")
def patients(request: Request, q: Annotated[str, Query(max_length=64)] = "",
             page: Annotated[int, Query(ge=1, le=100_000)] = 1,
             ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    found = search_patients(ctx.db, ctx.user, q, page)
    return render(request, "patients.html", ctx, patients=found.rows, found=found)


def _patient_form_context(values: dict | None = None, errors: FormErrors | None = None) -> dict:
    return {"values": values or {}, "errors": errors or [], "zones": [z.value for z in Zone],
            "scar_types": [t.value for t in ScarType], "sexes": [s.value for s in Sex],
            "phototypes": [f.value for f in Fitzpatrick], "rows": range(SCAR_ROWS), "flags": HISTORY_FLAGS}


@pages.get("/patients/new")
def patient_new(request: Request, ctx: Ctx = Depends(require("patient.write"))) -> HTMLResponse:
    return render(request, "patient_new.html", ctx, **_patient_form_context())


def _scar_rows(form: dict[str, str]) -> dict[str, list[int]]:
    """Zone -> the form's scar rows (0-based) naming it, in the order the patient's zones are built."""
    rows: dict[str, list[int]] = {}
    for i in range(SCAR_ROWS):
        zone = blank(form.get(f"scar{i}_zone"))
        if zone is not None:
            rows.setdefault(zone, []).append(i)
    return rows


def patient_field_names(form: dict[str, str]) -> Names:
    """The input of the patient form behind a location of :class:`PatientIn` as :func:`patient_from_form` built
    it: ``zones.Z.scars.S.count`` -> ``scar{row}_count``; a zone without scars -> its row's zone; no zone at
    all -> the first row's zone; history items and the rest -> their own names."""
    rows = list(_scar_rows(form).values())

    def name(loc: tuple) -> str | None:
        if loc[:1] != ("zones",):
            return last_name(loc)
        if len(loc) < 2 or not isinstance(loc[1], int) or loc[1] >= len(rows):
            return "scar0_zone"
        zone_rows = rows[loc[1]]
        if len(loc) >= 5 and loc[2] == "scars" and isinstance(loc[3], int) and loc[3] < len(zone_rows):
            return f"scar{zone_rows[loc[3]]}_{loc[4]}"
        return f"scar{zone_rows[0]}_zone"
    return name


def patient_from_form(form: dict[str, str]) -> PatientIn:
    history = {"active_acne_grade": blank(form.get("active_acne_grade")) or 0,
               "isotretinoin_months_ago": blank(form.get("isotretinoin_months_ago")),
               "recent_filler_or_laser_months_ago": blank(form.get("recent_filler_or_laser_months_ago"))}
    for flag in HISTORY_FLAGS:
        history[flag] = checked(form, flag)
    zones = {zone: [{k: blank(form.get(f"scar{i}_{k}")) for k in ("type", "count", "depth_mm", "width_mm")}
                    for i in rows] for zone, rows in _scar_rows(form).items()}
    return PatientIn.model_validate({
        "label": form.get("label", ""), "age_years": blank(form.get("age_years")), "sex": form.get("sex"),
        "fitzpatrick": form.get("fitzpatrick"), "history": history,
        "zones": [{"zone": z, "scars": s} for z, s in zones.items()]})


@pages.post("/patients")
def patient_create(request: Request, form: dict = Depends(form_data),
                   ctx: Ctx = Depends(require("patient.write"))) -> Response:
    check_csrf(ctx, form)
    try:
        row = sv.create_patient(ctx.db, ctx.user, patient_from_form(form))
    except (ValidationError, InputError) as exc:
        ctx.db.rollback()
        errors = form_errors(exc, "patient", patient_field_names(form), PatientIn)
        return render(request, "patient_new.html", ctx, status=422, **_patient_form_context(form, errors))
    ctx.db.commit()
    return see_other(f"/patients/{row.id}")


def patient_page(request: Request, ctx: Ctx, patient_id: int, status: int = 200, errors: FormErrors | None = None,
                 values: dict | None = None) -> HTMLResponse:
    """The patient page; after a failed post, ``errors`` of the posted form and its ``values`` (shown again)."""
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    rec = read_patient_record(ctx.db, row)
    observed = sv.observed_scores(ctx.db, row, rec.followups)
    latest = rec.plans[-1] if rec.plans else None
    predicted = latest.result["prediction"] if latest else {}
    fig = has_figure([(latest.name, predicted)] if latest else [], observed)
    model = sv.patient_model(row)
    return render(request, "patient.html", ctx, status=status, patient=row, info=sv.patient_dict(row, model),
                  **patient_media(request, rec.charts, rec.photos),
                  decision=sv.decision(ctx.db, row, model, rec.overrides).as_dict(), plans=rec.plans,
                  appointments=rec.appointments, recorded={t.appointment_id: t for t in rec.treatments},
                  followups=rec.followups, figure=fig, latest_prediction=predicted,
                  errors=errors or [], values=values or {},
                  today=date.today().isoformat(), consents=rec.consents,
                  zone_name=request.app.state.clinic_zone.key)


@pages.get("/patients/{patient_id}")
def patient_detail(request: Request, patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    page = patient_page(request, ctx, patient_id)
    viewed(ctx, "patient", patient_id, page="patient")
    return page


def patient_post(request: Request, ctx: Ctx, form: dict, patient_id: int,
                 action: Callable[[PatientRow], str | None], form_name: str,
                 model: type[BaseModel] | None = None, names: Names = last_name) -> Response:
    """Run ``action(row)`` for form ``form_name`` posted from the patient page and go back there (or to the URL
    it returns); bad input re-renders the patient page with the messages beside that form's fields and its
    values kept (422, or 409 on a conflict). ``model``: the input model (bounds and units of the messages)."""
    check_csrf(ctx, form)
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    try:
        target = action(row)
    except (ValidationError, InputError, sv.Conflict) as exc:
        ctx.db.rollback()
        status = 409 if isinstance(exc, sv.Conflict) else 422
        return patient_page(request, ctx, patient_id, status=status, values=form,
                            errors=form_errors(exc, form_name, names, model))
    ctx.db.commit()
    return see_other(target or f"/patients/{patient_id}")


@pages.post("/patients/{patient_id}/overrides")
def override_submit(request: Request, patient_id: int, form: dict = Depends(form_data),
                    ctx: Ctx = Depends(require("candidacy.override"))) -> Response:
    def act(row: PatientRow) -> None:
        sv.add_override(ctx.db, ctx.user, row, OverrideIn(rule_id=form.get("rule_id", ""),
                                                          reason=form.get("reason", "")))
    return patient_post(request, ctx, form, patient_id, act, f"override-{form.get('rule_id', '')}", OverrideIn)


@api.get("/patients", response_model=list[PatientSummaryOut])
def list_patients(ctx: Ctx = Depends(require("patient.read"))):
    return sv.list_patients(ctx.db, ctx.user)


@api.post("/patients", status_code=201, response_model=PatientOut)
def create_patient(body: PatientIn, ctx: Ctx = Depends(require("patient.write"))):
    row = sv.create_patient(ctx.db, ctx.user, body)
    ctx.db.commit()
    return sv.patient_dict(row)


@api.get("/patients/{patient_id}", response_model=PatientOut)
def get_patient(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    out = sv.patient_dict(sv.get_patient(ctx.db, ctx.user, patient_id))
    viewed(ctx, "patient", patient_id, api="patient")
    return out


@api.put("/patients/{patient_id}", response_model=PatientOut)
def update_patient(patient_id: int, body: PatientIn, ctx: Ctx = Depends(require("patient.write"))):
    row = sv.update_patient(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return sv.patient_dict(row)


@api.get("/patients/{patient_id}/candidacy", response_model=CandidacyOut)
def candidacy(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    return sv.decision(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id)).as_dict()


@api.post("/patients/{patient_id}/overrides", status_code=201, response_model=CandidacyOut)
def add_override(patient_id: int, body: OverrideIn, ctx: Ctx = Depends(require("candidacy.override"))):
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    sv.add_override(ctx.db, ctx.user, row, body)
    ctx.db.commit()
    return sv.decision(ctx.db, row).as_dict()
