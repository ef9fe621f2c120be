"""Logging in and out: the login page and form, and the JSON API's login, logout and current user."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from microneedling.planner.deps import Ctx, check_csrf, current, form_data, get_db, require
from microneedling.planner.login import (
    BadCredentials,
    TooManyAttempts,
    do_login,
    do_logout,
    set_session_cookie,
)
from microneedling.planner.schemas import LoginIn, LoginOut, MeOut, OkOut, UserRef
from microneedling.planner.security import PRE_LOGIN_COOKIE, same_token
from microneedling.planner.web import render, see_other

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["login"])


def _login_form(request: Request, nxt: str, status: int = 200, errors: list[str] | None = None) -> HTMLResponse:
    """The login page with a fresh pre-login CSRF token (in a cookie and the form)."""
    token = secrets.token_urlsafe(24)
    resp = render(request, "login.html", status=status, pre=token, next=nxt, errors=errors or [])
    resp.set_cookie(PRE_LOGIN_COOKIE, token, httponly=True, samesite="strict", max_age=3600, path="/login")
    return resp


@pages.get("/login")
def login_page(request: Request, next: str = "/patients") -> HTMLResponse:
    return _login_form(request, next if next.startswith("/") else "/patients")


@pages.post("/login")
def login_submit(request: Request, form: dict = Depends(form_data), db=Depends(get_db)) -> Response:
    nxt = form.get("next") or "/patients"
    nxt = nxt if nxt.startswith("/") and not nxt.startswith("//") else "/patients"
    if not same_token(form.get("csrf_token"), request.cookies.get(PRE_LOGIN_COOKIE)):
        return render(request, "login.html", status=403, pre="", next=nxt,
                      errors=["the login form expired; reload the page"])
    try:
        _, token, _ = do_login(request, db, form.get("username", ""), form.get("password", ""))
    except (BadCredentials, TooManyAttempts) as exc:
        return _login_form(request, nxt, exc.status_code, [exc.detail])
    resp = see_other(nxt)
    set_session_cookie(request, resp, token)
    resp.delete_cookie(PRE_LOGIN_COOKIE, path="/login")
    return resp


@pages.post("/logout")
def logout(request: Request, form: dict = Depends(form_data), ctx: Ctx = Depends(require("patient.read"))):
    check_csrf(ctx, form)
    resp = see_other("/login")
    do_logout(request, ctx.db, resp)
    return resp


@api.post("/login", summary="Log in; sets the session cookie and returns the CSRF token")
def api_login(body: LoginIn, request: Request, response: Response, db=Depends(get_db)) -> LoginOut:
    user, token, csrf = do_login(request, db, body.username, body.password)
    set_session_cookie(request, response, token)
    return LoginOut(user=UserRef.model_validate(user), csrf_token=csrf)


@api.post("/logout")
def api_logout(request: Request, response: Response, ctx: Ctx = Depends(require("patient.read"))) -> OkOut:
    do_logout(request, ctx.db, response)
    return OkOut(ok=True)


@api.get("/me")
def me(ctx: Ctx = Depends(current)) -> MeOut:
    return MeOut(id=ctx.user.id, username=ctx.user.username, role=ctx.user.role, csrf_token=ctx.login.csrf_token)
