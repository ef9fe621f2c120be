"""Every link of a page's error summary leads to something on the page: the message beside the field, or, for a
field the user does not type into (a hidden input such as the drawn signature or the consent form's version, a
value only a button sets), the message beside the control the user acts on. A problem whose field the page does
not show (a post from a form that is not on the page) is listed without a link rather than with a dead one.
Checked over bad posts of every staff form; the patient-facing forms are in test_public_form_errors.py."""

from __future__ import annotations

import re

import pytest
from planner_support import (
    FORM_PATIENT,
    PATIENT,
    Client,
    dead_summary_links,
    seed_users,
    signature_png,
    summary_links,
)

from microneedling.planner.app import create_app
from microneedling.planner.settings import Settings


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = tmp_path_factory.mktemp("summary-links") / "s.db"
    app = create_app(Settings(database_url=f"sqlite:///{path}", fast_hash=True))
    seed_users(app)
    dra = Client(app, "dra")
    pid = dra.post("/api/patients", json=PATIENT).json()["id"]
    cautious = dra.post("/api/patients", json={**PATIENT, "label": "P-herpes",
                                               "history": {"herpes_labialis": True}}).json()["id"]
    appt = dra.post(f"/api/patients/{pid}/appointments", json={"starts_at": "2025-03-01T09:30:00"}).json()[0]["id"]
    return {"app": app, "dra": dra, "admin": Client(app, "admin"), "pid": pid, "cautious": cautious, "appt": appt}


def _posts(s) -> list[tuple[str, Client, str, dict]]:
    """(case, client, url, form) of bad posts of every staff form."""
    dra, pid, appt = s["dra"], s["pid"], s["appt"]
    sig = signature_png()
    return [
        ("patient", dra, "/patients", {**FORM_PATIENT, "label": "", "scar0_zone": "nose", "scar1_zone": "cheek"}),
        ("patient without scars", dra, "/patients", {**FORM_PATIENT, "scar0_zone": ""}),
        ("plan", dra, f"/patients/{pid}/plans", {"name": "", "device": "x", "available_lengths_mm": "a,b",
                                                 "cap_cheek": "9", "sessions": "0"}),
        ("schedule", dra, f"/patients/{pid}/appointments", {"starts_at": "", "plan_id": "99999"}),
        ("move", dra, f"/appointments/{appt}/reschedule", {"starts_at": "x"}),
        ("follow-up", dra, f"/patients/{pid}/followups", {"week": "", "photo_view": "zz", "photo_file": "../x"}),
        ("follow-up without a score", dra, f"/patients/{pid}/followups", {"week": "4"}),
        ("record without zones", dra, f"/appointments/{appt}/record", {"device": "pen"}),
        ("record", dra, f"/appointments/{appt}/record", {"device": "x", "cheek_needle_length_mm": "1",
                                                         "cartridge_lot": "", "cartridge_expiry": "2020-01-01",
                                                         "anaesthetic_product": "lido", "anaesthetic_minutes": "-3"}),
        ("consent without a signature", dra, f"/patients/{pid}/consent",
         {"template_version": "1", "typed_name": "A B", "signature_png_base64": ""}),
        ("consent of an unknown version", dra, f"/patients/{pid}/consent",
         {"template_version": "99", "typed_name": "A B", "signature_png_base64": sig}),
        ("consent form text", dra, "/consent-templates", {"title": "", "body_md": ""}),
        ("password", dra, "/account/password", {"current_password": "x", "new_password": "y"}),
        ("user", s["admin"], "/admin/users", {"username": "dra", "password": "x", "role": "zz", "provider_id": "a"}),
    ]


def test_every_summary_link_of_every_staff_form_leads_to_its_message(site):
    for case, client, url, form in _posts(site):
        r = client.form(url, form)
        assert r.status_code in (409, 422), (case, r.status_code)
        links = summary_links(r.text)
        assert links, case
        assert dead_summary_links(r.text) == [], (case, links)
        # the summary lists the problems in the order the page shows them
        where = [r.text.index(f'id="{target}"') for target, _ in links if target]
        assert where == sorted(where), (case, links)
        # a message shown beside its field is linked from the summary
        for target, text in links:
            if target is None:
                assert not re.search(rf'class="field-error[^"]*"[^>]*>{re.escape(text)}<', r.text), (case, text)


def test_a_signature_problem_links_to_the_signature_pad(site):
    r = site["dra"].form(f"/patients/{site['pid']}/consent", {"template_version": "1", "typed_name": "A B",
                                                               "signature_png_base64": signature_png(ink=False)})
    assert r.status_code == 422
    (target, text), = summary_links(r.text)
    assert text.startswith("Signature: the signature is blank")
    # the summary links to the signature pad (the control the user signs on), not to the hidden input the script
    # fills, and the message follows the pad
    assert target == "signature-pad"
    assert re.search(r'<canvas id="signature-pad"[^>]*aria-invalid="true"[^>]*></canvas>\s*<span class="field-error" '
                     r'id="consent-signature_png_base64-error">', r.text)


def test_a_value_only_a_button_sets_is_reported_in_its_form(site):
    appt = site["appt"]
    r = site["dra"].form(f"/appointments/{appt}/status", {"status": "lost"})
    assert r.status_code == 422
    (target, text), = summary_links(r.text)
    assert target == f"status-{appt}-status-error" and text.startswith("Status must be one of")
    form = re.search(rf'<form method="post" action="/appointments/{appt}/status".*?</form>', r.text, re.S)[0]
    assert f'id="{target}"' in form


def test_a_form_the_page_does_not_show_is_listed_without_a_link(site):
    dra = site["dra"]
    # the patient has no finding to override, so the page has no override form
    r = dra.form(f"/patients/{site['pid']}/overrides", {"rule_id": "herpes_labialis", "reason": ""})
    assert r.status_code == 422
    assert summary_links(r.text) == [(None, "Reason is required")]
    # on a patient with that finding the message is beside the reason of that rule's form, and linked
    r = dra.form(f"/patients/{site['cautious']}/overrides", {"rule_id": "herpes_labialis", "reason": "short"})
    assert r.status_code == 422
    assert summary_links(r.text) == [("override-herpes_labialis-reason-error",
                                      "Reason must be at least 10 characters")]
    assert dead_summary_links(r.text) == []


def test_a_problem_of_the_whole_form_links_to_the_top_of_the_form(site):
    appt = site["appt"]
    r = site["dra"].form(f"/appointments/{appt}/record", {
        "device": "pen", "cheek_needle_length_mm": "1", "cheek_passes": "2", "cartridge_lot": "L-9",
        "cartridge_expiry": "2030-01-01", "endpoint": "erythema"})
    assert r.status_code == 409  # no signed consent yet
    (target, text), = summary_links(r.text)
    assert target == "record-form-error" and text.startswith("No signed consent")
    assert re.search(r'id="record-form".*?<p class="field-error form-error" id="record-form-error">', r.text, re.S)
