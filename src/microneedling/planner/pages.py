"""Server-rendered pages (Jinja2, plain forms). Every form carries the session's CSRF token; bad input
re-renders the form with field messages and status 422, storing nothing."""

from __future__ import annotations

import secrets
from calendar import Calendar
from datetime import date, datetime, timedelta
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from microneedling.clinic.zone_plan import DEFAULT_LENGTHS_MM, zone_caps
from microneedling.errors import InputError
from microneedling.patient import Fitzpatrick, ScarType, Sex, Zone
from microneedling.planner import ics
from microneedling.planner import services as sv
from microneedling.planner.deps import Ctx, check_csrf, form_data, get_db, require
from microneedling.planner.figures import has_figure, outcome_figure, outcome_png
from microneedling.planner.login import (
    BadCredentials,
    TooManyAttempts,
    do_login,
    do_logout,
    set_session_cookie,
)
from microneedling.planner.schemas import (
    AppointmentIn,
    FollowUpIn,
    OverrideIn,
    PatientIn,
    PlanIn,
    TreatmentIn,
    UserIn,
)
from microneedling.planner.security import PRE_LOGIN_COOKIE, allowed, same_token, visible_owner_ids

router = APIRouter(include_in_schema=False)
SCAR_ROWS = 6
HISTORY_FLAGS = ("keloid_tendency", "active_infection", "herpes_labialis", "anticoagulants", "pregnant",
                 "immunosuppressed")


def render(request: Request, template: str, ctx: Ctx | None = None, status: int = 200, **kw) -> HTMLResponse:
    env = request.app.state.templates
    kw.update(request=request, user=ctx.user if ctx else None, csrf=ctx.login.csrf_token if ctx else "",
              can=(lambda p: allowed(ctx.user, p)) if ctx else (lambda p: False))
    return env.TemplateResponse(request, template, kw, status_code=status)


def errors_of(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    if isinstance(exc, InputError):
        return [f"{exc.field}: {exc.allowed} (got {exc.value!r})"]
    return [str(exc)]


def _blank(v: str | None) -> str | None:
    return None if v is None or v.strip() == "" else v.strip()


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ---- login ------------------------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, next: str = "/patients") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    resp = render(request, "login.html", pre=token, next=next if next.startswith("/") else "/patients")
    resp.set_cookie(PRE_LOGIN_COOKIE, token, httponly=True, samesite="strict", max_age=3600, path="/login")
    return resp


@router.post("/login")
def login_submit(request: Request, form: dict = Depends(form_data), db=Depends(get_db)) -> Response:
    nxt = form.get("next") or "/patients"
    nxt = nxt if nxt.startswith("/") and not nxt.startswith("//") else "/patients"
    if not same_token(form.get("csrf_token"), request.cookies.get(PRE_LOGIN_COOKIE)):
        return render(request, "login.html", status=403, pre="", next=nxt,
                      errors=["the login form expired; reload the page"])
    try:
        _, token, _ = do_login(request, db, form.get("username", ""), form.get("password", ""))
    except (BadCredentials, TooManyAttempts) as exc:
        pre = secrets.token_urlsafe(24)
        resp = render(request, "login.html", status=exc.status_code, pre=pre, next=nxt, errors=[exc.detail])
        resp.set_cookie(PRE_LOGIN_COOKIE, pre, httponly=True, samesite="strict", max_age=3600, path="/login")
        return resp
    resp = _see_other(nxt)
    set_session_cookie(request, resp, token)
    resp.delete_cookie(PRE_LOGIN_COOKIE, path="/login")
    return resp


@router.post("/logout")
def logout(request: Request, form: dict = Depends(form_data), ctx: Ctx = Depends(require("patient.read"))):
    check_csrf(ctx, form)
    resp = _see_other("/login")
    do_logout(request, ctx.db, resp)
    return resp


