"""Public pages and API, no login: the treatment page (/treatment, its figures with cache headers), the
pre-consultation questionnaire (/questionnaire and ``POST /api/intake``) and the patient link (/p/{token}).

Every write is rate limited per client address and overall (:mod:`microneedling.planner.public_limits`,
counted in the database), bodies are capped at ``Settings.public_max_body_bytes`` (photos: the upload limit),
every write is audited, and a missing, expired or used link token gets the same 404. No page here shows
anything from a patient record except, on a live link, that patient's own appointment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from microneedling.errors import InputError
from microneedling.patient import Fitzpatrick, ScarType, Zone
from microneedling.planner import consent, intake, patient_links, public
from microneedling.planner.deps import form_data, get_db
from microneedling.planner.form_errors import FormErrors, Names, form_errors, last_name
from microneedling.planner.models import utcnow
from microneedling.planner.public_limits import PublicLimit, admit
from microneedling.planner.services import NotFound
from microneedling.planner.web import blank, checked

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["public"])

FIGURE_MAX_AGE_S = 86400
SCAR_ROWS = 4
# plain-language Fitzpatrick helper (how the skin reacts to sun without protection)
PHOTOTYPE_HELP = {
    "I": "very fair; always burns, never tans",
    "II": "fair; usually burns, tans a little",
    "III": "medium; sometimes burns, tans slowly to light brown",
    "IV": "olive or light brown; rarely burns, tans easily",
    "V": "brown; very rarely burns, tans very easily",
    "VI": "dark brown or black; never burns",
}
SCAR_HELP = {
    "icepick": "narrow and deep, like a small pinprick hole",
    "boxcar": "round or oval dent with sharp edges and a flat floor",
    "rolling": "wide, shallow waves that make the skin look uneven",
}
HISTORY_ITEMS = (
    ("active_infection", "A skin infection or a cold sore on the face right now"),
    ("herpes_labialis", "Cold sores (herpes) in the past"),
    ("keloid_tendency", "Scars that grew raised and thick (keloids)"),
    ("anticoagulants", "Blood thinners (e.g. warfarin) or a bleeding disorder"),
    ("pregnant", "Pregnant or breastfeeding"),
    ("immunosuppressed", "Medicines or an illness that weaken the immune system"),
)
ACNE_CHOICES = (("0", "No spots now"), ("1", "A few spots"), ("2", "Many spots"), ("3", "Painful lumps or cysts"))


class FindingOut(BaseModel):
    rule: str
    level: str = Field(description="assessment_first (a provider must assess it first) or discuss")
    message: str


class IntakeOut(BaseModel):
    request_id: str
    findings: list[FindingOut]


def settings_of(request: Request):
    return request.app.state.settings


def _limit(request: Request) -> PublicLimit:
    s = settings_of(request)
    return PublicLimit(s.public_per_address, s.public_overall, s.public_window_s)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def check_limit(request: Request, db, scope: str) -> None:
    """Count this request against the public limits of ``scope``; 429 when over."""
    if not admit(db, scope, _address(request), _limit(request)):
        raise HTTPException(status_code=429, detail="too many requests from this address; please try later")


def limited(scope: str):
    """Dependency form of :func:`check_limit`."""

    def dep(request: Request, db=Depends(get_db)) -> None:
        check_limit(request, db, scope)

    return dep


def _render(request: Request, template: str, status: int = 200, **kw) -> HTMLResponse:
    s = settings_of(request)
    kw.update(request=request, clinic_name=s.clinic_name, clinic_address=s.clinic_address,
              retention_days=s.intake_retention_days)
    return request.app.state.templates.TemplateResponse(request, template, kw, status_code=status)


# ---- treatment page -----------------------------------------------------------------------------------------
@pages.get("/treatment")
def treatment(request: Request) -> HTMLResponse:
    return _render(request, "public_treatment.html", **public.page_content())


@pages.get("/treatment/figures/{name}.png")
def treatment_figure(name: str, request: Request) -> Response:
    try:
        fig = public.figure(name)
    except KeyError:
        raise NotFound("figure") from None
    headers = {"Cache-Control": f"public, max-age={FIGURE_MAX_AGE_S}", "ETag": f'"{fig.etag}"'}
    if request.headers.get("if-none-match") == f'"{fig.etag}"':
        return Response(status_code=304, headers=headers)
    return Response(fig.png, media_type="image/png", headers=headers)


# ---- questionnaire --------------------------------------------------------------------------------------------
def _form_context(values: dict | None = None, errors: FormErrors | None = None) -> dict:
    return {"values": values or {}, "errors": errors or [], "zones": [z.value for z in Zone],
            "scar_types": [(t.value, SCAR_HELP[t.value]) for t in ScarType],
            "phototypes": [(f.value, PHOTOTYPE_HELP[f.value]) for f in Fitzpatrick], "rows": range(SCAR_ROWS),
            "history_items": HISTORY_ITEMS, "acne_choices": ACNE_CHOICES}


def _scar_rows(form: dict[str, str]) -> list[int]:
    """The questionnaire's scar rows (0-based) whose zone is chosen, in form order (the rows sent)."""
    return [i for i in range(SCAR_ROWS) if blank(form.get(f"scar{i}_zone"))]


