"""Treatment records a clinic can defend: per-zone needle length and passes, cartridge lot and expiry,
anaesthetic, endpoint; a needle longer than the plan or the zone cap needs a reason (422 naming zone,
length, plan length and cap), an expired lot and a future session are refused, lot recall lists who was
treated with a lot (own patients; admin all), and each session has a printable aftercare sheet."""

import pytest
from planner_support import PATIENT, message_beside, record_body, sign_consent

from microneedling.clinic.aftercare import default_aftercare
from microneedling.clinic.zone_plan import zone_caps
from microneedling.patient import Zone


@pytest.fixture(scope="module")
def world(planner):
    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "TR-1"}).json()["id"]
    plan = dra.post(f"/api/patients/{pid}/plans", json={"name": "TR plan", "device": "pen"})
    assert plan.status_code == 201, plan.text
    planned = {z["zone"]: z["needle_length_mm"] for z in plan.json()["zone_plan"]["zones"]}
    sign_consent(dra, pid)
    appts = dra.post(f"/api/patients/{pid}/appointments", json={
        "starts_at": "2026-01-07T10:00:00", "repeat": 4, "interval_weeks": 4, "plan_id": plan.json()["id"]}).json()
    return {"pid": pid, "planned": planned, "appts": [a["id"] for a in appts]}


def test_a_needle_deeper_than_the_plan_needs_a_reason(planner, world):
    dra = planner["clients"]["dra"]
    cheek = world["planned"]["cheek"]
    deeper = round(cheek + 0.25, 2)
    cap = zone_caps()[Zone.cheek]
    aid = world["appts"][0]
    r = dra.post(f"/api/appointments/{aid}/record", json=record_body({"cheek": deeper}))
    assert r.status_code == 422
    msg = r.json()["detail"][0]["msg"]
    assert msg.startswith(f"cheek: {deeper:g} mm is deeper than the") and f"plan {cheek:g} mm" in msg
    assert f"cap {cap:g} mm" in msg and "reason" in msg
    assert dra.get(f"/api/patients/{world['pid']}/appointments").json()[0]["status"] == "scheduled"
    body = record_body({"cheek": deeper})
    body["zones"][0]["over_depth_reason"] = "deep boxcar floors on palpation"
    r = dra.post(f"/api/appointments/{aid}/record", json=body)
    assert r.status_code == 201, r.text
    zone = r.json()["zones"][0]
    assert zone["plan_depth_mm"] == cheek and zone["cap_mm"] == cap and zone["over_depth_reason"]
    assert r.json()["cartridge_lot"] == "LOT-A1" and r.json()["anaesthetic_minutes"] == 30


def test_a_needle_above_the_zone_cap_needs_a_reason_even_within_the_plan(planner, world):
    dra = planner["clients"]["dra"]
    aid = world["appts"][1]
    r = dra.post(f"/api/appointments/{aid}/record", json=record_body({"periorbital": 1.0}))
    assert r.status_code == 422 and "periorbital: 1 mm" in r.text and "cap 0.75 mm" in r.text
    r = dra.post(f"/api/appointments/{aid}/record", json=record_body(
        {"cheek": world["planned"]["cheek"], "periorbital": world["planned"]["periorbital"]}))
    assert r.status_code == 201 and [z["zone"] for z in r.json()["zones"]] == ["cheek", "periorbital"]
    assert r.json()["needle_length_mm"] == max(world["planned"]["cheek"], world["planned"]["periorbital"])


def test_an_expired_lot_is_refused_and_a_lot_valid_on_the_day_is_accepted(planner, world):
    dra = planner["clients"]["dra"]
    aid = world["appts"][2]  # 2026-03-04
    within_plan = {"cheek": world["planned"]["cheek"]}
    r = dra.post(f"/api/appointments/{aid}/record", json=record_body(within_plan, cartridge_expiry="2026-03-03"))
    assert r.status_code == 422 and "expired on 2026-03-03, before the session on 2026-03-04" in r.text
    r = dra.post(f"/api/appointments/{aid}/record", json=record_body(within_plan, cartridge_expiry="2026-03-04",
                                                                     cartridge_lot="rec-77"))
    assert r.status_code == 201 and r.json()["cartridge_lot"] == "REC-77"


def test_a_future_session_cannot_be_recorded(planner, world):
    dra = planner["clients"]["dra"]
    aid = dra.post(f"/api/patients/{world['pid']}/appointments", json={"starts_at": "2099-01-05T10:00:00"}).json()
    r = dra.post(f"/api/appointments/{aid[0]['id']}/record", json=record_body({"cheek": world["planned"]["cheek"]}))
    assert r.status_code == 409 and "in the future" in r.json()["detail"]


@pytest.mark.parametrize("change,field", [
    ({"zones": []}, "zones"),
    ({"zones": [{"zone": "cheek", "needle_length_mm": 1.0, "passes": 2}] * 2}, "zones"),
    ({"cartridge_lot": ""}, "cartridge_lot"),
    ({"cartridge_lot": "lot 1; drop"}, "cartridge_lot"),
    ({"endpoint": "bleeding a lot"}, "endpoint"),
    ({"anaesthetic": {"product": "lidocaine", "concentration_pct": 0, "minutes": 30}}, "concentration_pct"),
    ({"zones": [{"zone": "cheek", "needle_length_mm": 1.0, "passes": 0}]}, "passes"),
])
def test_bad_records_are_422(planner, world, change, field):
    r = planner["clients"]["dra"].post(f"/api/appointments/{world['appts'][3]}/record", json=record_body(**change))
    assert r.status_code == 422 and field in r.text


