"""JSON API end to end on SQLite: patient, candidacy with override, per-zone plan, schedule, record,
follow-up, audit log; bad input gets 422 with field messages and stores nothing."""

import pytest
from planner_support import PATIENT, record_body, sign_consent

from microneedling.planner import models
from microneedling.planner.services import count


def rows(planner, model):
    with planner["app"].state.sessions() as db:
        return count(db, model)


@pytest.fixture(scope="module")
def flow(planner):
    dra = planner["clients"]["dra"]
    r = dra.post("/api/patients", json=PATIENT)
    assert r.status_code == 201, r.text
    return {"pid": r.json()["id"], "dra": dra}


def test_patient_is_stored_with_scars_by_zone(flow):
    r = flow["dra"].get(f"/api/patients/{flow['pid']}")
    assert r.status_code == 200
    body = r.json()
    assert body["label"] == "P-001" and [z["zone"] for z in body["zones"]] == ["cheek", "periorbital"]
    assert body["zones"][0]["scars"][0]["count"] == 12


def test_plan_gives_periorbital_needle_no_longer_than_cheek(flow):
    r = flow["dra"].post(f"/api/patients/{flow['pid']}/plans", json={"name": "A", "device": "pen"})
    assert r.status_code == 201, r.text
    zones = {z["zone"]: z for z in r.json()["zone_plan"]["zones"]}
    assert zones["periorbital"]["needle_length_mm"] <= zones["cheek"]["needle_length_mm"] <= 1.5
    assert r.json()["zone_plan"]["sessions"] == 3 and r.json()["zone_plan"]["interval_weeks"] == 4.0
    assert r.json()["references"], "a plan ends with the references its numbers came from"
    assert "available" in r.json()["prediction"]
    assert flow["dra"].get(f"/api/plans/{r.json()['id']}").json()["name"] == "A"


def test_schedule_course_record_and_follow_up(flow, planner):
    dra, pid = flow["dra"], flow["pid"]
    r = dra.post(f"/api/patients/{pid}/appointments",
                 json={"starts_at": "2026-01-05T09:00:00", "repeat": 3, "interval_weeks": 4})
    assert r.status_code == 201, r.text
    starts = [a["starts_at"] for a in r.json()]
    assert starts == ["2026-01-05T09:00:00Z", "2026-02-02T09:00:00Z", "2026-03-02T09:00:00Z"]  # clinic zone UTC
    aid = r.json()[0]["id"]
    sign_consent(dra, pid)
    r = dra.post(f"/api/appointments/{aid}/record", json=record_body(adverse_events="erythema"))
    assert r.status_code == 201, r.text
    assert dra.post(f"/api/appointments/{aid}/record", json=record_body()).status_code == 409
    appts = dra.get(f"/api/patients/{pid}/appointments").json()
    assert [a["status"] for a in appts] == ["done", "scheduled", "scheduled"]
    r = dra.post(f"/api/patients/{pid}/followups", json={"week": 12, "gb_score": 10, "gb_grade": 3,
                                                        "photos": [{"view": "front", "file": "p001-w12.jpg"}]})
    assert r.status_code == 201, r.text
    assert dra.get(f"/api/patients/{pid}/followups").json()[0]["photos"][0]["file"] == "p001-w12.jpg"


