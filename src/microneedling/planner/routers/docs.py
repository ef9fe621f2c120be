"""The JSON API's own documentation (OpenAPI document and Swagger UI), for logged-in users only. Swagger UI
is served by the app itself (``static/swagger``, see its SOURCE.txt): no CDN, so it works offline and under
the same Content-Security-Policy as every page (its start-up script is a static file)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from microneedling.planner.deps import Ctx, require
from microneedling.planner.web import render

api = APIRouter(prefix="/api", include_in_schema=False)


@api.get("/openapi.json")
def openapi(request: Request, ctx: Ctx = Depends(require("patient.read"))) -> dict:
    return request.app.openapi()


@api.get("/docs")
def docs(request: Request, ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    return render(request, "api_docs.html", ctx)
