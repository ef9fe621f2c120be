"""Administration: user accounts and the audit log, as pages and by JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from microneedling.errors import InputError
from microneedling.planner import services as sv
from microneedling.planner.deps import Ctx, check_csrf, form_data, require
from microneedling.planner.form_errors import form_errors
from microneedling.planner.schemas import AuditOut, UserCreatedOut, UserIn, UserOut
from microneedling.planner.web import blank, render, see_other

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["users"])


@pages.get("/admin/users")
def users_page(request: Request, ctx: Ctx = Depends(require("users.manage"))) -> HTMLResponse:
    return render(request, "users.html", ctx, users=sv.list_users(ctx.db), errors=[], values={})


@pages.post("/admin/users")
def users_create(request: Request, form: dict = Depends(form_data),
                 ctx: Ctx = Depends(require("users.manage"))) -> Response:
    check_csrf(ctx, form)
    try:
        sv.create_user(ctx.db, UserIn.model_validate({
            "username": form.get("username", ""), "password": form.get("password", ""), "role": form.get("role"),
            "provider_id": blank(form.get("provider_id"))}), request.app.state.hasher, ctx.user)
    except (ValidationError, InputError) as exc:
        ctx.db.rollback()
        return render(request, "users.html", ctx, status=422, users=sv.list_users(ctx.db), values=form,
                      errors=form_errors(exc, "user", model=UserIn))
    ctx.db.commit()
    return see_other("/admin/users")


@pages.get("/admin/audit")
def audit_page(request: Request, ctx: Ctx = Depends(require("audit.read"))) -> HTMLResponse:
    return render(request, "audit.html", ctx, rows=sv.audit_rows(ctx.db, 500), names=sv.usernames(ctx.db))


@api.get("/users", response_model=list[UserOut])
def list_users(ctx: Ctx = Depends(require("users.manage"))):
    return sv.list_users(ctx.db)


@api.post("/users", status_code=201, response_model=UserCreatedOut)
def create_user(body: UserIn, request: Request, ctx: Ctx = Depends(require("users.manage"))):
    u = sv.create_user(ctx.db, body, request.app.state.hasher, ctx.user)
    ctx.db.commit()
    return u


@api.get("/audit", response_model=list[AuditOut])
def audit(ctx: Ctx = Depends(require("audit.read"))):
    return sv.audit_rows(ctx.db)
