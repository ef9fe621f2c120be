"""JSON API under /api (OpenAPI docs at /api/docs for logged-in users). Unsafe methods need the session's
CSRF token in the ``X-CSRF-Token`` header; bad bodies get 422 with field messages and store nothing."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from microneedling.planner import services as sv
from microneedling.planner.deps import Ctx, current, get_db, require
from microneedling.planner.login import do_login, do_logout, set_session_cookie
from microneedling.planner.schemas import (
    AppointmentIn,
    FollowUpIn,
    LoginIn,
    OverrideIn,
    PatientIn,
    PlanIn,
    TreatmentIn,
    UserIn,
)
from microneedling.planner.security import visible_owner_ids

router = APIRouter(prefix="/api", tags=["api"])


def _appt(a) -> dict:
    return {"id": a.id, "patient_id": a.patient_id, "plan_id": a.plan_id, "starts_at": a.starts_at.isoformat(),
            "duration_min": a.duration_min, "status": a.status, "note": a.note}


def _followup(f) -> dict:
    return {"id": f.id, "patient_id": f.patient_id, "week": f.week, "gb_grade": f.gb_grade, "gb_score": f.gb_score,
            "photos": f.photos, "note": f.note}


@router.post("/login", summary="Log in; sets the session cookie and returns the CSRF token")
def api_login(body: LoginIn, request: Request, response: Response, db=Depends(get_db)) -> dict:
    user, token, csrf = do_login(request, db, body.username, body.password)
    set_session_cookie(request, response, token)
    return {"user": {"id": user.id, "username": user.username, "role": user.role}, "csrf_token": csrf}


@router.post("/logout")
def api_logout(request: Request, ctx: Ctx = Depends(require("patient.read"))) -> JSONResponse:
    resp = JSONResponse({"ok": True})
    do_logout(request, ctx.db, resp)
    return resp


@router.get("/me")
def me(ctx: Ctx = Depends(current)) -> dict:
    return {"id": ctx.user.id, "username": ctx.user.username, "role": ctx.user.role, "csrf_token": ctx.login.csrf_token}


@router.get("/patients")
def patients(ctx: Ctx = Depends(require("patient.read"))) -> list[dict]:
    return [{"id": p.id, "label": p.label, "age_years": p.age_years, "sex": p.sex, "fitzpatrick": p.fitzpatrick}
            for p in sv.list_patients(ctx.db, ctx.user)]


@router.post("/patients", status_code=201)
def create_patient(body: PatientIn, ctx: Ctx = Depends(require("patient.write"))) -> dict:
    row = sv.create_patient(ctx.db, ctx.user, body)
    ctx.db.commit()
    return sv.patient_dict(row)


@router.get("/patients/{patient_id}")
def patient(patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> dict:
    return sv.patient_dict(sv.get_patient(ctx.db, ctx.user, patient_id))


@router.put("/patients/{patient_id}")
def update_patient(patient_id: int, body: PatientIn, ctx: Ctx = Depends(require("patient.write"))) -> dict:
    row = sv.update_patient(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return sv.patient_dict(row)


@router.get("/patients/{patient_id}/candidacy")
def candidacy(patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> dict:
    return sv.decision(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id)).as_dict()


@router.post("/patients/{patient_id}/overrides", status_code=201)
def override(patient_id: int, body: OverrideIn, ctx: Ctx = Depends(require("candidacy.override"))) -> dict:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    sv.add_override(ctx.db, ctx.user, row, body)
    ctx.db.commit()
    return sv.decision(ctx.db, row).as_dict()


@router.get("/patients/{patient_id}/plans")
def plans(patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> list[dict]:
    return [sv.plan_dict(p) for p in sv.plans_of(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id))]


@router.post("/patients/{patient_id}/plans", status_code=201)
def create_plan(patient_id: int, body: PlanIn, ctx: Ctx = Depends(require("plan.write"))) -> dict:
    plan = sv.make_plan(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return sv.plan_dict(plan)


@router.get("/plans/{plan_id}")
def plan(plan_id: int, ctx: Ctx = Depends(require("patient.read"))) -> dict:
    return sv.plan_dict(sv.get_plan(ctx.db, ctx.user, plan_id)[0])


@router.get("/patients/{patient_id}/appointments")
def appointments(patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> list[dict]:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    return [_appt(a) for a in sv.appointments_of(ctx.db, None, row.id)]


@router.post("/patients/{patient_id}/appointments", status_code=201)
def schedule(patient_id: int, body: AppointmentIn, ctx: Ctx = Depends(require("schedule.write"))) -> list[dict]:
    out = sv.schedule(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return [_appt(a) for a in out]


@router.get("/appointments")
def all_appointments(ctx: Ctx = Depends(require("patient.read"))) -> list[dict]:
    return [_appt(a) for a in sv.appointments_of(ctx.db, visible_owner_ids(ctx.user))]


@router.post("/appointments/{appointment_id}/record", status_code=201)
def record(appointment_id: int, body: TreatmentIn, ctx: Ctx = Depends(require("treatment.record"))) -> dict:
    appt, _ = sv.get_appointment(ctx.db, ctx.user, appointment_id)
    t = sv.record_treatment(ctx.db, ctx.user, appt, body)
    ctx.db.commit()
    return {"id": t.id, "appointment_id": appt.id, **body.model_dump(mode="json")}


@router.get("/patients/{patient_id}/followups")
def followups(patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> list[dict]:
    return [_followup(f) for f in sv.followups_of(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id))]


@router.post("/patients/{patient_id}/followups", status_code=201)
def add_followup(patient_id: int, body: FollowUpIn, ctx: Ctx = Depends(require("followup.write"))) -> dict:
    f = sv.add_followup(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return _followup(f)


@router.get("/users")
def users(ctx: Ctx = Depends(require("users.manage"))) -> list[dict]:
    return [{"id": u.id, "username": u.username, "role": u.role, "provider_id": u.provider_id, "active": u.active}
            for u in sv.list_users(ctx.db)]


@router.post("/users", status_code=201)
def create_user(body: UserIn, request: Request, ctx: Ctx = Depends(require("users.manage"))) -> dict:
    u = sv.create_user(ctx.db, body, request.app.state.hasher, ctx.user)
    ctx.db.commit()
    return {"id": u.id, "username": u.username, "role": u.role, "provider_id": u.provider_id}


@router.get("/audit")
def audit(ctx: Ctx = Depends(require("audit.read"))) -> list[dict]:
    return [{"id": a.id, "at": a.at.isoformat(), "user_id": a.user_id, "action": a.action, "entity": a.entity,
             "entity_id": a.entity_id, "detail": a.detail} for a in sv.audit_rows(ctx.db)]


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, ctx: Ctx = Depends(require("patient.read"))) -> dict:
    return request.app.openapi()


@router.get("/docs", include_in_schema=False)
def docs(ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/api/openapi.json", title="microneedling planner API")