@router.get("/")
def home(ctx: Ctx = Depends(require("patient.read"))) -> RedirectResponse:
    return _see_other("/patients")


# ---- patients ---------------------------------------------------------------------------------------
@router.get("/patients")
def patients(request: Request, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    return render(request, "patients.html", ctx, patients=sv.list_patients(ctx.db, ctx.user))


def _patient_form_context(values: dict | None = None, errors: list[str] | None = None) -> dict:
    return {"values": values or {}, "errors": errors or [], "zones": [z.value for z in Zone],
            "scar_types": [t.value for t in ScarType], "sexes": [s.value for s in Sex],
            "phototypes": [f.value for f in Fitzpatrick], "rows": range(SCAR_ROWS), "flags": HISTORY_FLAGS}


@router.get("/patients/new")
def patient_new(request: Request, ctx: Ctx = Depends(require("patient.write"))) -> HTMLResponse:
    return render(request, "patient_new.html", ctx, **_patient_form_context())


def patient_from_form(form: dict[str, str]) -> PatientIn:
    history = {"active_acne_grade": _blank(form.get("active_acne_grade")) or 0,
               "isotretinoin_months_ago": _blank(form.get("isotretinoin_months_ago")),
               "recent_filler_or_laser_months_ago": _blank(form.get("recent_filler_or_laser_months_ago"))}
    for flag in HISTORY_FLAGS:
        history[flag] = form.get(flag) in ("on", "true", "1")
    zones: dict[str, list[dict]] = {}
    for i in range(SCAR_ROWS):
        zone = _blank(form.get(f"scar{i}_zone"))
        if zone is None:
            continue
        zones.setdefault(zone, []).append({k: _blank(form.get(f"scar{i}_{k}")) for k in
                                           ("type", "count", "depth_mm", "width_mm")})
    return PatientIn.model_validate({
        "label": form.get("label", ""), "age_years": _blank(form.get("age_years")), "sex": form.get("sex"),
        "fitzpatrick": form.get("fitzpatrick"), "history": history,
        "zones": [{"zone": z, "scars": s} for z, s in zones.items()]})


@router.post("/patients")
def patient_create(request: Request, form: dict = Depends(form_data),
                   ctx: Ctx = Depends(require("patient.write"))) -> Response:
    check_csrf(ctx, form)
    try:
        row = sv.create_patient(ctx.db, ctx.user, patient_from_form(form))
    except (ValidationError, InputError) as exc:
        ctx.db.rollback()
        return render(request, "patient_new.html", ctx, status=422,
                      **_patient_form_context(form, errors_of(exc)))
    ctx.db.commit()
    return _see_other(f"/patients/{row.id}")


def _patient_page(request: Request, ctx: Ctx, patient_id: int, status: int = 200, errors=None) -> HTMLResponse:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    plans = sv.plans_of(ctx.db, row)
    followups = sv.followups_of(ctx.db, row)
    observed = sv.observed_scores(ctx.db, row)
    latest = plans[-1] if plans else None
    fig = has_figure([(latest.name, latest.result["prediction"])] if latest else [], observed)
    appts = sv.appointments_of(ctx.db, None, row.id)
    recorded = {t.appointment_id: t for t in sv.treatments_of(ctx.db, row)}
    return render(request, "patient.html", ctx, status=status, patient=row, info=sv.patient_dict(row),
                  decision=sv.decision(ctx.db, row).as_dict(), plans=plans, appointments=appts, recorded=recorded,
                  followups=followups, figure=fig, errors=errors or [], today=date.today().isoformat())


@router.get("/patients/{patient_id}")
def patient_detail(request: Request, patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    return _patient_page(request, ctx, patient_id)


def _patient_post(request: Request, ctx: Ctx, form: dict, patient_id: int, action) -> Response:
    """Run ``action(row)`` for a patient form; 422 re-renders the patient page with messages."""
    check_csrf(ctx, form)
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    try:
        target = action(row)
    except (ValidationError, InputError, sv.Conflict) as exc:
        ctx.db.rollback()
        status = 409 if isinstance(exc, sv.Conflict) else 422
        return _patient_page(request, ctx, patient_id, status=status, errors=errors_of(exc))
    ctx.db.commit()
    return _see_other(target or f"/patients/{patient_id}")


@router.post("/patients/{patient_id}/overrides")
def override(request: Request, patient_id: int, form: dict = Depends(form_data),
             ctx: Ctx = Depends(require("candidacy.override"))) -> Response:
    return _patient_post(request, ctx, form, patient_id, lambda row: sv.add_override(
        ctx.db, ctx.user, row, OverrideIn(rule_id=form.get("rule_id", ""), reason=form.get("reason", ""))) and None)


def _lengths(text: str | None) -> list[str]:
    return [t for t in (text or "").replace(";", ",").replace(" ", ",").split(",") if t]


@router.get("/patients/{patient_id}/plans/new")
def plan_new(request: Request, patient_id: int, ctx: Ctx = Depends(require("plan.write"))) -> HTMLResponse:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    baseline, basis = sv.suggested_baseline(ctx.db, row)
    return render(request, "plan_new.html", ctx, patient=row, decision=sv.decision(ctx.db, row).as_dict(),
                  lengths=", ".join(f"{v:g}" for v in DEFAULT_LENGTHS_MM), errors=[], caps=_caps_for(row),
                  values={"baseline_gb_score": "" if baseline is None else f"{baseline:g}"}, baseline_basis=basis)


def _caps_for(row) -> dict[str, float]:
    """The packaged zone caps (clinician-editable defaults) for the patient's scarred zones."""
    caps = zone_caps()
    return {z: caps[Zone(z)] for z in dict.fromkeys(s.zone for s in row.scars)}


@router.post("/patients/{patient_id}/plans")
def plan_create(request: Request, patient_id: int, form: dict = Depends(form_data),
                ctx: Ctx = Depends(require("plan.write"))) -> Response:
    check_csrf(ctx, form)
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    try:
        data = PlanIn.model_validate({
            "name": form.get("name") or "Plan", "device": form.get("device", "pen"),
            "available_lengths_mm": _lengths(form.get("available_lengths_mm")) or list(DEFAULT_LENGTHS_MM),
            "sessions": _blank(form.get("sessions")), "interval_weeks": _blank(form.get("interval_weeks")),
            "baseline_gb_score": _blank(form.get("baseline_gb_score")),
            "require_bleeding": form.get("require_bleeding") in ("on", "true", "1"),
            "caps_mm": _edited_caps(form, row)})
        plan = sv.make_plan(ctx.db, ctx.user, row, data)
    except (ValidationError, InputError, sv.Conflict) as exc:
        ctx.db.rollback()
        return render(request, "plan_new.html", ctx, status=409 if isinstance(exc, sv.Conflict) else 422,
                      patient=row, decision=sv.decision(ctx.db, row).as_dict(), errors=errors_of(exc), values=form,
                      lengths=form.get("available_lengths_mm", ""), caps=_caps_for(row))
    ctx.db.commit()
    return _see_other(f"/plans/{plan.id}")


def _edited_caps(form: dict[str, str], row) -> dict[str, str]:
    """Zone caps the provider changed on the form (unchanged ones stay the packaged defaults)."""
    out = {}
    for zone, default in _caps_for(row).items():
        value = _blank(form.get(f"cap_{zone}"))
        if value is not None and value != f"{default:g}":
            out[zone] = value
    return out


def _plan_context(ctx: Ctx, plan_id: int) -> dict:
    plan, row = sv.get_plan(ctx.db, ctx.user, plan_id)
    return {"plan": plan, "patient": row, "data": sv.plan_dict(plan),
            "figure": outcome_figure([(plan.name, plan.result["prediction"])], sv.observed_scores(ctx.db, row))}


@router.get("/plans/{plan_id}")
def plan_detail(request: Request, plan_id: int, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    plan, row = sv.get_plan(ctx.db, ctx.user, plan_id)
    observed = sv.observed_scores(ctx.db, row)
    fig = f"/plans/{plan.id}/outcome.png" if has_figure([(plan.name, plan.result["prediction"])], observed) else None
    return render(request, "plan.html", ctx, plan=plan, patient=row, data=sv.plan_dict(plan), figure=fig)


def _png(png: bytes | None) -> Response:
    if png is None:
        raise sv.NotFound("figure")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})


@router.get("/plans/{plan_id}/outcome.png")
def plan_png(plan_id: int, ctx: Ctx = Depends(require("patient.read"))) -> Response:
    plan, row = sv.get_plan(ctx.db, ctx.user, plan_id)
    return _png(outcome_png([(plan.name, plan.result["prediction"])], sv.observed_scores(ctx.db, row)))


@router.get("/patients/{patient_id}/outcome.png")
def patient_png(patient_id: int, compare: bool = False, ctx: Ctx = Depends(require("patient.read"))) -> Response:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    plans = sv.plans_of(ctx.db, row)
    chosen = plans if compare else plans[-1:]
    return _png(outcome_png([(p.name, p.result["prediction"]) for p in chosen], sv.observed_scores(ctx.db, row)))


@router.get("/plans/{plan_id}/print")
def plan_print(request: Request, plan_id: int, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    return render(request, "plan_print.html", ctx, printed=datetime.now().strftime("%Y-%m-%d %H:%M"),
                  **_plan_context(ctx, plan_id))


@router.get("/patients/{patient_id}/compare")
def compare(request: Request, patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    plans = sv.plans_of(ctx.db, row)
    fig = has_figure([(p.name, p.result["prediction"]) for p in plans], sv.observed_scores(ctx.db, row))
    return render(request, "compare.html", ctx, patient=row, plans=[sv.plan_dict(p) for p in plans],
                  figure=f"/patients/{row.id}/outcome.png?compare=true" if fig else None)


# ---- schedule, records, follow-ups ------------------------------------------------------------------
@router.post("/patients/{patient_id}/appointments")
def schedule(request: Request, patient_id: int, form: dict = Depends(form_data),
             ctx: Ctx = Depends(require("schedule.write"))) -> Response:
    def act(row):
        sv.schedule(ctx.db, ctx.user, row, AppointmentIn.model_validate({
            "starts_at": form.get("starts_at"), "duration_min": _blank(form.get("duration_min")) or 45,
            "plan_id": _blank(form.get("plan_id")), "note": form.get("note", ""),
            "repeat": _blank(form.get("repeat")) or 1, "interval_weeks": _blank(form.get("interval_weeks")) or 4}))
    return _patient_post(request, ctx, form, patient_id, act)


@router.post("/appointments/{appointment_id}/record")
def record(request: Request, appointment_id: int, form: dict = Depends(form_data),
           ctx: Ctx = Depends(require("treatment.record"))) -> Response:
    check_csrf(ctx, form)
    appt, row = sv.get_appointment(ctx.db, ctx.user, appointment_id)
    return _patient_post(request, ctx, form, row.id, lambda _row: sv.record_treatment(
        ctx.db, ctx.user, appt, TreatmentIn.model_validate({
            "device": form.get("device"), "needle_length_mm": _blank(form.get("needle_length_mm")),
            "endpoint_reached": form.get("endpoint_reached") in ("on", "true", "1"),
            "adverse_events": form.get("adverse_events", "")})) and None)


@router.post("/patients/{patient_id}/followups")
def followup(request: Request, patient_id: int, form: dict = Depends(form_data),
             ctx: Ctx = Depends(require("followup.write"))) -> Response:
    photos = []
    if _blank(form.get("photo_file")):
        photos.append({"view": form.get("photo_view") or "front", "file": form.get("photo_file", "").strip(),
                       "taken_on": _blank(form.get("photo_taken_on")), "note": form.get("photo_note", "")})
    return _patient_post(request, ctx, form, patient_id, lambda row: sv.add_followup(
        ctx.db, ctx.user, row, FollowUpIn.model_validate({
            "week": _blank(form.get("week")), "gb_grade": _blank(form.get("gb_grade")),
            "gb_score": _blank(form.get("gb_score")), "photos": photos, "note": form.get("note", "")})) and None)


@router.get("/calendar")
def calendar_view(request: Request, month: str | None = None,
                  ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    try:
        first = datetime.strptime(month, "%Y-%m").date() if month else date.today().replace(day=1)
    except ValueError:
        raise InputError("month", month, "must be YYYY-MM") from None
    appts = sv.appointments_of(ctx.db, visible_owner_ids(ctx.user))
    labels = {p.id: p.label for p in sv.list_patients(ctx.db, ctx.user)}
    by_day: dict[date, list] = {}
    for a in appts:
        by_day.setdefault(a.starts_at.date(), []).append(a)
    weeks = Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    prev = (first.replace(day=1) - timedelta(days=1)).replace(day=1)
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return render(request, "calendar.html", ctx, weeks=weeks, by_day=by_day, labels=labels, first=first,
                  prev=prev.strftime("%Y-%m"), next=nxt.strftime("%Y-%m"), upcoming=[
                      a for a in appts if a.starts_at >= datetime.now() and a.status == "scheduled"][:50])


def _ics_response(ctx: Ctx, appts, labels: dict[int, str], name: str) -> Response:
    events = [{"uid": f"appointment-{a.id}@microneedling-planner", "starts_at": a.starts_at,
               "duration_min": a.duration_min, "summary": f"Microneedling session: {labels.get(a.patient_id, '?')}",
               "description": a.note} for a in appts if a.status != "cancelled"]
    return Response(ics.calendar(events, name), media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{quote(name)}.ics"'})


@router.get("/calendar.ics")
def calendar_ics(ctx: Ctx = Depends(require("patient.read"))) -> Response:
    labels = {p.id: p.label for p in sv.list_patients(ctx.db, ctx.user)}
    return _ics_response(ctx, sv.appointments_of(ctx.db, visible_owner_ids(ctx.user)), labels, "sessions")


@router.get("/patients/{patient_id}/calendar.ics")
def patient_ics(patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> Response:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    return _ics_response(ctx, sv.appointments_of(ctx.db, None, row.id), {row.id: row.label}, f"sessions-{row.label}")


# ---- admin ------------------------------------------------------------------------------------------
@router.get("/admin/users")
def users_page(request: Request, ctx: Ctx = Depends(require("users.manage"))) -> HTMLResponse:
    return render(request, "users.html", ctx, users=sv.list_users(ctx.db), errors=[])


@router.post("/admin/users")
def users_create(request: Request, form: dict = Depends(form_data),
                 ctx: Ctx = Depends(require("users.manage"))) -> Response:
    check_csrf(ctx, form)
    try:
        sv.create_user(ctx.db, UserIn.model_validate({
            "username": form.get("username", ""), "password": form.get("password", ""), "role": form.get("role"),
            "provider_id": _blank(form.get("provider_id"))}), request.app.state.hasher, ctx.user)
    except (ValidationError, InputError) as exc:
        ctx.db.rollback()
        return render(request, "users.html", ctx, status=422, errors=errors_of(exc),
                      users=sv.list_users(ctx.db))
    ctx.db.commit()
    return _see_other("/admin/users")


@router.get("/admin/audit")
def audit_page(request: Request, ctx: Ctx = Depends(require("audit.read"))) -> HTMLResponse:
    return render(request, "audit.html", ctx, rows=sv.audit_rows(ctx.db, 500), names=sv.usernames(ctx.db))
