"""JSON API under /api (OpenAPI docs at /api/docs for logged-in users). Unsafe methods need the session's
CSRF token in the ``X-CSRF-Token`` header; bad bodies get 422 with field messages and store nothing."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from microneedling.planner import services as sv
from microneedling.planner.deps import Ctx, current, get_db, require
from microneedling.planner.login import do_login, do_logout, set_session_cookie
from microneedling.planner.schemas import (
    AppointmentIn,
    AppointmentOut,
    AuditOut,
    CandidacyOut,
    FollowUpIn,
    FollowUpOut,
    LoginIn,
    LoginOut,
    MeOut,
    OkOut,
    OverrideIn,
    PatientIn,
    PatientOut,
    PatientSummaryOut,
    PlanIn,
    PlanOut,
    TreatmentIn,
    TreatmentOut,
    UserCreatedOut,
    UserIn,
    UserOut,
    UserRef,
)
from microneedling.planner.security import visible_owner_ids

router = APIRouter(prefix="/api", tags=["api"])


@router.post("/login", summary="Log in; sets the session cookie and returns the CSRF token")
def api_login(body: LoginIn, request: Request, response: Response, db=Depends(get_db)) -> LoginOut:
    user, token, csrf = do_login(request, db, body.username, body.password)
    set_session_cookie(request, response, token)
    return LoginOut(user=UserRef.model_validate(user), csrf_token=csrf)


@router.post("/logout")
def api_logout(request: Request, response: Response, ctx: Ctx = Depends(require("patient.read"))) -> OkOut:
    do_logout(request, ctx.db, response)
    return OkOut(ok=True)


@router.get("/me")
def me(ctx: Ctx = Depends(current)) -> MeOut:
    return MeOut(id=ctx.user.id, username=ctx.user.username, role=ctx.user.role, csrf_token=ctx.login.csrf_token)


@router.get("/patients", response_model=list[PatientSummaryOut])
def patients(ctx: Ctx = Depends(require("patient.read"))):
    return sv.list_patients(ctx.db, ctx.user)


@router.post("/patients", status_code=201, response_model=PatientOut)
def create_patient(body: PatientIn, ctx: Ctx = Depends(require("patient.write"))):
    row = sv.create_patient(ctx.db, ctx.user, body)
    ctx.db.commit()
    return sv.patient_dict(row)


@router.get("/patients/{patient_id}", response_model=PatientOut)
def patient(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    return sv.patient_dict(sv.get_patient(ctx.db, ctx.user, patient_id))


@router.put("/patients/{patient_id}", response_model=PatientOut)
def update_patient(patient_id: int, body: PatientIn, ctx: Ctx = Depends(require("patient.write"))):
    row = sv.update_patient(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return sv.patient_dict(row)


@router.get("/patients/{patient_id}/candidacy", response_model=CandidacyOut)
def candidacy(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    return sv.decision(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id)).as_dict()


@router.post("/patients/{patient_id}/overrides", status_code=201, response_model=CandidacyOut)
def override(patient_id: int, body: OverrideIn, ctx: Ctx = Depends(require("candidacy.override"))):
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    sv.add_override(ctx.db, ctx.user, row, body)
    ctx.db.commit()
    return sv.decision(ctx.db, row).as_dict()


@router.get("/patients/{patient_id}/plans", response_model=list[PlanOut])
def plans(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    return [sv.plan_dict(p) for p in sv.plans_of(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id))]


@router.post("/patients/{patient_id}/plans", status_code=201, response_model=PlanOut)
def create_plan(patient_id: int, body: PlanIn, ctx: Ctx = Depends(require("plan.write"))):
    plan = sv.make_plan(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return sv.plan_dict(plan)


@router.get("/plans/{plan_id}", response_model=PlanOut)
def plan(plan_id: int, ctx: Ctx = Depends(require("patient.read"))):
    return sv.plan_dict(sv.get_plan(ctx.db, ctx.user, plan_id)[0])


@router.get("/patients/{patient_id}/appointments", response_model=list[AppointmentOut])
def appointments(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    return sv.appointments_of(ctx.db, None, row.id)


@router.post("/patients/{patient_id}/appointments", status_code=201, response_model=list[AppointmentOut])
def schedule(patient_id: int, body: AppointmentIn, ctx: Ctx = Depends(require("schedule.write"))):
    out = sv.schedule(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return out


@router.get("/appointments", response_model=list[AppointmentOut])
def all_appointments(ctx: Ctx = Depends(require("patient.read"))):
    return sv.appointments_of(ctx.db, visible_owner_ids(ctx.user))


@router.post("/appointments/{appointment_id}/record", status_code=201, response_model=TreatmentOut)
def record(appointment_id: int, body: TreatmentIn, ctx: Ctx = Depends(require("treatment.record"))):
    appt, _ = sv.get_appointment(ctx.db, ctx.user, appointment_id)
    t = sv.record_treatment(ctx.db, ctx.user, appt, body)
    ctx.db.commit()
    return t


@router.get("/patients/{patient_id}/followups", response_model=list[FollowUpOut])
def followups(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    return sv.followups_of(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id))


@router.post("/patients/{patient_id}/followups", status_code=201, response_model=FollowUpOut)
def add_followup(patient_id: int, body: FollowUpIn, ctx: Ctx = Depends(require("followup.write"))):
    f = sv.add_followup(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return f


@router.get("/users", response_model=list[UserOut])
def users(ctx: Ctx = Depends(require("users.manage"))):
    return sv.list_users(ctx.db)


@router.post("/users", status_code=201, response_model=UserCreatedOut)
def create_user(body: UserIn, request: Request, ctx: Ctx = Depends(require("users.manage"))):
    u = sv.create_user(ctx.db, body, request.app.state.hasher, ctx.user)
    ctx.db.commit()
    return u


@router.get("/audit", response_model=list[AuditOut])
def audit(ctx: Ctx = Depends(require("audit.read"))):
    return sv.audit_rows(ctx.db)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, ctx: Ctx = Depends(require("patient.read"))) -> dict:
    return request.app.openapi()


@router.get("/docs", include_in_schema=False)
def docs(ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/api/openapi.json", title="microneedling planner API")
