"""Consent: the signing page (template text, signature pad, typed name), the signed PDF, the consent form
versions (clinic-editable Markdown); JSON API to sign, list and download consents and to read and add
template versions. The logic is in :mod:`microneedling.planner.consent`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError

from microneedling.errors import InputError
from microneedling.planner import consent
from microneedling.planner import services as sv
from microneedling.planner.consent import ConsentIn, ConsentTemplateIn
from microneedling.planner.deps import Ctx, check_csrf, form_data, require
from microneedling.planner.form_errors import FormErrors, form_errors
from microneedling.planner.scheduling import local_label
from microneedling.planner.web import render, see_other

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["consents"])


class ConsentCreatedOut(BaseModel):
    id: int


class ConsentOut(BaseModel):
    id: int
    patient_id: int
    template_version: int
    template_sha256: str
    typed_name: str
    signed_at: str
    client_address: str
    pdf: str


class ConsentTemplateOut(BaseModel):
    version: int
    title: str
    body_md: str
    sha256: str
    created_at: str


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _consent_out(c) -> ConsentOut:
    return ConsentOut(id=c.id, patient_id=c.patient_id, template_version=c.template_version,
                      template_sha256=c.template_sha256, typed_name=c.typed_name,
                      signed_at=c.signed_at.isoformat() + "Z", client_address=c.client_address,
                      pdf=f"/api/consents/{c.id}/pdf")


def _sign_page(request: Request, ctx: Ctx, patient_id: int, status: int = 200, errors: FormErrors | None = None,
               typed_name: str = "") -> HTMLResponse:
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    tpl = consent.template(ctx.db)
    zone = request.app.state.clinic_zone
    signed = [(c, local_label(c.signed_at, zone)) for c in consent.consents_of(ctx.db, row)]
    ctx.db.commit()  # the built-in template, stored on first use
    return render(request, "consent_sign.html", ctx, status=status, patient=row, form=tpl,
                  body=consent.render_markdown(tpl.body_md), signed=signed, errors=errors or [],
                  typed_name=typed_name)


@pages.get("/patients/{patient_id}/consent")
def sign_page(request: Request, patient_id: int, ctx: Ctx = Depends(require("consent.collect"))) -> HTMLResponse:
    return _sign_page(request, ctx, patient_id)


@pages.post("/patients/{patient_id}/consent")
def sign_submit(request: Request, patient_id: int, form: dict = Depends(form_data),
                ctx: Ctx = Depends(require("consent.collect"))) -> Response:
    check_csrf(ctx, form)
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    try:
        data = ConsentIn.model_validate({"template_version": form.get("template_version"),
                                         "typed_name": form.get("typed_name", ""),
                                         "signature_png_base64": form.get("signature_png_base64", "")})
        c = consent.sign(ctx.db, ctx.user, row, data, _client(request))
    except (ValidationError, InputError) as exc:
        ctx.db.rollback()
        return _sign_page(request, ctx, patient_id, 422, form_errors(exc, "consent", model=ConsentIn),
                          form.get("typed_name", ""))
    ctx.db.commit()
    return see_other(f"/patients/{patient_id}/consent?signed={c.id}")


@pages.get("/consent-templates")
def templates_page(request: Request, version: int | None = None,
                   ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    rows = consent.templates(ctx.db)
    shown = consent.template(ctx.db, version)
    ctx.db.commit()
    return render(request, "consent_templates.html", ctx, versions=rows, shown=shown,
                  body=consent.render_markdown(shown.body_md), errors=[])


@pages.post("/consent-templates")
def template_submit(request: Request, form: dict = Depends(form_data),
                    ctx: Ctx = Depends(require("consent.edit"))) -> Response:
    check_csrf(ctx, form)
    try:
        row = consent.new_version(ctx.db, ctx.user, ConsentTemplateIn.model_validate(
            {"title": form.get("title", ""), "body_md": form.get("body_md", "").replace("\r\n", "\n")}))
    except (ValidationError, InputError) as exc:
        ctx.db.rollback()
        shown = consent.template(ctx.db)
        return render(request, "consent_templates.html", ctx, status=422, versions=consent.templates(ctx.db),
                      shown=shown, body=consent.render_markdown(shown.body_md), values=form,
                      errors=form_errors(exc, "template", model=ConsentTemplateIn))
    ctx.db.commit()
    return see_other(f"/consent-templates?version={row.version}")


@api.post("/patients/{patient_id}/consents", status_code=201, response_model=ConsentCreatedOut)
def sign(request: Request, patient_id: int, body: ConsentIn, ctx: Ctx = Depends(require("consent.collect"))):
    c = consent.sign(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body, _client(request))
    ctx.db.commit()
    return ConsentCreatedOut(id=c.id)


@api.get("/patients/{patient_id}/consents", response_model=list[ConsentOut])
def consents(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    return [_consent_out(c) for c in consent.consents_of(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id))]


@api.get("/consents/{consent_id}/pdf", response_class=Response,
         responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                          "description": "the signed consent as PDF"}})
def consent_pdf(request: Request, consent_id: int, ctx: Ctx = Depends(require("patient.read"))) -> Response:
    c, row = consent.get_consent(ctx.db, ctx.user, consent_id)
    tpl = consent.template(ctx.db, c.template_version)
    settings = request.app.state.settings
    names = sv.usernames(ctx.db)
    body = consent.pdf(c, tpl, row.label, names.get(c.collected_by, "?"),
                       local_label(c.signed_at, request.app.state.clinic_zone), settings.clinic_name)
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="consent-{row.label}-{c.id}.pdf"'})


@api.get("/consent-templates", response_model=list[ConsentTemplateOut])
def templates(ctx: Ctx = Depends(require("patient.read"))):
    rows = consent.templates(ctx.db)
    ctx.db.commit()
    return [ConsentTemplateOut(version=t.version, title=t.title, body_md=t.body_md, sha256=t.sha256,
                               created_at=t.created_at.isoformat() + "Z") for t in rows]


@api.post("/consent-templates", status_code=201, response_model=ConsentTemplateOut)
def add_template(body: ConsentTemplateIn, ctx: Ctx = Depends(require("consent.edit"))):
    t = consent.new_version(ctx.db, ctx.user, body)
    ctx.db.commit()
    return ConsentTemplateOut(version=t.version, title=t.title, body_md=t.body_md, sha256=t.sha256,
                              created_at=t.created_at.isoformat() + "Z")
