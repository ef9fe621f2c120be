"""Server-rendered pages: patient form (422 with each message beside its field, nothing stored), candidacy shown with
reasons and sources, plan, printable plan, comparison, calendar and iCalendar export (RFC 5545 framing:
CRLF, lines of at most 75 octets, one VEVENT per appointment)."""

import re

import pytest
from planner_support import FORM_PATIENT, PATIENT, message_beside, sign_consent

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


@pytest.mark.parametrize("change,field,message", [
    ({"age_years": "7"}, "age_years", "Age must be a number from 12 to 100 years"),
    ({"age_years": ""}, "age_years", "Age is required"),
    ({"label": "P/1"}, "label", "Patient code may contain only letters, digits, spaces, dots and dashes"),
    ({"scar0_count": "0"}, "scar0_count", "Scar count must be a whole number from 1 to 500"),
    ({"scar0_count": "2.5"}, "scar0_count", "Scar count must be a whole number from 1 to 500"),
    ({"scar0_depth_mm": "9"}, "scar0_depth_mm", "Scar depth must be a number above 0 and up to 3 mm"),
    ({"scar0_zone": ""}, "scar0_zone", "Scars: fill in at least one row"),
    ({"fitzpatrick": "VII"}, "fitzpatrick", "Fitzpatrick skin type must be one of I, II, III, IV, V or VI"),
    ({"isotretinoin_months_ago": "-3"}, "isotretinoin_months_ago",
     "Time since isotretinoin was stopped must be a number from 0 to 600 months"),
    # the third row's width, after a second row in another zone: the message goes to that row's field
    ({"scar1_zone": "forehead", "scar1_type": "boxcar", "scar1_count": "2", "scar1_depth_mm": "0.3",
      "scar1_width_mm": "2", "scar2_zone": "cheek", "scar2_type": "icepick", "scar2_count": "1",
      "scar2_depth_mm": "0.5", "scar2_width_mm": "x"}, "scar2_width_mm",
     "Scar width must be a number above 0 and up to 20 mm"),
])
def test_bad_patient_form_is_422_with_the_message_beside_the_field_and_stores_nothing(planner, change, field,
                                                                                      message):
    before = (n(planner, models.PatientRow), n(planner, models.AuditRow))
    r = planner["clients"]["dra"].form("/patients", {**FORM_PATIENT, **change})
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert message_beside(r.text, field) == message
    assert r.text.count('aria-invalid="true"') == 1  # only the bad field is marked
    summary = r.text[r.text.index('id="error-summary"'):r.text.index("</div>", r.text.index('id="error-summary"'))]
    assert "1 problem to correct" in summary and message.replace("&", "&amp;") in summary
    assert "Input should" not in r.text and "zones.0" not in r.text
    assert (n(planner, models.PatientRow), n(planner, models.AuditRow)) == before


def test_patient_page_shows_candidacy_with_reasons_and_sources(planner, patient_id):
    page = planner["clients"]["dra"].get(f"/patients/{patient_id}").text
    assert "herpes_labialis" in page and "Minutilli2024" in page and "darker_phototype" in page
    assert "antiviral" in page