def test_contraindication_blocks_plan_until_overridden(planner):
    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "K-1", "history": {"keloid_tendency": True}}).json()["id"]
    assert dra.get(f"/api/patients/{pid}/candidacy").json()["status"] == "contraindication"
    n = rows(planner, models.PlanRow)
    r = dra.post(f"/api/patients/{pid}/plans", json={})
    assert r.status_code == 409 and "keloid_tendency" in r.text
    assert rows(planner, models.PlanRow) == n
    r = dra.post(f"/api/patients/{pid}/overrides", json={"rule_id": "pregnancy", "reason": "not raised at all"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "rule_id"
    r = dra.post(f"/api/patients/{pid}/overrides",
                 json={"rule_id": "keloid_tendency", "reason": "atrophic scars only; discussed and consented"})
    assert r.status_code == 201 and r.json()["status"] == "caution"  # overridden findings stay shown
    assert dra.post(f"/api/patients/{pid}/plans", json={}).status_code == 201


BAD = [
    ("/api/patients", {**PATIENT, "age_years": 7}, "age_years"),
    ("/api/patients", {**PATIENT, "fitzpatrick": "VII"}, "fitzpatrick"),
    ("/api/patients", {**PATIENT, "zones": []}, "zones"),
    ("/api/patients", {**PATIENT, "zones": [{"zone": "ear", "scars": PATIENT["zones"][0]["scars"]}]}, "zone"),
    ("/api/patients", {**PATIENT, "zones": [{"zone": "cheek", "scars": [{"type": "boxcar", "count": 0,
                                                                          "depth_mm": 0.4, "width_mm": 2}]}]}, "count"),
    ("/api/patients", {**PATIENT, "history": {"pregnant": "maybe"}}, "pregnant"),
    ("/api/patients", {**PATIENT, "nickname": "x"}, "nickname"),
    ("/api/patients", {**PATIENT, "label": "<script>"}, "label"),
]


@pytest.mark.parametrize("url,body,field", BAD)
def test_bad_patient_input_is_422_with_field_and_stores_nothing(planner, url, body, field):
    before = (rows(planner, models.PatientRow), rows(planner, models.ScarRow), rows(planner, models.AuditRow))
    r = planner["clients"]["dra"].post(url, json=body)
    assert r.status_code == 422
    assert any(field in [str(p) for p in d["loc"]] for d in r.json()["detail"]), r.json()
    assert (rows(planner, models.PatientRow), rows(planner, models.ScarRow), rows(planner, models.AuditRow)) == before


@pytest.mark.parametrize("suffix,body,field", [
    ("plans", {"device": "laser"}, "device"),
    ("plans", {"available_lengths_mm": [4.0]}, "available_lengths_mm"),
    ("plans", {"sessions": 0}, "sessions"),
    ("plans", {"baseline_gb_score": 90}, "baseline_gb_score"),
    ("appointments", {"starts_at": "tomorrow"}, "starts_at"),
    ("appointments", {"starts_at": "2027-01-01T10:00:00", "repeat": 40}, "repeat"),
    ("followups", {"week": -1, "gb_score": 3}, "week"),
    ("followups", {"week": 4, "gb_score": 85}, "gb_score"),
    ("followups", {"week": 4}, "gb_score"),
    ("followups", {"week": 4, "photos": [{"view": "top", "file": "a.jpg"}]}, "view"),
])
def test_bad_plan_schedule_followup_input_stores_nothing(planner, flow, suffix, body, field):
    tables = (models.PlanRow, models.AppointmentRow, models.FollowUpRow, models.AuditRow)
    before = [rows(planner, t) for t in tables]
    r = flow["dra"].post(f"/api/patients/{flow['pid']}/{suffix}", json=body)
    assert r.status_code == 422, r.text
    assert any(field in [str(p) for p in d["loc"]] for d in r.json()["detail"]), r.json()
    assert [rows(planner, t) for t in tables] == before


def test_every_change_is_in_the_audit_log(planner):
    """Makes each kind of change itself (under pytest-xdist the other tests may run in another process)."""
    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "AU-1", "history": {"keloid_tendency": True}}).json()["id"]
    assert dra.post(f"/api/patients/{pid}/overrides", json={"rule_id": "keloid_tendency",
                                                            "reason": "atrophic scars only; consented"}).status_code == 201
    assert dra.post(f"/api/patients/{pid}/plans", json={}).status_code == 201
    aid = dra.post(f"/api/patients/{pid}/appointments", json={"starts_at": "2026-02-02T11:00:00"}).json()[0]["id"]
    sign_consent(dra, pid)
    assert dra.post(f"/api/appointments/{aid}/record", json=record_body()).status_code == 201
    assert dra.post(f"/api/patients/{pid}/followups", json={"week": 4, "gb_score": 9}).status_code == 201
    r = planner["clients"]["admin"].get("/api/audit")
    assert r.status_code == 200
    seen = {(a["action"], a["entity"]) for a in r.json()}
    assert {("create", "patient"), ("create", "plan"), ("create", "appointment"), ("record", "treatment"),
            ("create", "followup"), ("override", "candidacy"), ("login", "user")} <= seen
    users = {a["user_id"] for a in r.json() if a["entity"] == "patient"}
    assert planner["ids"]["dra"] in users


def test_openapi_schema_lists_the_api(planner):
    r = planner["clients"]["dra"].get("/api/openapi.json")
    assert r.status_code == 200 and "/api/patients/{patient_id}/plans" in r.json()["paths"]


def test_update_re_evaluates_candidacy_and_audits_before_and_after(planner):
    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "U-1", "history": {"active_acne_grade": 2}}).json()["id"]
    assert dra.get(f"/api/patients/{pid}/candidacy").json()["status"] == "contraindication"
    r = dra.put(f"/api/patients/{pid}", json={**PATIENT, "label": "U-1", "history": {"active_acne_grade": 0}})
    assert r.status_code == 200 and r.json()["history"]["active_acne_grade"] == 0
    assert dra.get(f"/api/patients/{pid}/candidacy").json()["status"] == "fine"
    bad = dra.put(f"/api/patients/{pid}", json={**PATIENT, "age_years": 5})
    assert bad.status_code == 422 and dra.get(f"/api/patients/{pid}").json()["age_years"] == PATIENT["age_years"]
    entry = next(a for a in planner["clients"]["admin"].get("/api/audit").json()
                 if a["action"] == "update" and a["entity_id"] == pid)
    assert entry["detail"]["before"]["history"]["active_acne_grade"] == 2
    assert entry["detail"]["after"]["history"]["active_acne_grade"] == 0
