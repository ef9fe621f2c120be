"""Reads of patient records are audited (action "view"): the patient page and API, the plan page, its print
and the plan API, the plans and follow-ups of a patient, the comparison page; a refused read is not."""

from __future__ import annotations

from planner_support import PATIENT

from microneedling.planner import models


def _views(planner, since: int) -> list[tuple[int, str, int, dict]]:
    with planner["app"].state.sessions() as db:
        rows = db.query(models.AuditRow).filter(models.AuditRow.id > since, models.AuditRow.action == "view")
        return [(r.user_id, r.entity, r.entity_id, r.detail) for r in rows.order_by(models.AuditRow.id)]


def _last_id(planner) -> int:
    with planner["app"].state.sessions() as db:
        return max([r.id for r in db.query(models.AuditRow)] or [0])


def test_each_read_of_a_record_writes_a_view_entry(planner):
    dra, drb = planner["clients"]["dra"], planner["clients"]["drb"]
    uid = planner["ids"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "V-1"}).json()["id"]
    plan_id = dra.post(f"/api/patients/{pid}/plans", json={"name": "Views", "baseline_gb_score": 12}).json()["id"]
    start = _last_id(planner)
    reads = [(f"/patients/{pid}", ("patient", pid)), (f"/api/patients/{pid}", ("patient", pid)),
             (f"/plans/{plan_id}", ("plan", plan_id)), (f"/plans/{plan_id}/print", ("plan", plan_id)),
             (f"/api/plans/{plan_id}", ("plan", plan_id)), (f"/api/patients/{pid}/plans", ("patient", pid)),
             (f"/api/patients/{pid}/followups", ("patient", pid)), (f"/patients/{pid}/compare", ("patient", pid))]
    for url, _ in reads:
        assert dra.get(url).status_code == 200, url
    views = _views(planner, start)
    assert [(e, i) for _, e, i, _ in views] == [want for _, want in reads]
    assert all(u == uid for u, *_ in views)
    assert views[-1][3] == {"page": "compare"}
    start = _last_id(planner)
    assert drb.get(f"/api/patients/{pid}").status_code == 404  # not drb's patient: nothing was read
    assert _views(planner, start) == []
