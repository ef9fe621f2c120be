"""The user's own account (the password-change page and API) and the administrator's activation and
deactivation of users (from the users page and by API)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from microneedling.errors import InputError
from microneedling.planner import accounts
from microneedling.planner.bounds import PathId
from microneedling.planner.deps import Ctx, check_csrf, form_data, require
from microneedling.planner.form_errors import form_errors
from microneedling.planner.schemas import OkOut, PasswordChangeIn, UserOut
from microneedling.planner.web import render, see_other

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["users"])


@pages.get("/account")
def account_page(request: Request, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    return render(request, "account.html", ctx, changed=request.query_params.get("changed") == "1")


@pages.post("/account/password")
def password_submit(request: Request, form: dict = Depends(form_data),
                    ctx: Ctx = Depends(require("patient.read"))) -> Response:
    check_csrf(ctx, form)
    try:
        accounts.change_password(ctx.db, ctx.user, ctx.login, PasswordChangeIn.model_validate({
            "current_password": form.get("current_password", ""), "new_password": form.get("new_password", "")}),
            request.app.state.hasher)
    except (ValidationError, InputError) as exc:
        ctx.db.rollback()
        return render(request, "account.html", ctx, status=422, changed=False,
                      errors=form_errors(exc, "password", model=PasswordChangeIn))
    ctx.db.commit()
    return see_other("/account?changed=1")


@pages.post("/admin/users/{user_id}/active")
def active_submit(request: Request, user_id: PathId, form: dict = Depends(form_data),
                  ctx: Ctx = Depends(require("users.manage"))) -> Response:
    check_csrf(ctx, form)
    accounts.set_active(ctx.db, ctx.user, user_id, form.get("active") == "yes")
    ctx.db.commit()
    return see_other("/admin/users")


@api.post("/me/password", summary="Change your password (the current one is required); your other sessions end")
def change_password(body: PasswordChangeIn, request: Request, ctx: Ctx = Depends(require("patient.read"))) -> OkOut:
    accounts.change_password(ctx.db, ctx.user, ctx.login, body, request.app.state.hasher)
    ctx.db.commit()
    return OkOut(ok=True)


@api.post("/users/{user_id}/deactivate", response_model=UserOut,
          summary="Deactivate a user: they can no longer log in and their sessions end")
def deactivate(user_id: PathId, ctx: Ctx = Depends(require("users.manage"))):
    user = accounts.set_active(ctx.db, ctx.user, user_id, False)
    ctx.db.commit()
    return user


@api.post("/users/{user_id}/activate", response_model=UserOut, summary="Reactivate a deactivated user")
def activate(user_id: PathId, ctx: Ctx = Depends(require("users.manage"))):
    user = accounts.set_active(ctx.db, ctx.user, user_id, True)
    ctx.db.commit()
    return user
