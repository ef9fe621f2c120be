"""Every id and date taken from a request is bound-checked: ids beyond 64 bits, zero or negative give 404 or
422 (never 500) in paths and JSON bodies, and dates near 9999 or before 1900 give 422."""

from __future__ import annotations

import pytest
from planner_support import PATIENT

HUGE = [str(2**63), str(2**64 + 5), "9" * 40, "-" + "9" * 30]
GET_ROUTES = ["/api/patients/{}", "/patients/{}", "/plans/{}", "/api/plans/{}", "/api/patients/{}/plans",
              "/api/patients/{}/followups", "/patients/{}/compare", "/plans/{}/outcome.png",
              "/patients/{}/calendar.ics", "/plans/{}/print", "/api/patients/{}/candidacy"]


@pytest.fixture(scope="module")
def pid(planner):
    r = planner["clients"]["dra"].post("/api/patients", json={**PATIENT, "label": "B-1"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.mark.parametrize("route", GET_ROUTES)
def test_ids_out_of_range_in_paths_are_not_found(planner, route):
    admin = planner["clients"]["admin"]
    for bad in [*HUGE, "0", "-1"]:
        r = admin.get(route.format(bad))
        assert r.status_code in (404, 422), (route, bad, r.status_code)


def test_ids_out_of_range_in_writes(planner, pid):
    admin, dra = planner["clients"]["admin"], planner["clients"]["dra"]
    for bad in HUGE:
        assert admin.post(f"/api/users/{bad}/deactivate").status_code in (404, 422)
        assert dra.post(f"/api/appointments/{bad}/record", json={}).status_code in (404, 422)
        assert dra.put(f"/api/patients/{bad}", json=PATIENT).status_code in (404, 422)
    for bad in (2**63, 2**70, 0, -5):
        r = dra.post(f"/api/patients/{pid}/appointments", json={"starts_at": "2027-01-05T10:00:00", "plan_id": bad})
        assert r.status_code == 422, (bad, r.text)
        r = admin.post("/api/users", json={"username": f"asst{bad % 97}", "password": "long enough pw",
                                           "role": "assistant", "provider_id": bad})
        assert r.status_code == 422, (bad, r.text)


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:00:00", "9999-06-01T10:00:00", "0001-01-01T00:00:00",
                                       "1899-12-31T10:00:00"])
def test_appointment_dates_out_of_range_are_refused(planner, pid, starts_at):
    dra = planner["clients"]["dra"]
    r = dra.post(f"/api/patients/{pid}/appointments", json={"starts_at": starts_at, "repeat": 12,
                                                             "interval_weeks": 6})
    assert r.status_code == 422, r.text
    assert "year" in r.text


def test_photo_dates_and_calendar_months_out_of_range_are_refused(planner, pid):
    dra = planner["clients"]["dra"]
    r = dra.post(f"/api/patients/{pid}/followups", json={"week": 4, "gb_score": 10, "photos": [
        {"view": "front", "file": "a.jpg", "taken_on": "9999-12-31"}]})
    assert r.status_code == 422, r.text
    for month in ("9999-12", "0001-01", "1899-12"):
        r = dra.get(f"/calendar?month={month}")
        assert r.status_code == 422, (month, r.status_code)
    assert dra.get("/calendar?month=2200-12").status_code == 200
