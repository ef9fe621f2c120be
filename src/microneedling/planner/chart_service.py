"""Face charts in the database: saving a visit's chart (score from the one score model; the patient's scar
groups replaced by the chart's, so plans and predictions use the latest chart) and the chart history. Each
save is audited in the same transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from microneedling.errors import InputError
from microneedling.planner import face_chart
from microneedling.planner.models import ChartRow, PatientRow, ScarRow, User, list_order
from microneedling.planner.services import audit


def save_chart(db: Session, user: User, row: PatientRow, data: face_chart.ChartIn) -> ChartRow:
    """Store the chart of a visit and make its atrophic groups the patient's scar list. A chart needs at least
    one atrophic marker (the plan and the prediction are made for atrophic scars)."""
    markers = [face_chart.resolved(m) for m in data.markers]
    groups = face_chart.scar_groups(markers)
    if not groups:
        raise InputError("markers", len(markers), "place at least one atrophic marker (icepick, boxcar or rolling): "
                                                  "plans and predictions are made for atrophic scars")
    gb_quantitative, gb_grade = face_chart.score(markers)
    before = [{"zone": s.zone, "type": s.type, "count": s.count, "depth_mm": s.depth_mm, "width_mm": s.width_mm}
              for s in row.scars]
    chart = ChartRow(patient_id=row.id, visit_date=data.visit_date or date.today(), markers=markers,
                     gb_quantitative=gb_quantitative, gb_grade=gb_grade, created_by=user.id)
    row.scars.clear()
    for g in groups:
        row.scars.append(ScarRow(zone=g.zone, type=g.type, count=g.count, depth_mm=g.depth_mm, width_mm=g.width_mm))
    db.add(chart)
    db.flush()
    audit(db, user, "create", "chart", chart.id, patient_id=row.id, visit_date=chart.visit_date.isoformat(),
          counts=face_chart.counts(markers), gb_quantitative=gb_quantitative, gb_grade=gb_grade,
          scars_before=before)
    return chart


def charts_of(db: Session, row: PatientRow) -> list[ChartRow]:
    """The patient's charts, oldest visit first."""
    return list(db.scalars(select(ChartRow).where(ChartRow.patient_id == row.id)
                           .order_by(*list_order(ChartRow))))


def chart_dict(chart: ChartRow) -> dict:
    return {"chart_id": chart.id, "visit_date": chart.visit_date, "gb_quantitative": chart.gb_quantitative,
            "gb_grade": chart.gb_grade, "counts": face_chart.counts(chart.markers), "markers": chart.markers}
