"""Consent with e-signature: the built-in form lists the candidacy rules' contraindications and cautions;
edits are new versions with their SHA-256; Markdown is rendered without raw HTML or script links; a
signature must be a real, non-blank PNG of bounded size on a known version (422 otherwise); the signed PDF
carries the signer's name; no treatment is recorded without a valid consent (409)."""

import base64
import hashlib
import io
import re
import zlib

import pytest
from PIL import Image
from planner_support import PATIENT, message_beside, record_body, sign_consent, signature_png

from microneedling.clinic.candidacy import default_rules
from microneedling.planner import consent, models


@pytest.fixture(scope="module")
def pid(planner):
    return planner["clients"]["dra"].post("/api/patients", json={**PATIENT, "label": "CS-1"}).json()["id"]


def test_builtin_form_lists_every_contraindication_and_caution_of_the_rules(planner):
    versions = planner["clients"]["dra"].get("/api/consent-templates").json()
    builtin = versions[-1]
    assert builtin["version"] == 1 and builtin["sha256"] == hashlib.sha256(builtin["body_md"].encode()).hexdigest()
    for rule in default_rules():
        assert rule.reason in builtin["body_md"], rule.id
    page = planner["clients"]["dra"].get("/consent-templates?version=1").text
    assert "<h2>When microneedling is not done (contraindications)</h2>" in page


def test_markdown_is_rendered_with_raw_html_escaped_and_unsafe_links_dropped():
    html = str(consent.render_markdown("# T\n\n<script>alert(1)</script> [x](javascript:alert(1)) "
                                       "[ok](https://example.org) **b**"))
    assert "<h1>T</h1>" in html and "&lt;script&gt;" in html and "<script" not in html
    assert "javascript:" not in html and 'href="https://example.org"' in html and "<strong>b</strong>" in html


def test_an_edit_is_a_new_version_with_its_hash_and_assistants_cannot_edit(planner):
    body = "# Consent\n\nA clinic's own consent text, edited."
    r = planner["clients"]["dra"].post("/api/consent-templates", json={"title": "Clinic consent", "body_md": body})
    assert r.status_code == 201, r.text
    assert r.json()["version"] >= 2 and r.json()["sha256"] == hashlib.sha256(body.encode()).hexdigest()
    assert planner["clients"]["asa"].post("/api/consent-templates",
                                          json={"title": "x", "body_md": body}).status_code == 403
    assert planner["clients"]["dra"].get("/api/consent-templates").json()[0]["version"] == r.json()["version"]


def _jpeg() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (50, 20), (0, 0, 0)).save(buf, format="JPEG")
    return base64.b64encode(buf.getvalue()).decode()


@pytest.mark.parametrize("signature,version,message", [
    (_jpeg(), 1, "PNG"),
    (base64.b64encode(b"not an image").decode(), 1, "PNG"),
    ("", 1, "blank"),  # nothing drawn
    ("%%%", 1, "base64"),
    (signature_png(ink=False), 1, "blank"),
    (signature_png(width=2500), 1, "larger than"),
    ("A" * 300_000, 1, "larger than"),
    (signature_png(), 999, "template_version"),
])
def test_bad_signatures_are_422_and_store_nothing(planner, pid, signature, version, message):
    dra = planner["clients"]["dra"]
    with planner["app"].state.sessions() as db:
        before = db.query(models.ConsentRow).count()
    r = dra.post(f"/api/patients/{pid}/consents", json={"template_version": version, "typed_name": "Sam Signer",
                                                         "signature_png_base64": signature})
    assert r.status_code == 422 and message in r.text, r.text
    with planner["app"].state.sessions() as db:
        assert db.query(models.ConsentRow).count() == before


def _pdf_text(pdf: bytes) -> bytes:
    """The PDF with its Flate streams (and object streams) decompressed, for searching."""
    out = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return b"\n".join(out)


def test_signing_stores_what_was_signed_and_the_pdf_names_the_signer(planner, pid):
    dra = planner["clients"]["dra"]
    data_url = "data:image/png;base64," + signature_png()
    version = dra.get("/api/consent-templates").json()[0]
    r = dra.post(f"/api/patients/{pid}/consents", json={"template_version": version["version"],
                                                         "typed_name": "Robin Quill", "signature_png_base64": data_url})
    assert r.status_code == 201 and set(r.json()) == {"id"}
    cid = r.json()["id"]
    listed = {c["id"]: c for c in dra.get(f"/api/patients/{pid}/consents").json()}[cid]
    assert listed["template_sha256"] == version["sha256"] and listed["typed_name"] == "Robin Quill"
    assert listed["signed_at"].endswith("Z") and listed["client_address"] == "testclient"
    with planner["app"].state.sessions() as db:
        assert db.get(models.ConsentRow, cid).signature_png[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = dra.get(f"/api/consents/{cid}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert b"Signed consent: Robin Quill" in _pdf_text(pdf.content)  # the PDF title (metadata)
    assert planner["clients"]["drb"].get(f"/api/consents/{cid}/pdf").status_code == 404


def test_no_record_without_a_valid_consent(planner):
    dra = planner["clients"]["dra"]
    pid = dra.post("/api/patients", json={**PATIENT, "label": "CS-2"}).json()["id"]
    aid = dra.post(f"/api/patients/{pid}/appointments", json={"starts_at": "2026-04-06T15:00:00"}).json()[0]["id"]
    r = dra.post(f"/api/appointments/{aid}/record", json=record_body())
    assert r.status_code == 409 and r.json()["detail"] == (
        "no signed consent for this patient: sign the consent before recording a treatment")
    cid = sign_consent(dra, pid)
    with planner["app"].state.sessions() as db:  # the form's text changed after signing: no longer valid
        c = db.get(models.ConsentRow, cid)
        tpl = db.get(models.ConsentTemplateRow, c.template_id)
        original = tpl.body_md
        tpl.body_md = original + "\n\nA sentence added afterwards."
        db.commit()
    assert dra.post(f"/api/appointments/{aid}/record", json=record_body()).status_code == 409
    with planner["app"].state.sessions() as db:
        db.get(models.ConsentTemplateRow, tpl.id).body_md = original
        db.commit()
    r = dra.post(f"/api/appointments/{aid}/record", json=record_body())
    assert r.status_code == 201 and r.json()["consent_id"] == cid


def test_signing_page_has_the_pad_and_its_script_and_signs_by_form(planner, pid):
    dra = planner["clients"]["dra"]
    page = dra.get(f"/patients/{pid}/consent").text
    assert 'id="signature-pad"' in page and 'src="/static/consent.js"' in page and "<script>" not in page
    version = dra.get("/api/consent-templates").json()[0]["version"]
    r = dra.form(f"/patients/{pid}/consent", {"template_version": str(version), "typed_name": "Form Signer",
                                               "signature_png_base64": "data:image/png;base64," + signature_png()})
    assert r.status_code == 303
    assert "Form Signer" in dra.get(r.headers["location"]).text
    r = dra.form(f"/patients/{pid}/consent", {"template_version": str(version), "typed_name": "Form Signer",
                                               "signature_png_base64": ""})
    assert r.status_code == 422 and "signature" in r.text
    assert message_beside(r.text, "signature-pad").startswith("Signature")  # beside the pad, in plain words
    assert message_beside(r.text, "typed_name") is None and 'value="Form Signer"' in r.text
    r = dra.form(f"/patients/{pid}/consent", {"template_version": str(version), "typed_name": "",
                                               "signature_png_base64": signature_png()})
    assert r.status_code == 422 and message_beside(r.text, "typed_name") == "Full name is required"
