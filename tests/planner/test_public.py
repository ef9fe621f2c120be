"""Public side of the planner: the treatment page (engine figures with sources, cache headers, a parameter change
redraws a figure), the questionnaire (same candidacy rules, plain answers, API contract), consultation requests
(listing, accepting into a pre-filled patient), patient links (hash stored, expiry, single use per action, one
404 for all failures), abuse limits (429 per address, body cap) and the purge."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from planner_support import Client, seed_users
from sqlalchemy import select

from microneedling.clinic import candidacy
from microneedling.params import registry
from microneedling.planner import intake, public
from microneedling.planner.app import create_app
from microneedling.planner.models import AuditRow, IntakeRequestRow, PatientLinkRow, PublicHitRow, utcnow
from microneedling.planner.settings import Settings

ANSWERS = {"age_years": 27, "sex": "F", "fitzpatrick": "V",
           "history": {"active_acne_grade": 2, "herpes_labialis": True, "isotretinoin_months_ago": 4},
           "scars": [{"zone": "cheek", "type": "boxcar", "count": 12}, {"zone": "cheek", "type": "rolling", "count": 3},
                     {"zone": "forehead", "type": "icepick", "count": 5}],
           "contact": {"name": "Ana", "reach": "ana@example.org"}}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("public") / "public.db"
    app = create_app(Settings(database_url=f"sqlite:///{path}", fast_hash=True, public_per_address=1000,
                              clinic_name="Clinica Lumen", clinic_address="1 Harbour Street"))
    ids = seed_users(app)
    return {"app": app, "ids": ids, "anon": TestClient(app), "dra": Client(app, "dra"), "asa": Client(app, "asa")}


def test_questionnaire_runs_the_candidacy_rules_and_answers_plainly(site):
    r = site["anon"].post("/api/intake", json=ANSWERS)
    assert r.status_code == 201, r.text
    out = r.json()
    assert set(out) == {"request_id", "findings"} and len(out["request_id"]) >= 40
    expected = candidacy.evaluate(intake.as_patient(intake.IntakeIn.model_validate(ANSWERS)))
    assert [f["rule"] for f in out["findings"]] == [f.rule_id for f in expected]
    assert {f["rule"] for f in out["findings"]} == {"active_acne", "isotretinoin_recent", "herpes_labialis",
                                                    "darker_phototype"}
    by_rule = {f["rule"]: f for f in out["findings"]}
    assert by_rule["active_acne"]["level"] == "assessment_first"
    assert by_rule["active_acne"]["message"].endswith("needs a provider's assessment first.")
    assert by_rule["herpes_labialis"]["level"] == "discuss"
    for f in out["findings"]:
        assert set(f) == {"rule", "level", "message"}
        assert not any(w in f["message"].lower() for w in ("not eligible", "cannot be treated", "contraindication"))
    # a second request gets another unguessable id
    assert site["anon"].post("/api/intake", json=ANSWERS).json()["request_id"] != out["request_id"]


def test_questionnaire_refuses_bad_input_and_stores_nothing(site):
    with site["app"].state.sessions() as db:
        before = len(db.scalars(select(IntakeRequestRow)).all())
    bad = {**ANSWERS, "age_years": 7}
    assert site["anon"].post("/api/intake", json=bad).status_code == 422
    assert site["anon"].post("/api/intake", json={**ANSWERS, "ssn": "x"}).status_code == 422
    assert site["anon"].post("/api/intake", json={**ANSWERS, "scars": []}).status_code == 422
    assert site["anon"].post("/api/intake", content=b'{"age_years": 3' + b" " * 20_000 + b"}",
                             headers={"content-type": "application/json"}).status_code == 413
    r = site["anon"].post("/questionnaire", data={"age_years": "200", "contact_name": "Bo"})
    assert r.status_code == 422 and "Please check these answers" in r.text
    with site["app"].state.sessions() as db:
        assert len(db.scalars(select(IntakeRequestRow)).all()) == before


def test_form_submission_shows_the_findings_and_is_audited_without_personal_data(site):
    r = site["anon"].post("/questionnaire", data={
        "age_years": "34", "sex": "M", "fitzpatrick": "II", "pregnant": "", "keloid_tendency": "on",
        "scar0_zone": "forehead", "scar0_type": "icepick", "scar0_count": "6", "contact_name": "Bo Lind",
        "contact_reach": "+46 70 123 45 67"})
    assert r.status_code == 200, r.text
    assert "A tendency to raised (keloid) scars: needs a provider&#39;s assessment first." in r.text
    with site["app"].state.sessions() as db:
        row = db.scalars(select(IntakeRequestRow).order_by(IntakeRequestRow.id.desc())).first()
        assert row.contact == {"name": "Bo Lind", "reach": "+46 70 123 45 67"}
        entry = db.scalar(select(AuditRow).where(AuditRow.entity == "intake_request", AuditRow.entity_id == row.id))
        assert entry.action == "create" and entry.user_id is None
        assert "Bo Lind" not in str(entry.detail) and "+46" not in str(entry.detail)


def test_providers_list_and_accept_a_request_into_a_prefilled_patient(site):
    rid = site["anon"].post("/api/intake", json=ANSWERS).json()["request_id"]
    assert site["anon"].get("/api/intake-requests").status_code == 401
    listed = site["asa"].get("/api/intake-requests")
    assert listed.status_code == 200 and rid in [r["request_id"] for r in listed.json()]
    assert site["asa"].post(f"/api/intake-requests/{rid}/accept").status_code == 403  # assistants cannot
    page = site["dra"].get("/intake-requests")
    assert page.status_code == 200 and "ana@example.org" in page.text
    r = site["dra"].post(f"/api/intake-requests/{rid}/accept")
    assert r.status_code == 201, r.text
    patient = site["dra"].get(f"/api/patients/{r.json()['patient_id']}").json()
    assert patient["fitzpatrick"] == "V" and patient["history"]["herpes_labialis"] is True
    assert patient["history"]["isotretinoin_months_ago"] == 4
    zones = {z["zone"]: z["scars"] for z in patient["zones"]}
    assert {s["type"]: s["count"] for s in zones["cheek"]} == {"boxcar": 12, "rolling": 3}
    assert zones["forehead"][0]["depth_mm"] == registry()["scars.icepick.depth_mm"].value
    assert "Ana" not in patient["label"]  # the record stays pseudonymous
    assert site["dra"].post(f"/api/intake-requests/{rid}/accept").status_code == 409
    assert site["dra"].post("/api/intake-requests/not-a-request/accept").status_code == 404
    cand = site["dra"].get(f"/api/patients/{patient['id']}/candidacy").json()
    assert {f["rule_id"] for f in cand["findings"]} >= {"active_acne", "herpes_labialis"}


_DAYS = iter(range(1, 29))


def _patient_with_appointment(site) -> tuple[int, int]:
    day = next(_DAYS)
    rid = site["anon"].post("/api/intake", json={**ANSWERS, "history": {}}).json()["request_id"]
    pid = site["dra"].post(f"/api/intake-requests/{rid}/accept").json()["patient_id"]
    r = site["dra"].post(f"/api/patients/{pid}/appointments", json={"starts_at": f"2031-03-{day:02d}T09:30:00",
                                                                     "duration_min": 45})
    assert r.status_code == 201, r.text
    body = r.json()
    return pid, (body[0] if isinstance(body, list) else body)["id"]


def test_patient_link_stores_only_a_hash_shows_the_appointment_and_expires(site):
    pid, appt = _patient_with_appointment(site)
    r = site["dra"].post(f"/api/patients/{pid}/links", json={"appointment_id": appt})
    assert r.status_code == 201, r.text
    url = r.json()["url"]
    token = url.rsplit("/", 1)[1]
    with site["app"].state.sessions() as db:
        link = db.scalar(select(PatientLinkRow).where(PatientLinkRow.patient_id == pid))
        assert link.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in link.token_hash
    page = site["anon"].get(f"/p/{token}")
    assert page.status_code == 200 and "2031-03-" in page.text and "09:30" in page.text and "sunscreen" in page.text
    assert "W-" not in page.text  # no record label or other patient data beyond the appointment
    missing = site["anon"].get("/p/" + "A" * 43)
    with site["app"].state.sessions() as db:
        db.get(PatientLinkRow, link.id).expires_at = utcnow() - timedelta(seconds=1)
        db.commit()
    expired = site["anon"].get(f"/p/{token}")
    assert missing.status_code == expired.status_code == 404 and missing.text == expired.text


def test_figures_are_served_with_cache_headers_and_sources(site):
    # the two figures that need no healing or trial engine; the whole page is walked in test_public_browser.py
    for name in ("layers", "punctures"):
        fig = public.figure(name)
        assert fig.references and fig.sentence and fig.alt, name
        img = site["anon"].get(f"/treatment/figures/{name}.png")
        assert img.status_code == 200 and img.content == fig.png and img.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert "max-age" in img.headers["cache-control"] and "no-store" not in img.headers["cache-control"]
        again = site["anon"].get(f"/treatment/figures/{name}.png", headers={"if-none-match": img.headers["etag"]})
        assert again.status_code == 304 and not again.content
    assert any("Donnelly" in r for r in public.figure("layers").references)
    assert site["anon"].get("/treatment/figures/nope.png").status_code == 404
    assert "no-store" in site["anon"].get("/questionnaire").headers["cache-control"]


def test_a_parameter_change_redraws_the_figure(monkeypatch):
    name = "insertion.dimple_at_puncture_um"
    before = public.figure("layers")
    monkeypatch.setitem(registry(), name, dataclasses.replace(registry()[name], value=400.0))
    public.clear_cache()
    try:
        after = public.figure("layers")
        assert after.png != before.png and after.sentence != before.sentence
        assert any("Donnelly" in r for r in after.references)
    finally:
        monkeypatch.undo()
        public.clear_cache()
    assert public.figure("layers").png == before.png


def test_a_burst_from_one_address_is_refused_and_others_are_not(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'burst.db'}", fast_hash=True,
                              public_per_address=3, public_overall=5))
    anon = TestClient(app)
    codes = [anon.post("/api/intake", json=ANSWERS).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    other = TestClient(app, client=("203.0.113.9", 5000))
    assert [other.post("/api/intake", json=ANSWERS).status_code for _ in range(3)] == [201, 201, 429]  # global 5
    with app.state.sessions() as db:
        keys = set(db.scalars(select(PublicHitRow.key)))
        assert not any("203.0.113.9" in k or "testclient" in k for k in keys)  # addresses stored hashed
        assert len(db.scalars(select(IntakeRequestRow)).all()) == 5


def test_purge_deletes_requests_past_retention(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'purge.db'}", fast_hash=True))
    anon = TestClient(app)
    old, new = (anon.post("/api/intake", json=ANSWERS).json()["request_id"] for _ in range(2))
    with app.state.sessions() as db:
        db.scalar(select(IntakeRequestRow).where(IntakeRequestRow.request_id == old)).created_at -= timedelta(days=40)
        db.commit()
        counts = intake.purge(db, retention_days=30)
        db.commit()
        assert counts["intake_requests"] == 1
        assert [r.request_id for r in db.scalars(select(IntakeRequestRow))] == [new]
        assert db.scalar(select(AuditRow).where(AuditRow.action == "purge")).detail["intake_requests"] == 1


def test_purge_command_line(tmp_path):
    from typer.testing import CliRunner

    from microneedling.cli import app as cli

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    app = create_app(Settings(database_url=url, fast_hash=True))
    TestClient(app).post("/api/intake", json=ANSWERS)
    app.state.engine.dispose()
    r = CliRunner().invoke(cli, ["purge-intake", "--database-url", url, "--retention-days", "30"])
    assert r.exit_code == 0, r.output
    assert '"intake_requests": 0' in r.output
    bad = CliRunner().invoke(cli, ["purge-intake", "--database-url", url, "--retention-days", "-1"])
    assert bad.exit_code != 0


def _jpeg_with_gps() -> bytes:
    import io

    from PIL import Image

    img = Image.new("RGB", (64, 48), (200, 150, 120))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (59.0, 19.0, 0.0)}  # GPS block
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def test_photo_through_the_link_is_stripped_and_the_action_is_single_use(site):
    from PIL import Image

    pid, appt = _patient_with_appointment(site)
    token = site["dra"].post(f"/api/patients/{pid}/links", json={"appointment_id": appt}).json()["url"].rsplit("/", 1)[1]
    raw = _jpeg_with_gps()
    assert b"PhoneMaker" in raw
    bad = site["anon"].post(f"/p/{token}/photo", data={"view": "front"}, files={"file": ("a.jpg", b"not an image")})
    assert bad.status_code == 422  # refused, and the action is still open
    r = site["anon"].post(f"/p/{token}/photo", data={"view": "left"}, files={"file": ("me.jpg", raw, "image/jpeg")})
    assert r.status_code == 200 and "your photo has been sent" in r.text and 'id="photo-form"' not in r.text
    photos = site["dra"].get(f"/api/patients/{pid}/photos").json()
    assert len(photos) == 1 and photos[0]["view"] == "left"
    stored = site["dra"].get(f"/api/photos/{photos[0]['id']}")
    assert b"PhoneMaker" not in stored.content and not Image.open(__import__("io").BytesIO(stored.content)).getexif()
    again = site["anon"].post(f"/p/{token}/photo", data={"view": "left"}, files={"file": ("me.jpg", raw, "image/jpeg")})
    assert again.status_code == 404 and again.text == site["anon"].get("/p/" + "B" * 43).text
    assert site["anon"].get(f"/p/{token}").status_code == 200  # viewing stays open until expiry


def test_consent_signed_through_the_link_once(site):
    from planner_support import signature_png

    pid, appt = _patient_with_appointment(site)
    token = site["dra"].post(f"/api/patients/{pid}/links", json={"appointment_id": appt}).json()["url"].rsplit("/", 1)[1]
    page = site["anon"].get(f"/p/{token}")
    assert 'id="consent-form"' in page.text and "/static/consent.js" in page.text
    version = int(page.text.split('name="template_version" value="')[1].split('"')[0])
    blank = site["anon"].post(f"/p/{token}/consent", data={"template_version": version, "typed_name": "Ana Lind",
                                                         "signature_png_base64": signature_png(ink=False)})
    assert blank.status_code == 422  # an empty signature is refused and the consent stays open
    r = site["anon"].post(f"/p/{token}/consent", data={"template_version": version, "typed_name": "Ana Lind",
                                                     "signature_png_base64": signature_png()})
    assert r.status_code == 200 and "signed consent has been sent" in r.text and 'id="consent-form"' not in r.text
    signed = site["dra"].get(f"/api/patients/{pid}/consents").json()
    assert [c["typed_name"] for c in signed] == ["Ana Lind"] and signed[0]["template_version"] == version
    again = site["anon"].post(f"/p/{token}/consent", data={"template_version": version, "typed_name": "X Y",
                                                         "signature_png_base64": signature_png()})
    assert again.status_code == 404
    assert len(site["dra"].get(f"/api/patients/{pid}/consents").json()) == 1


def test_a_failing_engine_leaves_the_treatment_page_up(site, monkeypatch):
    def broken(*_):
        raise RuntimeError("engine down")

    monkeypatch.setattr(public, "figure", broken)
    monkeypatch.setattr(public, "evidence", broken)
    monkeypatch.setattr(public, "typical_course", broken)
    r = site["anon"].get("/treatment")
    assert r.status_code == 200 and "cannot be computed just now" in r.text
    assert r.text.count("One figure could not be drawn just now") == len(public.FIGURE_NAMES)


def test_link_for_an_appointment_id_beyond_the_bounds_is_refused(site):
    pid, _ = _patient_with_appointment(site)
    assert site["dra"].post(f"/api/patients/{pid}/links", json={"appointment_id": 2**63}).status_code == 422
    assert site["dra"].post(f"/api/patients/{pid}/links", json={"appointment_id": 999999}).status_code == 404
    assert site["asa"].post(f"/api/patients/{pid}/links", json={}).status_code == 201  # assistants schedule too
