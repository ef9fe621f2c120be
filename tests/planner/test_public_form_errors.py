"""The patient-facing forms (the questionnaire, and the consent and photo forms of a patient link) show each
problem beside its field, as the staff forms do (the same helpers: :mod:`microneedling.planner.form_errors` and
``_field_errors.html``): the field is ``aria-invalid`` and described by a plain message placed right after it, the
posted answers are kept, and the summary at the top links to each message on the page (none to a hidden input:
the drawn signature's message sits under the signature pad, and its summary entry links to the pad)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from planner_support import (
    PATIENT,
    Client,
    dead_summary_links,
    message_beside,
    seed_users,
    signature_png,
    summary_links,
)
from sqlalchemy import func, select

from microneedling.planner.app import create_app
from microneedling.planner.models import IntakeRequestRow
from microneedling.planner.settings import Settings


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("public-errors") / "p.db"
    app = create_app(Settings(database_url=f"sqlite:///{path}", fast_hash=True, public_per_address=1000))
    seed_users(app)
    return {"app": app, "anon": TestClient(app), "dra": Client(app, "dra")}


def _requests(site) -> int:
    with site["app"].state.sessions() as db:
        return db.scalar(select(func.count()).select_from(IntakeRequestRow))


def _fieldset_message(html: str, legend: str) -> str | None:
    """The message of the radio group whose legend starts with ``legend``: the fieldset is aria-invalid and
    described by the message placed inside it."""
    found = re.search(rf'<fieldset\b([^>]*)>\s*<legend>{re.escape(legend)}[^<]*</legend>(.*?)</fieldset>', html, re.S)
    assert found, legend
    if 'aria-invalid="true"' not in found[1]:
        return None
    target = re.search(r'aria-describedby="([^"]+)"', found[1])[1]
    message = re.search(rf'<span class="field-error" id="{target}">([^<]*)</span>', found[2])
    assert message, f"the message {target} is not inside the group"
    return message[1]


def test_questionnaire_puts_each_problem_beside_its_answer(site):
    before = _requests(site)
    answers = {"age_years": "7", "fitzpatrick": "IV", "scar1_zone": "cheek", "scar1_type": "boxcar",
               "scar1_count": "0", "scar3_zone": "forehead", "scar3_type": "rolling", "scar3_count": "4",
               "isotretinoin_months_ago": "-2", "contact_name": "Ana", "contact_reach": "ab"}
    r = site["anon"].post("/questionnaire", data=answers)
    assert r.status_code == 422
    html = r.text
    assert message_beside(html, "age_years") == "Age must be a number from 12 to 100 years"
    assert _fieldset_message(html, "Sex") == "Sex is required"  # no radio button chosen
    assert _fieldset_message(html, "Your skin in the sun") is None  # answered
    # the second chosen row is the form's fourth: its messages sit there, not on the second row sent
    assert message_beside(html, "scar1_count") == "Number of scars must be a whole number from 1 to 500"
    assert message_beside(html, "scar3_count") is None and message_beside(html, "scar0_zone") is None
    assert message_beside(html, "isotretinoin_months_ago") == (
        "Time since isotretinoin was stopped must be a number from 0 to 600 months")
    assert message_beside(html, "contact_reach") == "Email address or phone number must be at least 5 characters"
    assert message_beside(html, "contact_name") is None
    links = summary_links(html)
    # in the order the questionnaire asks (the scar areas come before the history)
    assert [text for _, text in links] == [
        "Age must be a number from 12 to 100 years", "Sex is required",
        "Number of scars must be a whole number from 1 to 500",
        "Time since isotretinoin was stopped must be a number from 0 to 600 months",
        "Email address or phone number must be at least 5 characters"]
    assert all(target for target, _ in links) and dead_summary_links(html) == []
    assert html.index('id="error-summary"') < html.index("<h1>")  # the summary heads the page
    assert "Please check these answers" in html and "Input should" not in html
    # the answers are kept
    assert 'name="contact_name" autocomplete="name" maxlength="80" required value="Ana"' in html
    assert re.search(r'<option value="forehead" selected>forehead</option>', html)
    assert _requests(site) == before


def test_questionnaire_without_any_scar_row_points_at_the_first_row(site):
    r = site["anon"].post("/questionnaire", data={"age_years": "30", "sex": "F", "fitzpatrick": "II",
                                                  "contact_name": "Bo", "contact_reach": "bo@example.org"})
    assert r.status_code == 422
    assert message_beside(r.text, "scar0_zone") == "Scar areas: fill in at least one row"
    assert dead_summary_links(r.text) == [] and len(summary_links(r.text)) == 1


def _link(site, day: int) -> str:
    """A patient link of a new patient with a session on 2031-03-``day``."""
    dra = site["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": f"Link-{day}"}).json()["id"]
    appt = dra.post(f"/api/patients/{pid}/appointments", json={"starts_at": f"2031-03-{day:02d}T10:00:00"})
    assert appt.status_code == 201, appt.text
    url = dra.post(f"/api/patients/{pid}/links", json={"appointment_id": appt.json()[0]["id"]}).json()["url"]
    return url.rsplit("/", 1)[1]


def test_link_consent_problems_sit_under_the_pad_and_the_name(site):
    token = _link(site, 3)
    page = site["anon"].get(f"/p/{token}").text
    assert 'aria-describedby="signature-help"' in page and 'aria-invalid' not in page  # no error yet
    version = re.search(r'name="template_version" value="(\d+)"', page)[1]
    r = site["anon"].post(f"/p/{token}/consent", data={"template_version": version, "typed_name": "Ana Lind",
                                                     "signature_png_base64": signature_png(ink=False)})
    assert r.status_code == 422
    html = r.text
    # the signature is a hidden input filled by the pad's script: its message is under the pad the patient signs
    assert message_beside(html, "signature-pad").startswith("Signature")
    pad = re.search(r"<canvas[^>]*>", html)[0]
    assert 'aria-describedby="consent-signature_png_base64-error signature-help"' in pad
    assert re.search(r'</canvas>\s*<span class="field-error" id="consent-signature_png_base64-error">', html)
    # ... and the summary links to the pad itself
    assert summary_links(html)[0][0] == "signature-pad" and dead_summary_links(html) == []
    assert 'value="Ana Lind"' in html  # the typed name is kept
    assert message_beside(html, "typed_name") is None

    r = site["anon"].post(f"/p/{token}/consent", data={"template_version": version, "typed_name": "A",
                                                     "signature_png_base64": signature_png()})
    assert r.status_code == 422
    assert message_beside(r.text, "typed_name") == "Full name must be at least 2 characters"
    assert message_beside(r.text, "signature-pad") is None
    r = site["anon"].post(f"/p/{token}/consent", data={"template_version": "999", "typed_name": "Ana Lind",
                                                     "signature_png_base64": signature_png()})
    assert r.status_code == 422
    # the form version is a hidden input too: its message heads the consent form
    version_message = re.search(r'<form method="post" action="/p/[^"]+/consent" id="consent-form" novalidate>\s*'
                                r'<span class="field-error" id="consent-template_version-error">([^<]*)</span>',
                                r.text)
    assert version_message and version_message[1].startswith("Consent form version: no consent template")
    assert [t for t, _ in summary_links(r.text)] == ["consent-template_version-error"]
    assert dead_summary_links(r.text) == []


def test_link_photo_problems_sit_under_the_file_and_view(site):
    token = _link(site, 4)
    r = site["anon"].post(f"/p/{token}/photo", data={"view": "front"}, files={"file": ("a.jpg", b"not an image")})
    assert r.status_code == 422
    assert message_beside(r.text, "file").startswith("Photo: ")
    assert dead_summary_links(r.text) == [] and len(summary_links(r.text)) == 1
    r = site["anon"].post(f"/p/{token}/photo", data={"view": "top"}, files={"file": ("", b"")})
    assert r.status_code == 422
    assert message_beside(r.text, "file") == "Photo is required: choose a JPEG or PNG file"
    r = site["anon"].post(f"/p/{token}/photo", data={"view": "top"},
                          files={"file": ("a.png", __import__("base64").b64decode(signature_png()), "image/png")})
    assert r.status_code == 422
    assert message_beside(r.text, "view").startswith("Photo view must be one of")
    assert dead_summary_links(r.text) == []
