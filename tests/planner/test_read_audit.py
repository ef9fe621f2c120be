"""Reads of patient records are audited (action "view"): the patient page and API, the plan page, its print
and the plan API, the plans and follow-ups of a patient, the comparison page, appointments (API list and detail,
calendar page, iCalendar exports) and the outcome figures; a refused read is not."""

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


def test_reads_of_appointments_and_figures_write_view_entries(planner):
    """Appointments (API list and detail, the calendar page, both iCalendar exports) and the outcome figures of
    a plan and of a patient (latest plan, comparison) are views too; a refused read writes nothing."""
    dra, drb = planner["clients"]["dra"], planner["clients"]["drb"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "V-2"}).json()["id"]
    plan_id = dra.post(f"/api/patients/{pid}/plans", json={"name": "Figure", "baseline_gb_score": 12}).json()["id"]
    appts = dra.post(f"/api/patients/{pid}/appointments",
                     json={"starts_at": "2031-05-06T09:00", "repeat": 2, "interval_weeks": 4}).json()
    aid = appts[0]["id"]
    start = _last_id(planner)
    reads = [(f"/api/patients/{pid}/appointments", ("patient", pid), {"api": "appointments"}),
             (f"/api/appointments/{aid}", ("appointment", aid), {"patient_id": pid, "api": "appointment"}),
             (f"/patients/{pid}/calendar.ics", ("patient", pid), {"export": "ics"}),
             (f"/plans/{plan_id}/outcome.png", ("plan", plan_id), {"patient_id": pid, "figure": "outcome"}),
             (f"/patients/{pid}/outcome.png", ("patient", pid), {"figure": "outcome"}),
             (f"/patients/{pid}/outcome.png?compare=true", ("patient", pid), {"figure": "compare"})]
    for url, _, _ in reads:
        assert dra.get(url).status_code == 200, url
    views = _views(planner, start)
    assert [((e, i), d) for _, e, i, d in views] == [(want, detail) for _, want, detail in reads]
    start = _last_id(planner)
    for url in ("/api/appointments", "/calendar.ics", "/calendar?month=2031-05"):
        assert dra.get(url).status_code == 200, url
    many = _views(planner, start)
    assert [(e, i) for _, e, i, _ in many] == [("appointment", None)] * 3
    assert {d.get("api") or d.get("export") or d.get("page") for *_, d in many} == {"appointments", "ics",
                                                                                    "calendar"}
    for *_, d in many:
        assert pid in d["patient_ids"] and d["count"] >= 2
    start = _last_id(planner)
    for url in (f"/api/appointments/{aid}", f"/api/patients/{pid}/appointments", f"/plans/{plan_id}/outcome.png",
                f"/patients/{pid}/outcome.png", f"/patients/{pid}/calendar.ics"):
        assert drb.get(url).status_code == 404, url  # another provider's patient: nothing was read
    assert _views(planner, start) == []
    assert all(a["patient_id"] != pid for a in drb.get("/api/appointments").json())
    assert pid not in _views(planner, start)[-1][3]["patient_ids"]  # drb's list names drb's patients only
