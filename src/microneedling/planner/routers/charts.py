"""Face charts: a visit's scar markers saved from the patient page's face drawing (by JSON API; the page's
script, ``static/chart.js``, calls it), the chart history, and the Goodman & Baron score of each chart."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from microneedling.planner import chart_service
from microneedling.planner import services as sv
from microneedling.planner.deps import Ctx, require
from microneedling.planner.face_chart import ChartIn, ChartOut

api = APIRouter(prefix="/api", tags=["charts"])


@api.put("/patients/{patient_id}/chart", response_model=ChartOut)
def save_chart(patient_id: int, body: ChartIn, ctx: Ctx = Depends(require("followup.write"))):
    """Save a visit's chart; the patient's scar groups become the chart's (plans and predictions use them)."""
    chart = chart_service.save_chart(ctx.db, ctx.user, sv.get_patient(ctx.db, ctx.user, patient_id), body)
    ctx.db.commit()
    return chart_service.chart_dict(chart)


@api.get("/patients/{patient_id}/charts", response_model=list[ChartOut])
def charts(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    """The patient's charts, oldest visit first."""
    return [chart_service.chart_dict(c) for c in chart_service.charts_of(ctx.db, sv.get_patient(ctx.db, ctx.user,
                                                                                                 patient_id))]