def test_override_by_form_is_recorded(planner, patient_id):
    dra = planner["clients"]["dra"]
    r = dra.form(f"/patients/{patient_id}/overrides", {"rule_id": "herpes_labialis", "reason": "too short"[:5]})
    assert r.status_code == 422
    row = r.text[r.text.index('name="rule_id" value="herpes_labialis"'):]
    assert message_beside(row[:row.index("</form>")], "reason") == "Reason must be at least 10 characters"
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
    assert r.status_code == 422
    assert message_beside(r.text, "available_lengths_mm") == "Needle lengths must be a number above 0 and up to 3 mm"
    # the form shown again still says where the suggested baseline comes from
    assert "computed from the scar list" in r.text and "blank: week-0 follow-up" not in r.text
    r = dra.form(f"/patients/{patient_id}/plans", {"name": "x", "cap_cheek": "4", "sessions": "40"})
    assert r.status_code == 422 and message_beside(r.text, "cap_cheek") == (
        "Needle-length cap must be a number above 0 and up to 3 mm")
    assert message_beside(r.text, "sessions") == "Number of sessions must be a whole number from 1 to 24"
    assert message_beside(r.text, "name") is None
    r = dra.form(f"/patients/{patient_id}/appointments", {"starts_at": "2027-03-01T09:30", "repeat": "3",
                                                          "interval_weeks": "4", "plan_id": str(plan_id)})
    assert r.status_code == 303
    assert dra.get("/calendar?month=2027-03").text.count("09:30") >= 1
    r = dra.form(f"/patients/{patient_id}/appointments", {"starts_at": "not a date", "duration_min": "600",
                                                          "note": "keep me"})
    assert r.status_code == 422
    form = r.text[r.text.index('id="schedule-form"'):]
    assert message_beside(form, "starts_at") == "Date and time must be a date and time (year-month-day hours:minutes)"
    assert message_beside(form, "duration_min") == "Duration must be a whole number from 5 to 480 minutes"
    assert 'value="keep me"' in form  # the posted values stay in the form


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
    r = dra.form(f"/patients/{patient_id}/followups", {"week": "12", "gb_score": "99", "photo_file": "../x.jpg"})
    assert r.status_code == 422
    form = r.text[r.text.index('id="followup-form"'):]
    assert message_beside(form, "gb_score") == "Goodman & Baron score must be a number from 0 to 84"
    assert message_beside(form, "photo_file") == (
        "Photo file name may contain only letters, digits, spaces, dots and dashes, not starting with a dot or space")
    assert message_beside(form, "week") is None and 'value="12"' in form


def test_admin_pages(planner):
    admin = planner["clients"]["admin"]
    assert "Audit log" in admin.get("/admin/audit").text
    r = admin.form("/admin/users", {"username": "asb", "password": "a long password", "role": "assistant",
                                    "provider_id": str(planner["ids"]["drb"])})
    assert r.status_code == 303 and "asb" in admin.get("/admin/users").text
    r = admin.form("/admin/users", {"username": "bad", "password": "short", "role": "provider"})
    assert r.status_code == 422 and message_beside(r.text, "password") == "Password must be at least 10 characters"
    r = admin.form("/admin/users", {"username": "asb", "password": "a long password", "role": "provider"})
    assert r.status_code == 422 and message_beside(r.text, "username") == "User name is already taken"
    assert re.search(r"<td[^>]*>asb</td>", admin.get("/admin/users").text)


def test_outcome_figure_is_a_png_once_scores_are_observed(planner, patient_id):
    dra = planner["clients"]["dra"]
    r = dra.get(f"/patients/{patient_id}/outcome.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:4] == b"\x89PNG"
    assert planner["clients"]["drb"].get(f"/patients/{patient_id}/outcome.png").status_code == 404


def test_photo_view_choices_are_the_schemas_views(planner, patient_id):
    """The follow-up form's photo views and the upload form's views are the ones their input models accept."""
    from microneedling.planner.schemas import FOLLOWUP_PHOTO_VIEWS, PHOTO_VIEWS

    html = planner["clients"]["dra"].get(f"/patients/{patient_id}").text

    def options(name: str) -> tuple[str, ...]:
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
        return tuple(re.findall(r'<option value="([^"]*)"', select))

    assert options("photo_view") == FOLLOWUP_PHOTO_VIEWS and "closeup" in FOLLOWUP_PHOTO_VIEWS
    assert options("view") == PHOTO_VIEWS


def test_outcome_caption_says_what_the_chart_shows(planner):
    """With observed scores but a latest plan that has no prediction (no baseline score), the caption names the
    observed scores and the reason, not a predicted mean and interval the chart does not draw; with a baseline,
    it names the prediction."""
    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "CAP-1"}).json()["id"]
    assert dra.post(f"/api/patients/{pid}/followups", json={"week": 8, "gb_score": 11}).status_code == 201
    assert dra.post(f"/api/patients/{pid}/plans", json={"name": "No baseline"}).status_code == 201
    caption = re.search(r"<figcaption>(.*?)</figcaption>", dra.get(f"/patients/{pid}").text, re.S).group(1)
    assert caption.startswith("Observed follow-up scores") and "no baseline" in caption
    assert "prediction interval" not in caption
    assert dra.post(f"/api/patients/{pid}/plans", json={"name": "With baseline",
                                                        "baseline_gb_score": 14}).status_code == 201
    caption = re.search(r"<figcaption>(.*?)</figcaption>", dra.get(f"/patients/{pid}").text, re.S).group(1)
    assert caption.startswith("Latest plan: predicted") and "prediction interval for this patient" in caption