def test_lot_recall_lists_own_patients_and_all_for_admin(planner, world):
    dra, drb, admin = planner["clients"]["dra"], planner["clients"]["drb"], planner["clients"]["admin"]
    other = drb.post("/api/patients", json={**PATIENT, "label": "TR-B"}).json()["id"]
    sign_consent(drb, other)
    aid = drb.post(f"/api/patients/{other}/appointments", json={"starts_at": "2026-05-04T10:00:00"}).json()[0]["id"]
    assert drb.post(f"/api/appointments/{aid}/record", json=record_body(cartridge_lot="REC-77")).status_code == 201
    mine = dra.get("/api/recall", params={"lot": "rec-77"}).json()
    assert [(u["patient_label"], u["starts_at"], u["zones"]) for u in mine] == [
        ("TR-1", "2026-03-04T10:00:00Z", ["cheek"])]
    assert [u["patient_label"] for u in drb.get("/api/recall", params={"lot": "REC-77"}).json()] == ["TR-B"]
    assert [u["patient_label"] for u in admin.get("/api/recall", params={"lot": "REC-77"}).json()] == ["TR-1", "TR-B"]
    assert dra.get("/api/recall", params={"lot": "NOPE"}).json() == []
    page = dra.get("/recall", params={"lot": "rec-77"}).text
    assert "TR-1" in page and "TR-B" not in page and "2026-03-04 10:00 UTC" in page


def test_aftercare_sheet_uses_the_packaged_advice_with_sources(planner, world):
    dra = planner["clients"]["dra"]
    page = dra.get(f"/appointments/{world['appts'][0]}/aftercare")
    assert page.status_code == 200 and 'href="/static/print.css"' in page.text
    care = default_aftercare()
    for item in care.expected_effects + care.aftercare:
        assert item.text.replace("'", "&#39;") in page.text
    assert "Farber" in page.text and "Chu" in page.text and "general advice" in page.text
    assert "cheek" in page.text  # the zones of the recorded session
    assert planner["clients"]["drb"].get(f"/appointments/{world['appts'][0]}/aftercare").status_code == 404


def test_record_form_page_offers_note_templates_and_refuses_over_depth_with_its_message(planner, world):
    dra = planner["clients"]["dra"]
    aid = world["appts"][3]
    page = dra.get(f"/appointments/{aid}/record").text
    assert 'src="/static/record.js"' in page and "Routine session" in page and 'name="cheek_needle_length_mm"' in page
    names = [t["name"] for t in dra.get("/api/treatment-note-templates").json()]
    assert "Routine session" in names and len(names) >= 3
    form = {"device": "pen", "cheek_needle_length_mm": "1.5", "cheek_passes": "3", "periorbital_needle_length_mm": "",
            "cartridge_lot": "F-9", "cartridge_expiry": "2030-01-01", "endpoint": "pinpoint bleeding"}
    planned = world["planned"]["cheek"]
    bad = dra.form(f"/appointments/{aid}/record", {**form, "cheek_passes": "0", "anaesthetic_product": "EMLA",
                                                   "anaesthetic_concentration_pct": "5", "anaesthetic_minutes": "x"})
    assert bad.status_code == 422
    assert message_beside(bad.text, "cheek_passes") == "Passes must be a whole number from 1 to 20"
    assert message_beside(bad.text, "anaesthetic_minutes") == (
        "Anaesthetic time on the skin must be a whole number from 0 to 180 minutes")
    assert message_beside(bad.text, "cartridge_lot") is None
    none = dra.form(f"/appointments/{aid}/record", {**form, "cheek_needle_length_mm": ""})
    assert none.status_code == 422 and "Zones treated: fill in at least one row" in none.text
    r = dra.form(f"/appointments/{aid}/record", form)
    if planned < 1.5:
        assert r.status_code == 422
        assert message_beside(r.text, "cheek_over_depth_reason").startswith("Cheek: 1.5 mm is deeper than the plan")
        assert 'value="1.5"' in r.text  # the posted form is kept
        r = dra.form(f"/appointments/{aid}/record", {**form, "cheek_over_depth_reason": "thick skin"})
    assert r.status_code == 303
    assert "lot F-9" in dra.get(f"/patients/{world['pid']}").text


def test_the_patient_page_reads_all_recorded_sessions_in_a_fixed_number_of_queries(planner):
    """Each recorded session lists its zones: they are read with the sessions (one query for all), not one
    query per session."""
    from sqlalchemy import event

    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "TR-queries"}).json()["id"]
    assert dra.post(f"/api/patients/{pid}/plans", json={"name": "Q plan", "device": "pen"}).status_code == 201
    sign_consent(dra, pid)
    appts = [a["id"] for a in dra.post(f"/api/patients/{pid}/appointments", json={
        "starts_at": "2025-06-03T15:00:00", "repeat": 3, "interval_weeks": 4}).json()]
    statements: list[str] = []
    engine = planner["app"].state.engine

    def count(*_args) -> None:
        statements.append("sql")

    def page_queries() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert dra.get(f"/patients/{pid}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    assert dra.post(f"/api/appointments/{appts[0]}/record", json=record_body()).status_code == 201
    one = page_queries()
    for aid in appts[1:]:
        assert dra.post(f"/api/appointments/{aid}/record", json=record_body({"cheek": 1.0, "forehead": 0.5})
                        ).status_code == 201
    assert page_queries() == one
