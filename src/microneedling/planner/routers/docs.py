"""The JSON API's own documentation (OpenAPI document and Swagger UI), for logged-in users only."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from microneedling.planner.deps import Ctx, require

api = APIRouter(prefix="/api", include_in_schema=False)


@api.get("/openapi.json")
def openapi(request: Request, ctx: Ctx = Depends(require("patient.read"))) -> dict:
    return request.app.openapi()


@api.get("/docs")
def docs(ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/api/openapi.json", title="microneedling planner API")
