"""The patient page's records read in one statement (``patient_record``) are the rows the per-table readers
give: same rows, same order, every column equal and of the same Python type, a recorded session's zones
included, and a column left out raising instead of loading. Checked here on SQLite; ``test_postgres`` runs
the same check on PostgreSQL."""

import io

import pytest
from PIL import Image
from planner_support import PATIENT, Client, record_body, sign_consent
from sqlalchemy import event, select
from sqlalchemy.orm.exc import DetachedInstanceError

from microneedling.planner import chart_service, consent, photo_service
from microneedling.planner import services as sv
from microneedling.planner.models import PatientRow, TreatmentRow, TreatmentZoneRow
from microneedling.planner.patient_record import LEFT_OUT, read_patient_record


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def full_patient(client: Client, label: str = "REC-1", hour: int = 9) -> int:
    """A patient with rows in every section: two plans, three follow-ups (two in the same week, one of them
    without a grade), an override, a signed consent, four appointments (two recorded, one over two zones, one cancelled),
    two charts and three photos (appointments at ``hour``: one provider is not booked twice); returns the
    patient's id."""
    pid = client.post("/api/patients", json={**PATIENT, "label": label,
                                             "history": {"keloid_tendency": True}}).json()["id"]
    assert client.post(f"/api/patients/{pid}/overrides", json={"rule_id": "keloid_tendency",
                                                               "reason": "atrophic scars only"}).status_code == 201
    for name in ("First", "Second"):
        assert client.post(f"/api/patients/{pid}/plans", json={"name": name, "device": "pen"}).status_code == 201
    for body in ({"week": 12, "gb_score": 9.5, "gb_grade": 2, "note": "better"}, {"week": 4, "gb_score": 12},
                 {"week": 4, "gb_score": 11, "photos": [{"view": "front", "file": "w4.jpg"}]}):
        assert client.post(f"/api/patients/{pid}/followups", json=body).status_code == 201
    sign_consent(client, pid)
    appts = [a["id"] for a in client.post(f"/api/patients/{pid}/appointments", json={
        "starts_at": f"2026-01-05T{hour:02d}:30:00", "repeat": 4, "interval_weeks": 4}).json()]
    assert client.post(f"/api/appointments/{appts[0]}/record", json=record_body()).status_code == 201
    r = client.post(f"/api/appointments/{appts[1]}/record", json=record_body(
        {"cheek": 1.0, "periorbital": 0.5}, cartridge_lot="LOT-B2", cartridge_expiry="2031-06-30", endpoint="erythema",
        anaesthetic={"product": "tetracaine gel", "concentration_pct": 4, "minutes": 45}, adverse_events="petechiae"))
    assert r.status_code == 201, r.text
    assert client.post(f"/api/appointments/{appts[3]}/status", json={"status": "cancelled"}).status_code == 200
    for visit, x in (("2026-01-05", 0.3), ("2025-12-01", 0.4)):
        assert client.put(f"/api/patients/{pid}/chart", json={
            "visit_date": visit, "markers": [{"zone": "cheek", "x": x, "y": 0.5, "type": "boxcar"}]}).status_code == 200
    for view, taken, colour in (("left", "2026-01-05", (1, 2, 3)), ("front", "2026-01-05", (4, 5, 6)),
                                ("front", "2025-12-01", (7, 8, 9))):
        r = client.post(f"/api/patients/{pid}/photos", data={"view": view, "taken_on": taken},
                        files={"file": ("p.png", png(colour), "image/png")})
        assert r.status_code == 201, r.text
    return pid


def treatments(db, pid: int) -> list[TreatmentRow]:  # noqa: ANN001
    """The patient's recorded sessions by id, each with its zones (the ORM's relationship, ordered by id)."""
    return list(db.scalars(select(TreatmentRow).where(TreatmentRow.patient_id == pid).order_by(TreatmentRow.id)))


def columns(row) -> dict:  # noqa: ANN001
    left_out = LEFT_OUT.get(type(row), ())
    return {c.key: getattr(row, c.key) for c in type(row).__table__.columns if c.key not in left_out}


def same_rows(got: list, want: list) -> None:
    assert [r.id for r in got] == [r.id for r in want]
    for g, w in zip(got, want, strict=True):
        assert type(g) is type(w)
        gc, wc = columns(g), columns(w)
        assert gc == wc
        assert {k: type(v) for k, v in gc.items()} == {k: type(v) for k, v in wc.items()}


def check_record_matches_readers(app, pid: int) -> None:
    """The record of patient ``pid`` against the per-table readers, read in two fresh sessions; the record is
    one statement."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_) -> None:  # noqa: ANN001
        statements.append(statement)

    with app.state.read_sessions() as db:
        row = db.get(PatientRow, pid)
        event.listen(app.state.engine, "before_cursor_execute", count)
        try:
            rec = read_patient_record(db, row)
        finally:
            event.remove(app.state.engine, "before_cursor_execute", count)
    with app.state.sessions() as db:
        row = db.get(PatientRow, pid)
        want = {"plans": sv.plans_of(db, row), "followups": sv.followups_of(db, row),
                "appointments": sv.appointments_of(db, None, pid), "treatments": treatments(db, pid),
                "consents": consent.consents_of(db, row), "charts": chart_service.charts_of(db, row),
                "photos": photo_service.photos_of(db, row)}
        for name, rows in want.items():
            assert rows, f"no {name}: the check would be empty"
            same_rows(getattr(rec, name), rows)
        for got, w in zip(rec.treatments, want["treatments"], strict=True):
            assert got.zones and all(type(z) is TreatmentZoneRow for z in got.zones)
            same_rows(got.zones, w.zones)
        assert rec.overrides == sv.overrides_of(db, row) and rec.overrides[0].by == "dra"
    assert len(statements) == 1
    with pytest.raises(DetachedInstanceError):
        _ = rec.consents[0].signature_png  # left out: raises, never loads


def test_record_is_what_the_per_table_readers_read(planner):
    check_record_matches_readers(planner["app"], full_patient(planner["clients"]["dra"]))


def test_record_of_a_patient_without_records_is_empty(planner):
    pid = planner["clients"]["dra"].post("/api/patients", json={**PATIENT, "label": "REC-0"}).json()["id"]
    with planner["app"].state.read_sessions() as db:
        rec = read_patient_record(db, db.get(PatientRow, pid))
    assert all(getattr(rec, name) == [] for name in ("plans", "followups", "appointments", "treatments",
                                                    "consents", "charts", "photos", "overrides"))


def test_patient_page_shows_the_record(planner):
    dra = planner["clients"]["dra"]
    pid = full_patient(dra, "REC-2", hour=14)
    page = dra.get(f"/patients/{pid}").text
    for shown in ("First", "Second", "atrophic scars only", "LOT-A1", "petechiae", "Alex Example", "better"):
        assert shown in page, shown
