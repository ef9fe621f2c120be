"""Helpers of the server-rendered pages (Jinja2, plain forms): rendering a template for the logged-in user,
reading form fields, redirects after a successful post."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from microneedling.planner.deps import Ctx
from microneedling.planner.security import allowed


def render(request: Request, template: str, ctx: Ctx | None = None, status: int = 200, **kw) -> HTMLResponse:
    env = request.app.state.templates
    kw.update(request=request, user=ctx.user if ctx else None, csrf=ctx.login.csrf_token if ctx else "",
              can=(lambda p: allowed(ctx.user, p)) if ctx else (lambda p: False))
    return env.TemplateResponse(request, template, kw, status_code=status)


def blank(v: str | None) -> str | None:
    """The stripped field, or None if it is missing or empty."""
    return None if v is None or v.strip() == "" else v.strip()


def checked(form: dict[str, str], key: str) -> bool:
    """A checkbox field."""
    return form.get(key) in ("on", "true", "1")


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
