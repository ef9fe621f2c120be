"""Plans: the new-plan form, the plan page, its printable version, plan comparison and the outcome figures
(PNG); JSON API for a patient's plans."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from microneedling.clinic.zone_plan import DEFAULT_LENGTHS_MM, zone_caps
from microneedling.errors import InputError
from microneedling.patient import Zone
from microneedling.planner import services as sv
from microneedling.planner.deps import Ctx, check_csrf, form_data, require
from microneedling.planner.figures import has_figure, outcome_figure, outcome_png
from microneedling.planner.form_errors import FormErrors, form_errors, last_name
from microneedling.planner.models import PatientRow
from microneedling.planner.reads import viewed
from microneedling.planner.schemas import PlanIn, PlanOut
from microneedling.planner.web import blank, checked, render, see_other

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["plans"])


def _caps_for(row: PatientRow) -> dict[str, float]:
    """The packaged zone caps (clinician-editable defaults) for the patient's scarred zones."""
    caps = zone_caps()
    return {z: caps[Zone(z)] for z in dict.fromkeys(s.zone for s in row.scars)}


def _edited_caps(form: dict[str, str], row: PatientRow) -> dict[str, str]:
    """Zone caps the provider changed on the form (unchanged ones stay the packaged defaults)."""
    out = {}
    for zone, default in _caps_for(row).items():
        value = blank(form.get(f"cap_{zone}"))
        if value is not None and value != f"{default:g}":
            out[zone] = value
    return out


def _lengths(text: str | None) -> list[str]:
    return [t for t in (text or "").replace(";", ",").replace(" ", ",").split(",") if t]


def plan_field_names(loc: tuple) -> str | None:
    """The input of the plan form behind a location of :class:`PlanIn` (``caps_mm.cheek`` -> ``cap_cheek``)."""
    return f"cap_{loc[1]}" if loc[:1] == ("caps_mm",) and len(loc) > 1 else last_name(loc)


def _plan_form(request: Request, ctx: Ctx, row: PatientRow, values: dict | None, lengths: str, status: int = 200,
               errors: FormErrors | None = None) -> HTMLResponse:
    """The plan form; ``values`` None: a new form with the suggested baseline filled in. The baseline field says
    where its suggestion comes from, on a new form and on one shown again with messages."""
    baseline, basis = sv.suggested_baseline(ctx.db, row)
    if values is None:
        values = {"baseline_gb_score": "" if baseline is None else f"{baseline:g}"}
    return render(request, "plan_new.html", ctx, status=status, patient=row,
                  decision=sv.decision(ctx.db, row).as_dict(), errors=errors or [], values=values, lengths=lengths,
                  caps=_caps_for(row), baseline_basis=basis)


@pages.get("/patients/{patient_id}/plans/new")
def plan_new(request: Request, patient_id: int, ctx: Ctx = Depends(require("plan.write"))) -> HTMLResponse:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    return _plan_form(request, ctx, row, None, ", ".join(f"{v:g}" for v in DEFAULT_LENGTHS_MM))


@pages.post("/patients/{patient_id}/plans")
def plan_create(request: Request, patient_id: int, form: dict = Depends(form_data),
                ctx: Ctx = Depends(require("plan.write"))) -> Response:
    check_csrf(ctx, form)
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    try:
        data = PlanIn.model_validate({
            "name": form.get("name") or "Plan", "device": form.get("device", "pen"),
            "available_lengths_mm": _lengths(form.get("available_lengths_mm")) or list(DEFAULT_LENGTHS_MM),
            "sessions": blank(form.get("sessions")), "interval_weeks": blank(form.get("interval_weeks")),
            "baseline_gb_score": blank(form.get("baseline_gb_score")),
            "require_bleeding": checked(form, "require_bleeding"), "caps_mm": _edited_caps(form, row)})
        plan = sv.make_plan(ctx.db, ctx.user, row, data)
    except (ValidationError, InputError, sv.Conflict) as exc:
        ctx.db.rollback()
        return _plan_form(request, ctx, row, form, form.get("available_lengths_mm", ""),
                          status=409 if isinstance(exc, sv.Conflict) else 422,
                          errors=form_errors(exc, "plan", plan_field_names, PlanIn))
    ctx.db.commit()
    return see_other(f"/plans/{plan.id}")


