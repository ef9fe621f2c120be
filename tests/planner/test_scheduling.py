"""Scheduling in the clinic's time zone (Europe/Paris here): local input and input with an offset are stored
in UTC (summer +2 h, winter +1 h), repeats keep the local wall clock across the October change, a time
skipped by the spring change is refused; pages show clinic time with the zone; one provider cannot be
double-booked (409 naming the clashing time), cancel, no-show, restore and reschedule; the iCalendar has
VTIMEZONE/TZID, LOCATION and a 24-hour VALARM."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from planner_support import PATIENT, Client, seed_users

from microneedling.planner import ics
from microneedling.planner.app import create_app
from microneedling.planner.scheduling import local_label, to_utc
from microneedling.planner.settings import Settings

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    path = tmp_path_factory.mktemp("sched") / "s.db"
    app = create_app(Settings(database_url=f"sqlite:///{path}", fast_hash=True, clinic_timezone="Europe/Paris",
                              clinic_name="Clinique Exemple", clinic_address="1 rue de la Paix, Paris"))
    seed_users(app)
    dra, drb = Client(app, "dra"), Client(app, "drb")
    a = dra.post("/api/patients", json={**PATIENT, "label": "TZ-1"}).json()["id"]
    a2 = dra.post("/api/patients", json={**PATIENT, "label": "TZ-2"}).json()["id"]
    b = drb.post("/api/patients", json={**PATIENT, "label": "TZ-B"}).json()["id"]
    yield {"app": app, "dra": dra, "drb": drb, "a": a, "a2": a2, "b": b}
    app.state.engine.dispose()


def book(client, pid, **body):
    return client.post(f"/api/patients/{pid}/appointments", json=body)


def test_unknown_clinic_time_zone_is_refused(tmp_path):
    from microneedling.cli.queries import ServeOptions

    with pytest.raises(ValueError, match="IANA"):
        create_app(Settings(database_url=f"sqlite:///{tmp_path / 'z.db'}", fast_hash=True,
                            clinic_timezone="Mars/Olympus"))
    options = {"host": "127.0.0.1", "port": 8000, "database_url": "sqlite:///x.db", "clinic_name": "C",
               "clinic_address": ""}
    with pytest.raises(ValueError, match="IANA"):
        ServeOptions(**options, clinic_timezone="Mars/Olympus")
    assert ServeOptions(**options, clinic_timezone="Europe/Paris").clinic_timezone == "Europe/Paris"


@pytest.mark.parametrize("given,stored", [
    ("2027-07-05T09:00:00", "2027-07-05T07:00:00Z"),        # clinic local, summer (CEST, UTC+2)
    ("2027-01-11T09:00:00", "2027-01-11T08:00:00Z"),        # clinic local, winter (CET, UTC+1)
    ("2027-07-06T09:00:00+02:00", "2027-07-06T07:00:00Z"),  # with an offset
    ("2027-07-07T07:00:00Z", "2027-07-07T07:00:00Z"),       # UTC
    ("2027-07-08T03:00:00-04:00", "2027-07-08T07:00:00Z"),  # another offset, same instant
])
def test_times_are_stored_in_utc(clinic, given, stored):
    r = book(clinic["dra"], clinic["a"], starts_at=given)
    assert r.status_code == 201, r.text
    assert r.json()[0]["starts_at"] == stored


def test_repeats_keep_the_local_time_across_the_october_change(clinic):
    r = book(clinic["dra"], clinic["a"], starts_at="2027-10-18T14:00:00", repeat=3, interval_weeks=2)
    assert r.status_code == 201, r.text
    assert [a["starts_at"] for a in r.json()] == ["2027-10-18T12:00:00Z", "2027-11-01T13:00:00Z",
                                                  "2027-11-15T13:00:00Z"]


def test_a_local_time_skipped_by_the_spring_change_is_refused(clinic):
    r = book(clinic["dra"], clinic["a"], starts_at="2027-03-28T02:30:00")
    assert r.status_code == 422 and "Europe/Paris" in r.text


def test_conversion_helpers():
    assert to_utc(datetime(2027, 7, 5, 9), PARIS) == datetime(2027, 7, 5, 7)
    assert to_utc(datetime(2027, 1, 11, 9), PARIS) == datetime(2027, 1, 11, 8)
    assert to_utc(datetime(2027, 7, 5, 9, tzinfo=UTC), PARIS) == datetime(2027, 7, 5, 9)
    assert local_label(datetime(2027, 7, 5, 7), PARIS) == "2027-07-05 09:00 CEST (Europe/Paris)"
    assert local_label(datetime(2027, 1, 11, 8), PARIS) == "2027-01-11 09:00 CET (Europe/Paris)"
    assert local_label(datetime(2027, 1, 11, 8), ZoneInfo("UTC")) == "2027-01-11 08:00 UTC"


def test_pages_show_clinic_time_with_the_zone(clinic):
    page = clinic["dra"].get(f"/patients/{clinic['a']}").text
    assert "2027-07-05 09:00 CEST (Europe/Paris)" in page and "2027-01-11 09:00 CET (Europe/Paris)" in page
    assert "Times in Europe/Paris" in page
    cal = clinic["dra"].get("/calendar?month=2027-07").text
    assert "09:00 TZ-1" in cal and "Times in Europe/Paris" in cal


def test_no_double_booking_of_a_provider(clinic):
    dra, drb = clinic["dra"], clinic["drb"]
    first = book(dra, clinic["a"], starts_at="2027-09-06T10:00:00", duration_min=60)
    assert first.status_code == 201
    clash = book(dra, clinic["a2"], starts_at="2027-09-06T10:30:00")  # another patient, same provider
    assert clash.status_code == 409
    assert "2027-09-06 10:00 CEST (Europe/Paris) to 11:00" in clash.json()["detail"]
    assert book(dra, clinic["a2"], starts_at="2027-09-06T11:00:00").status_code == 201  # back to back is fine
    assert book(drb, clinic["b"], starts_at="2027-09-06T10:30:00").status_code == 201  # another provider
    # a repeated course is refused whole if any session clashes
    before = len(dra.get(f"/api/patients/{clinic['a2']}/appointments").json())
    r = book(dra, clinic["a2"], starts_at="2027-08-23T10:15:00", repeat=3, interval_weeks=2)
    assert r.status_code == 409
    assert len(dra.get(f"/api/patients/{clinic['a2']}/appointments").json()) == before


def test_cancel_no_show_restore_and_reschedule(clinic):
    dra = clinic["dra"]
    aid = book(dra, clinic["a"], starts_at="2027-09-13T10:00:00").json()[0]["id"]
    r = dra.post(f"/api/appointments/{aid}/status", json={"status": "cancelled"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    other = book(dra, clinic["a2"], starts_at="2027-09-13T10:00:00")  # the cancelled slot is free
    assert other.status_code == 201
    r = dra.post(f"/api/appointments/{aid}/status", json={"status": "scheduled"})  # restoring it now clashes
    assert r.status_code == 409 and "10:00 CEST" in r.json()["detail"]
    r = dra.post(f"/api/appointments/{aid}/reschedule", json={"starts_at": "2027-09-13T12:00:00"})
    assert r.status_code == 409 and "cancelled" in r.json()["detail"]  # rebook instead of moving a cancelled one
    moving = book(dra, clinic["a"], starts_at="2027-09-13T15:00:00").json()[0]["id"]
    r = dra.post(f"/api/appointments/{moving}/reschedule", json={"starts_at": "2027-09-13T10:20:00"})
    assert r.status_code == 409 and "10:00 CEST" in r.json()["detail"]
    r = dra.post(f"/api/appointments/{moving}/reschedule", json={"starts_at": "2027-09-13T11:00:00"})
    assert r.status_code == 200 and r.json()["starts_at"] == "2027-09-13T09:00:00Z"
    assert r.json()["status"] == "scheduled"
    other_id = other.json()[0]["id"]
    r = dra.post(f"/api/appointments/{other_id}/status", json={"status": "no_show"})
    assert r.status_code == 200 and r.json()["status"] == "no_show"
    assert dra.post(f"/api/appointments/{other_id}/status", json={"status": "done"}).status_code == 422
    assert clinic["drb"].post(f"/api/appointments/{aid}/status", json={"status": "cancelled"}).status_code == 404
    events = [e for e in ics.unfold(dra.get(f"/patients/{clinic['a2']}/calendar.ics").text)
              if e.startswith("UID:")]
    assert f"UID:appointment-{other_id}@microneedling-planner" not in events  # a no-show is not exported
    # pages name the status in words
    assert '<td data-label="Status">no-show</td>' in dra.get(f"/patients/{clinic['a2']}").text
    calendar = dra.get("/calendar?month=2027-09").text
    assert "(no-show)" in calendar and "no_show)" not in calendar


def test_icalendar_has_time_zone_location_and_reminder(clinic):
    r = clinic["dra"].get(f"/patients/{clinic['a']}/calendar.ics")
    lines = ics.unfold(r.text)
    assert all(len(line.encode()) <= 75 for line in r.text.split("\r\n"))
    assert "BEGIN:VTIMEZONE" in lines and "TZID:Europe/Paris" in lines
    assert "DTSTART;TZID=Europe/Paris:20270705T090000" in lines  # local wall-clock time, zone named
    assert "DTSTART;TZID=Europe/Paris:20270111T090000" in lines
    assert "LOCATION:Clinique Exemple\\, 1 rue de la Paix\\, Paris" in lines
    assert lines.count("BEGIN:VALARM") == lines.count("BEGIN:VEVENT") > 0 and "TRIGGER:-PT24H" in lines
    # the VTIMEZONE carries the 2027 changes: 02:00 CET -> CEST on 28 March, 03:00 CEST -> CET on 31 October
    text = "\n".join(lines)
    assert "BEGIN:DAYLIGHT\nDTSTART:20270328T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200" in text
    assert "BEGIN:STANDARD\nDTSTART:20271031T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100" in text


def test_vtimezone_of_a_zone_without_changes():
    lines = ics.vtimezone(ZoneInfo("Asia/Kolkata"), 2027, 2027)
    assert "TZOFFSETTO:+0530" in lines and "BEGIN:DAYLIGHT" not in lines
    assert ics.transitions(ZoneInfo("Europe/Paris"), 2027, 2027) == [datetime(2027, 3, 28, 1, tzinfo=UTC),
                                                                      datetime(2027, 10, 31, 1, tzinfo=UTC)]