def intake_field_names(form: dict[str, str]) -> Names:
    """The input of the questionnaire behind a location of :class:`intake.IntakeIn` as :func:`intake_from_form`
    built it: ``scars.S.count`` -> ``scar{row}_count``, no scar row at all -> the first row's zone, ``history.X``
    -> ``X``, ``contact.name`` -> ``contact_name``."""
    rows = _scar_rows(form)

    def name(loc: tuple) -> str | None:
        if loc[:1] == ("scars",):
            if len(loc) >= 3 and isinstance(loc[1], int) and loc[1] < len(rows):
                return f"scar{rows[loc[1]]}_{loc[2]}"
            return "scar0_zone"
        if loc[:1] == ("contact",) and len(loc) > 1:
            return f"contact_{loc[1]}"
        return last_name(loc)
    return name


def intake_from_form(form: dict[str, str]) -> intake.IntakeIn:
    history = {"active_acne_grade": blank(form.get("active_acne_grade")) or 0,
               "isotretinoin_months_ago": blank(form.get("isotretinoin_months_ago")),
               "recent_filler_or_laser_months_ago": blank(form.get("recent_filler_or_laser_months_ago"))}
    for key, _ in HISTORY_ITEMS:
        history[key] = checked(form, key)
    scars = [{"zone": blank(form.get(f"scar{i}_zone")), "type": blank(form.get(f"scar{i}_type")),
              "count": blank(form.get(f"scar{i}_count"))} for i in _scar_rows(form)]
    return intake.IntakeIn.model_validate({
        "age_years": blank(form.get("age_years")), "sex": form.get("sex"), "fitzpatrick": form.get("fitzpatrick"),
        "history": history, "scars": scars,
        "contact": {"name": form.get("contact_name", "").strip(), "reach": form.get("contact_reach", "").strip()}})


@pages.get("/questionnaire")
def questionnaire(request: Request) -> HTMLResponse:
    return _render(request, "public_questionnaire.html", **_form_context())


@pages.post("/questionnaire")
def questionnaire_submit(request: Request, form: dict = Depends(form_data), _=Depends(limited("intake")),
                         db=Depends(get_db)) -> HTMLResponse:
    try:
        data = intake_from_form(form)
    except ValidationError as exc:
        errors = form_errors(exc, "intake", intake_field_names(form), intake.IntakeIn)
        return _render(request, "public_questionnaire.html", status=422, **_form_context(form, errors))
    row = intake.submit(db, data)
    db.commit()
    return _render(request, "public_intake_done.html", request_id=row.request_id, findings=row.findings)


@api.post("/intake", status_code=201, response_model=IntakeOut)
async def intake_api(request: Request) -> JSONResponse:
    """Send the questionnaire (no login): the plain-language findings and the request's reference."""
    limit = settings_of(request).public_max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return JSONResponse({"detail": f"request body larger than {limit} bytes"}, status_code=413)
    body = await request.body()
    if len(body) > limit:
        return JSONResponse({"detail": f"request body larger than {limit} bytes"}, status_code=413)
    return await run_in_threadpool(_submit_json, request, body)