@pages.get("/plans/{plan_id}")
def plan_detail(request: Request, plan_id: int, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    plan, row = sv.get_plan(ctx.db, ctx.user, plan_id)
    observed = sv.observed_scores(ctx.db, row)
    fig = f"/plans/{plan.id}/outcome.png" if has_figure([(plan.name, plan.result["prediction"])], observed) else None
    viewed(ctx, "plan", plan.id, patient_id=row.id, page="plan")
    return render(request, "plan.html", ctx, plan=plan, patient=row, data=sv.plan_dict(plan), figure=fig)


@pages.get("/plans/{plan_id}/print")
def plan_print(request: Request, plan_id: int, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    plan, row = sv.get_plan(ctx.db, ctx.user, plan_id)
    figure = outcome_figure([(plan.name, plan.result["prediction"])], sv.observed_scores(ctx.db, row))
    viewed(ctx, "plan", plan.id, patient_id=row.id, page="print")
    return render(request, "plan_print.html", ctx, printed=datetime.now().strftime("%Y-%m-%d %H:%M"), plan=plan,
                  patient=row, data=sv.plan_dict(plan), figure=figure)


@pages.get("/patients/{patient_id}/compare")
def compare(request: Request, patient_id: int, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    plans = sv.plans_of(ctx.db, row)
    fig = has_figure([(p.name, p.result["prediction"]) for p in plans], sv.observed_scores(ctx.db, row))
    viewed(ctx, "patient", row.id, page="compare")
    return render(request, "compare.html", ctx, patient=row, plans=[sv.plan_dict(p) for p in plans],
                  figure=f"/patients/{row.id}/outcome.png?compare=true" if fig else None)


def _png(plans: list, row: PatientRow, ctx: Ctx) -> Response:
    """The outcome figure of ``plans`` with the patient's observed scores; 404 if there is nothing to draw."""
    png = outcome_png([(p.name, p.result["prediction"]) for p in plans], sv.observed_scores(ctx.db, row))
    if png is None:
        raise sv.NotFound("figure")
    return Response(png, media_type="image/png")


@pages.get("/plans/{plan_id}/outcome.png")
def plan_png(plan_id: int, ctx: Ctx = Depends(require("patient.read"))) -> Response:
    plan, row = sv.get_plan(ctx.db, ctx.user, plan_id)
    out = _png([plan], row, ctx)
    viewed(ctx, "plan", plan.id, patient_id=row.id, figure="outcome")
    return out


@pages.get("/patients/{patient_id}/outcome.png")
def patient_png(patient_id: int, compare: bool = False, ctx: Ctx = Depends(require("patient.read"))) -> Response:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    plans = sv.plans_of(ctx.db, row)
    out = _png(plans if compare else plans[-1:], row, ctx)
    viewed(ctx, "patient", row.id, figure="compare" if compare else "outcome")
    return out


@api.get("/patients/{patient_id}/plans", response_model=list[PlanOut])
def list_plans(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    out = [sv.plan_dict(p) for p in sv.plans_of(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id))]
    viewed(ctx, "patient", patient_id, api="plans")
    return out


@api.post("/patients/{patient_id}/plans", status_code=201, response_model=PlanOut)
def create_plan(patient_id: int, body: PlanIn, ctx: Ctx = Depends(require("plan.write"))):
    plan = sv.make_plan(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return sv.plan_dict(plan)


@api.get("/plans/{plan_id}", response_model=PlanOut)
def get_plan(plan_id: int, ctx: Ctx = Depends(require("patient.read"))):
    plan, row = sv.get_plan(ctx.db, ctx.user, plan_id)
    viewed(ctx, "plan", plan.id, patient_id=row.id, api="plan")
    return sv.plan_dict(plan)
