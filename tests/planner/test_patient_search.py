"""The patients list: search by code (case-insensitive, % and _ taken literally), 25 a page with links, only
the user's own patients, bad page numbers refused."""

from __future__ import annotations

import re

from planner_support import PATIENT

from microneedling.planner.patient_search import search_patients


def test_search_and_paging(planner):
    drb = planner["clients"]["drb"]
    for k in range(30):
        assert drb.post("/api/patients", json={**PATIENT, "label": f"SRCH-{k:02d}"}).status_code == 201
    drb.post("/api/patients", json={**PATIENT, "label": "odd_100 percent"})
    page1 = drb.get("/patients?q=srch").text
    assert "30 patients matching" in page1 and "page 1 of 2" in page1
    assert len(re.findall(r">SRCH-\d\d</a>", page1)) == 25 and ">SRCH-29</a>" in page1  # newest first
    assert 'href="/patients?q=srch&amp;page=2"' in page1
    page2 = drb.get("/patients?q=srch&page=2").text
    assert len(re.findall(r">SRCH-\d\d</a>", page2)) == 5 and ">SRCH-00</a>" in page2
    assert "1 patient matching" in drb.get("/patients?q=SRCH-07").text
    assert "No patient code matches." in drb.get("/patients?q=%25").text  # a literal %
    assert ">odd_100 percent</a>" in drb.get("/patients?q=d_1").text
    assert "0 patients" in planner["clients"]["dra"].get("/patients?q=srch").text  # not dra's patients
    for bad in ("0", "-1", "x", str(2**70)):
        assert drb.get(f"/patients?page={bad}").status_code == 422
    assert drb.get("/patients?q=" + "x" * 65).status_code == 422


def test_a_page_past_the_last_gives_the_last(planner):
    with planner["app"].state.sessions() as db:
        from microneedling.planner.models import User

        drb = db.query(User).filter_by(username="drb").one()
        found = search_patients(db, drb, "srch", page=99)
        assert found.page == found.pages == 2 and len(found.rows) == 5