def _submit_json(request: Request, body: bytes) -> JSONResponse:
    db = request.app.state.sessions()
    try:
        check_limit(request, db, "intake")
        row = intake.submit(db, intake.IntakeIn.model_validate_json(body))
        db.commit()
        return JSONResponse(IntakeOut(request_id=row.request_id, findings=row.findings).model_dump(),
                            status_code=201)
    finally:
        db.close()


# ---- patient link ---------------------------------------------------------------------------------------------
def _link_page(request: Request, db, token: str, status: int = 200, done: str | None = None,
               errors: FormErrors | None = None, values: dict | None = None) -> HTMLResponse:
    """The link's page; after a failed post, the ``errors`` of the posted form (``consent`` or ``photo``) beside
    its fields and its ``values`` shown again."""
    link = patient_links.resolve(db, token)
    return _render(request, "public_link.html", status=status, token=token, done=done, errors=errors or [],
                   values=values or {}, **patient_links.view(db, settings_of(request), link))


@pages.get("/p/{token}")
def link_page(request: Request, token: Annotated[str, Path(max_length=64)], _=Depends(limited("link")),
              db=Depends(get_db)) -> HTMLResponse:
    out = _link_page(request, db, token)
    db.commit()  # the built-in consent form, stored on first use
    return out


@pages.post("/p/{token}/consent")
def link_consent(request: Request, token: Annotated[str, Path(max_length=64)], form: dict = Depends(form_data),
                 _=Depends(limited("link")), db=Depends(get_db)) -> HTMLResponse:
    """The consent signed by the patient through the link (once per link), with the staff page's signature
    checks (:func:`microneedling.planner.consent.sign`); the link's issuer is recorded as collecting it."""
    link = patient_links.use(db, token, "consent")
    user, row = patient_links.issuer_and_patient(db, link)
    try:
        data = consent.ConsentIn.model_validate({"template_version": form.get("template_version"),
                                                 "typed_name": form.get("typed_name", ""),
                                                 "signature_png_base64": form.get("signature_png_base64", "")})
        consent.sign(db, user, row, data, _address(request))
    except (ValidationError, InputError) as exc:
        db.rollback()
        return _link_page(request, db, token, status=422, errors=form_errors(exc, "consent", model=consent.ConsentIn),
                          values={"typed_name": form.get("typed_name", "")})
    db.commit()
    return _link_page(request, db, token, done="Thank you: your signed consent has been sent to the clinic.")


@pages.post("/p/{token}/photo")
async def link_photo(request: Request, token: Annotated[str, Path(max_length=64)]) -> HTMLResponse:
    """A photo sent by the patient through the link (once per link; metadata stripped by the photo store)."""
    form = await request.form()
    upload = form.get("file")
    view = form.get("view")
    limit = settings_of(request).max_photo_bytes
    content = await upload.read(limit + 1) if isinstance(upload, StarletteUpload) and upload.filename else b""
    if len(content) > limit:
        return JSONResponse({"detail": f"photo larger than {limit} bytes"}, status_code=413)
    return await run_in_threadpool(_link_photo, request, token, view if isinstance(view, str) else "", content)


def _link_photo(request: Request, token: str, view: str, content: bytes) -> HTMLResponse:
    from microneedling.planner import photo_service
    from microneedling.planner.photo_store import NotAnImage

    db = request.app.state.sessions()
    try:
        check_limit(request, db, "link")
        link = patient_links.use(db, token, "photo")
        user, row = patient_links.issuer_and_patient(db, link)
        try:
            if not content:
                raise InputError("file", None, "is required: choose a JPEG or PNG file")
            data = photo_service.PhotoIn(view=view, taken_on=utcnow().date())
            try:
                photo_service.add_photo(db, user, row, data, content, settings_of(request).media_folder())
            except NotAnImage as exc:
                raise InputError("file", f"{len(content)} bytes", str(exc)) from None
        except (ValidationError, InputError) as exc:
            db.rollback()
            errors = form_errors(exc, "photo", model=photo_service.PhotoIn)
            return _link_page(request, db, token, status=422, errors=errors, values={"view": view})
        db.commit()
        return _link_page(request, db, token, done="Thank you: your photo has been sent to the clinic.")
    finally:
        db.close()
