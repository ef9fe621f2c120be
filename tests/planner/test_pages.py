"""Server-rendered pages: patient form (422 with field messages, nothing stored), candidacy shown with
reasons and sources, plan, printable plan, comparison, calendar and iCalendar export (RFC 5545 framing:
CRLF, lines of at most 75 octets, one VEVENT per appointment)."""

import re

import pytest
from planner_support import FORM_PATIENT, sign_consent

from microneedling.planner import ics, models
from microneedling.planner.services import count


def n(planner, model):
    with planner["app"].state.sessions() as db:
        return count(db, model)


@pytest.fixture(scope="module")
def patient_id(planner):
    r = planner["clients"]["dra"].form("/patients", {**FORM_PATIENT, "label": "W-7", "herpes_labialis": "on",
                                                     "scar1_zone": "periorbital", "scar1_type": "rolling",
                                                     "scar1_count": "2", "scar1_depth_mm": "0.2",
                                                     "scar1_width_mm": "4"})
    assert r.status_code == 303
    return int(r.headers["location"].rsplit("/", 1)[-1])


@pytest.mark.parametrize("change,message", [
    ({"age_years": "7"}, "Age (years): must be at least"),
    ({"age_years": ""}, "Age (years): enter a number"),
    ({"scar0_count": "0"}, "Scar count: must be at least 1"),
    ({"scar0_count": "2.5"}, "Scar count: enter a whole number"),
    ({"scar0_depth_mm": "9"}, "Scar depth (mm): must be at most"),
    ({"scar0_zone": ""}, "Scars: required"),
    ({"fitzpatrick": "VII"}, "Fitzpatrick skin type: choose one of"),
    ({"isotretinoin_months_ago": "-3"}, "Isotretinoin stopped (months ago): must be at least 0"),
])
def test_bad_patient_form_is_422_with_messages_and_stores_nothing(planner, change, message):
    before = (n(planner, models.PatientRow), n(planner, models.AuditRow))
    r = planner["clients"]["dra"].form("/patients", {**FORM_PATIENT, **change})
    assert r.status_code == 422 and message in r.text and 'role="alert"' in r.text
    assert (n(planner, models.PatientRow), n(planner, models.AuditRow)) == before


def test_patient_page_shows_candidacy_with_reasons_and_sources(planner, patient_id):
    page = planner["clients"]["dra"].get(f"/patients/{patient_id}").text
    assert "herpes_labialis" in page and "Minutilli2024" in page and "darker_phototype" in page
    assert "antiviral" in page


def test_override_by_form_is_recorded(planner, patient_id):
    dra = planner["clients"]["dra"]
    r = dra.form(f"/patients/{patient_id}/overrides", {"rule_id": "herpes_labialis", "reason": "too short"[:5]})
    assert r.status_code == 422
    r = dra.form(f"/patients/{patient_id}/overrides",
                 {"rule_id": "herpes_labialis", "reason": "valaciclovir prophylaxis prescribed"})
    assert r.status_code == 303
    assert "overridden by dra: valaciclovir" in dra.get(f"/patients/{patient_id}").text


def test_plan_print_compare_and_schedule_by_form(planner, patient_id):
    dra = planner["clients"]["dra"]
    for name, device in (("Pen course", "pen"), ("Roller course", "roller")):
        r = dra.form(f"/patients/{patient_id}/plans", {"name": name, "device": device, "require_bleeding": "on",
                                                       "available_lengths_mm": "0.5, 1.0, 1.5, 2.0"})
        assert r.status_code == 303, r.text[:500]
    plan_id = int(r.headers["location"].rsplit("/", 1)[-1])
    assert 'name="cap_periorbital" type="number" step="any" value="0.75"' in dra.get(
        f"/patients/{patient_id}/plans/new").text
    r = dra.form(f"/patients/{patient_id}/plans", {"name": "Edited cap", "cap_cheek": "2", "require_bleeding": "on"})
    assert r.status_code == 303
    edited = dra.get(f"/api/plans/{r.headers['location'].rsplit('/', 1)[-1]}").json()
    cheek = next(z for z in edited["zone_plan"]["zones"] if z["zone"] == "cheek")
    assert cheek["cap_mm"] == 2.0 and cheek["cap_source"] == "edited by provider"
    page = dra.get(f"/plans/{plan_id}").text
    assert "Per-zone plan" in page and "periorbital" in page and "References" in page
    printable = dra.get(f"/plans/{plan_id}/print").text
    assert "Roller course" in printable and "Harris" in printable
    assert 'href="/static/print.css"' in printable and "@media print" in dra.get("/static/print.css").text
    assert "Pen course" in dra.get(f"/patients/{patient_id}/compare").text
    r = dra.form(f"/patients/{patient_id}/plans", {"name": "x", "available_lengths_mm": "5"})
    assert r.status_code == 422 and "Needle lengths (mm): must be at most" in r.text
    r = dra.form(f"/patients/{patient_id}/appointments", {"starts_at": "2027-03-01T09:30", "repeat": "3",
                                                          "interval_weeks": "4", "plan_id": str(plan_id)})
    assert r.status_code == 303
    assert dra.get("/calendar?month=2027-03").text.count("09:30") >= 1
    r = dra.form(f"/patients/{patient_id}/appointments", {"starts_at": "not a date"})
    assert r.status_code == 422 and "Date and time: enter a valid date and time" in r.text


