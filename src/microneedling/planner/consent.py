"""Consent with an electronic signature.

* Templates are versioned Markdown: every edit by an admin or provider stores a new version with the SHA-256
  of its text; a signature names the version and hash it was given. The built-in version 1 lists the
  contraindications and cautions of the package's candidacy rules (``data/candidacy_rules.yaml``, with their
  reasons) and the expected effects of ``data/aftercare.yaml`` (with sources), so the consent says what the
  planner checks.
* Markdown is rendered with the ``markdown`` package after HTML-escaping the source, and links or images
  whose address is not http(s), mailto, a fragment or a path of this site are dropped, so clinic-edited text
  cannot inject markup or script.
* A signature is a PNG drawn on the signing page's pad (or sent by API as base64), validated at the edge:
  a real PNG (Pillow opens and verifies it), at most :data:`MAX_SIGNATURE_BYTES`, at most 2000 x 1000 px, and
  not blank (at least :data:`MIN_INK_PIXELS` drawn pixels). Stored with the typed name, UTC time, client
  address, template version and hash, and the user who took it.
* The signed PDF (WeasyPrint) embeds the template text, the signature image, names, time and hash; its title
  (PDF metadata) names the signer.
* A treatment can be recorded only under a valid consent: one signed for the patient whose stored hash is
  the hash of the template version's text as stored (:func:`valid_consent`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import io
import re
from typing import Annotated
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup
from PIL import Image, UnidentifiedImageError
from pydantic import BeforeValidator, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microneedling.clinic.aftercare import default_aftercare
from microneedling.clinic.candidacy import Level, default_rules
from microneedling.errors import InputError
from microneedling.inputs import StrictInput
from microneedling.planner.models import ConsentRow, ConsentTemplateRow, PatientRow, User, list_order
from microneedling.planner.services import NotFound, audit, get_patient

MAX_SIGNATURE_BYTES = 200_000  # decoded PNG, bytes
MAX_SIGNATURE_PX = (2000, 1000)  # width, height
MIN_INK_PIXELS = 40  # a dot is not a signature
BUILTIN_TITLE = "Consent to microneedling of atrophic acne scars"


def _png(value: object) -> bytes:
    """Base64 (optionally a ``data:image/png;base64,`` URL) -> PNG bytes, or ValueError saying why not."""
    if not isinstance(value, str):
        raise ValueError("the signature must be a base64 string")
    text = value.split(",", 1)[1] if value.startswith("data:") else value
    if not text.strip():
        raise ValueError("the signature is blank (nothing drawn; sign on the pad)")
    if len(text) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ValueError(f"the signature image is larger than {MAX_SIGNATURE_BYTES} bytes")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the signature is not valid base64") from None
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("the signature must be a PNG image")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(raw)) as img:
            if img.width > MAX_SIGNATURE_PX[0] or img.height > MAX_SIGNATURE_PX[1]:
                raise ValueError(f"the signature image is larger than {MAX_SIGNATURE_PX[0]} x "
                                 f"{MAX_SIGNATURE_PX[1]} pixels")
            ink = _ink_pixels(img)
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValueError("the signature is not a readable PNG image") from None
    if ink < MIN_INK_PIXELS:
        raise ValueError(f"the signature is blank ({ink} drawn pixels; sign on the pad)")
    return raw


def _ink_pixels(img: Image.Image) -> int:
    """Pixels that are drawn: opaque enough (alpha > 32) and dark enough (luminance < 160 of 255)."""
    rgba = img.convert("RGBA")
    alpha = rgba.getchannel("A").point(lambda a: 255 if a > 32 else 0)
    dark = rgba.convert("L").point(lambda v: 255 if v < 160 else 0)
    both = Image.composite(dark, Image.new("L", rgba.size, 0), alpha)
    return sum(both.histogram()[255:])


class ConsentIn(StrictInput):
    template_version: Annotated[int, Field(ge=1)]
    typed_name: Annotated[str, Field(min_length=2, max_length=120, pattern=r"^[^\x00-\x1f<>]+$",
                                     description="the signer's name as typed by them")]
    signature_png_base64: Annotated[bytes, BeforeValidator(_png),
                                    Field(description="the drawn signature, PNG as base64 (data URL allowed)")]


class ConsentTemplateIn(StrictInput):
    title: Annotated[str, Field(min_length=3, max_length=120)]
    body_md: Annotated[str, Field(min_length=20, max_length=50_000, description="Markdown")]


# ---- templates -------------------------------------------------------------------------------------------
def builtin_markdown() -> str:
    """Version 1: the procedure, the contraindications and cautions of the packaged candidacy rules (their
    reasons), the expected effects of the packaged aftercare data, and the statements the patient signs."""
    rules = default_rules()
    care = default_aftercare()

    def bullets(items: list[str]) -> str:
        return "\n".join(f"- {t}" for t in items)

    return "\n\n".join([
        f"# {BUILTIN_TITLE}",
        "Microneedling makes many fine punctures in the skin with a pen, roller or stamp to start wound "
        "healing and remodel atrophic acne scars. A course is usually several sessions some weeks apart; the "
        "needle length for each area of the face is chosen by your provider and recorded.",
        "## Expected effects and risks",
        bullets([i.text for i in care.expected_effects]),
        "## When microneedling is not done (contraindications)",
        "Tell your provider if any of these applies to you now:",
        bullets([r.reason for r in rules if r.level == Level.contraindication]),
        "## When extra care is needed (cautions)",
        bullets([r.reason for r in rules if r.level == Level.caution]),
        "## Your consent",
        bullets(["I have read this form and had the chance to ask questions.",
                 "I have told my provider about my medical history, medicines and pregnancy.",
                 "I understand that results vary and that several sessions may be needed.",
                 "I agree to the aftercare advice and will contact the clinic if a problem develops.",
                 "I consent to microneedling of my acne scars."]),
    ])


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ensure_builtin(db: Session) -> None:
    """Store the built-in template as version 1 if no template is stored yet."""
    if db.scalar(select(ConsentTemplateRow.id).limit(1)) is None:
        body = builtin_markdown()
        db.add(ConsentTemplateRow(version=1, title=BUILTIN_TITLE, body_md=body, sha256=sha256(body), created_by=None))
        db.flush()


def templates(db: Session) -> list[ConsentTemplateRow]:
    """Every version, newest first."""
    ensure_builtin(db)
    return list(db.scalars(select(ConsentTemplateRow).order_by(ConsentTemplateRow.version.desc())))


def template(db: Session, version: int | None = None) -> ConsentTemplateRow:
    """Version ``version`` (the latest if None); an unknown version is an input error."""
    ensure_builtin(db)
    if version is None:
        version = db.scalar(select(func.max(ConsentTemplateRow.version)))
    row = db.scalar(select(ConsentTemplateRow).where(ConsentTemplateRow.version == version))
    if row is None:
        latest = db.scalar(select(func.max(ConsentTemplateRow.version)))
        raise InputError("template_version", version, f"no consent template has this version (latest: {latest})")
    return row


def new_version(db: Session, user: User, data: ConsentTemplateIn) -> ConsentTemplateRow:
    """Store an edit as the next version with the SHA-256 of its text."""
    ensure_builtin(db)
    version = (db.scalar(select(func.max(ConsentTemplateRow.version))) or 0) + 1
    row = ConsentTemplateRow(version=version, title=data.title, body_md=data.body_md, sha256=sha256(data.body_md),
                             created_by=user.id)
    db.add(row)
    db.flush()
    audit(db, user, "create", "consent_template", row.id, version=version, sha256=row.sha256)
    return row


class _SafeUrls(Treeprocessor):
    SAFE = re.compile(r"^(https?:|mailto:|#|/(?!/))", re.IGNORECASE)

    def run(self, root: Element) -> None:
        for el in root.iter():
            for attr in ("href", "src"):
                value = el.get(attr)
                if value is not None and not self.SAFE.match(value.strip()):
                    del el.attrib[attr]


class _SafeUrlExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (markdown's API name)
        md.treeprocessors.register(_SafeUrls(md), "safe_urls", 0)


def render_markdown(text: str) -> Markup:
    """Clinic-edited Markdown as HTML: the source is HTML-escaped first (raw HTML shows as text) and unsafe
    link and image addresses are dropped."""
    return Markup(markdown.markdown(html.escape(text, quote=False), extensions=[_SafeUrlExtension()],
                                    output_format="html"))


# ---- signatures -------------------------------------------------------------------------------------------
def sign(db: Session, user: User, row: PatientRow, data: ConsentIn, client_address: str) -> ConsentRow:
    tpl = template(db, data.template_version)
    c = ConsentRow(patient_id=row.id, template_id=tpl.id, template_version=tpl.version, template_sha256=tpl.sha256,
                   typed_name=data.typed_name.strip(), signature_png=data.signature_png_base64,
                   client_address=client_address[:64], collected_by=user.id)
    db.add(c)
    db.flush()
    audit(db, user, "sign", "consent", c.id, patient_id=row.id, template_version=tpl.version,
          template_sha256=tpl.sha256, typed_name=c.typed_name, client_address=c.client_address,
          signature_sha256=hashlib.sha256(c.signature_png).hexdigest())
    return c


def get_consent(db: Session, user: User, consent_id: int) -> tuple[ConsentRow, PatientRow]:
    c = db.get(ConsentRow, consent_id)
    if c is None:
        raise NotFound(f"consent {consent_id}")
    return c, get_patient(db, user, c.patient_id)


def consents_of(db: Session, row: PatientRow) -> list[ConsentRow]:
    return list(db.scalars(select(ConsentRow).where(ConsentRow.patient_id == row.id)
                           .order_by(*list_order(ConsentRow))))


def valid_consent(db: Session, patient_id: int) -> ConsentRow | None:
    """The patient's latest consent whose recorded hash is the hash of its template version's stored text."""
    q = (select(ConsentRow, ConsentTemplateRow).join(ConsentTemplateRow, ConsentTemplateRow.id == ConsentRow.template_id)
         .where(ConsentRow.patient_id == patient_id).order_by(ConsentRow.id.desc()))
    for c, tpl in db.execute(q):
        if c.template_sha256 == tpl.sha256 == sha256(tpl.body_md):
            return c
    return None


def signature_data_url(c: ConsentRow) -> str:
    return "data:image/png;base64," + base64.b64encode(c.signature_png).decode("ascii")


def pdf(c: ConsentRow, tpl: ConsentTemplateRow, patient_label: str, collected_by: str, signed_local: str,
        clinic_name: str) -> bytes:
    """The signed consent as PDF (WeasyPrint): template text, signature image, typed name, patient code,
    the user who took it, UTC and clinic time, template version and SHA-256. PDF title: the signer."""
    from weasyprint import HTML  # imported here: loads Pango, only needed for this file

    e = html.escape
    doc = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Signed consent: {e(c.typed_name)}</title><meta name="author" content="{e(clinic_name)}">
<style>@page {{ size: A4; margin: 18mm 16mm; }} body {{ font-family: 'DejaVu Sans', sans-serif; font-size: 10pt;
line-height: 1.4; }} h1 {{ font-size: 15pt; }} h2 {{ font-size: 12pt; margin-top: 1.2em; }}
.sig {{ border: 1px solid #888; padding: 6pt; margin-top: 1em; page-break-inside: avoid; }}
.sig img {{ max-width: 80mm; max-height: 35mm; }} table td {{ padding: 2pt 8pt 2pt 0; vertical-align: top; }}
.hash {{ font-family: 'DejaVu Sans Mono', monospace; font-size: 8pt; word-break: break-all; }}</style></head><body>
<p>{e(clinic_name)} - patient {e(patient_label)}</p>
{render_markdown(tpl.body_md)}
<div class="sig"><img alt="signature" src="{signature_data_url(c)}">
<table><tr><td>Signed by</td><td><strong>{e(c.typed_name)}</strong></td></tr>
<tr><td>Signed at</td><td>{e(c.signed_at.strftime('%Y-%m-%d %H:%M:%S'))} UTC ({e(signed_local)})</td></tr>
<tr><td>Taken by</td><td>{e(collected_by)}, from address {e(c.client_address)}</td></tr>
<tr><td>Consent form</td><td>version {c.template_version}: {e(tpl.title)}</td></tr>
<tr><td>SHA-256 of the form</td><td class="hash">{e(c.template_sha256)}</td></tr></table></div>
</body></html>"""
    return HTML(string=doc).write_pdf()