def test_icalendar_export(planner, patient_id):
    r = planner["clients"]["dra"].get(f"/patients/{patient_id}/calendar.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    text = r.text
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = ics.unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    starts = [ln.split(":", 1)[1] for ln in lines if ln.startswith("DTSTART;TZID=UTC:")]  # clinic zone UTC
    assert starts == ["20270301T093000", "20270329T093000", "20270426T093000"]
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 3


def test_ics_folding_round_trips_long_unicode_text():
    text = ics.calendar([{"uid": "u1", "starts_at": __import__("datetime").datetime(2027, 1, 1, 9),
                          "duration_min": 30, "summary": "Séance " * 40, "description": "a,b;c\nd"}])
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    summary = next(ln for ln in ics.unfold(text) if ln.startswith("SUMMARY:"))
    assert summary == "SUMMARY:" + "Séance " * 40
    assert "DESCRIPTION:a\\,b\\;c\\nd" in ics.unfold(text)


def test_follow_up_and_record_by_form(planner, patient_id):
    dra = planner["clients"]["dra"]
    aid = dra.post(f"/api/patients/{patient_id}/appointments", json={"starts_at": "2026-03-02T14:00:00"}).json()[0]["id"]
    sign_consent(dra, patient_id)
    r = dra.form(f"/appointments/{aid}/record", {"device": "pen", "cheek_needle_length_mm": "1.0",
                                                 "cheek_passes": "2", "cartridge_lot": "lot-f1",
                                                 "cartridge_expiry": "2030-01-31", "endpoint": "pinpoint bleeding",
                                                 "adverse_events": ""})
    assert r.status_code == 303
    r = dra.form(f"/patients/{patient_id}/followups", {"week": "12", "gb_score": "9", "photo_file": "w7-12.jpg"})
    assert r.status_code == 303
    page = dra.get(f"/patients/{patient_id}").text
    assert "w7-12.jpg" in page and "endpoint pinpoint bleeding" in page and "lot LOT-F1" in page
    r = dra.form(f"/patients/{patient_id}/followups", {"week": "12", "gb_score": "99"})
    assert r.status_code == 422 and "Goodman &amp; Baron score: must be at most 84" in r.text


def test_admin_pages(planner):
    admin = planner["clients"]["admin"]
    assert "Audit log" in admin.get("/admin/audit").text
    r = admin.form("/admin/users", {"username": "asb", "password": "a long password", "role": "assistant",
                                    "provider_id": str(planner["ids"]["drb"])})
    assert r.status_code == 303 and "asb" in admin.get("/admin/users").text
    r = admin.form("/admin/users", {"username": "bad", "password": "short", "role": "provider"})
    assert r.status_code == 422 and "Password: enter at least 10 characters" in r.text
    assert re.search(r"<td>asb</td>", admin.get("/admin/users").text)


def test_outcome_figure_is_a_png_once_scores_are_observed(planner, patient_id):
    dra = planner["clients"]["dra"]
    r = dra.get(f"/patients/{patient_id}/outcome.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:4] == b"\x89PNG"
    assert planner["clients"]["drb"].get(f"/patients/{patient_id}/outcome.png").status_code == 404
