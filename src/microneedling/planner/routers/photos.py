"""Clinical photos: upload (page form and JSON API, multipart), the stored image or its thumbnail (every view
audited), the consent-to-share flag, and the before/after comparison page (side by side and as an overlay;
its script is ``static/photo_compare.js``)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from microneedling.errors import InputError
from microneedling.planner import photo_service as ps
from microneedling.planner import services as sv
from microneedling.planner.deps import Ctx, check_csrf, form_data, require
from microneedling.planner.models import PatientRow
from microneedling.planner.photo_store import NotAnImage
from microneedling.planner.routers.patients import patient_post
from microneedling.planner.web import blank, checked, render, see_other

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["photos"])

# bodies up to the photo limit (SecurityHeaders): staff uploads and a patient's photo through a patient link
UPLOAD_PATHS = re.compile(r"(/api)?/patients/[0-9]+/photos|/p/[A-Za-z0-9_-]{1,64}/photo")
MULTIPART_OVERHEAD_BYTES = 64_000  # form fields and part headers beside the photo itself


def _within_limit(request: Request, content: bytes) -> bytes:
    """``content`` (read up to one byte past the limit); 413 beyond ``Settings.max_photo_bytes``."""
    limit = request.app.state.settings.max_photo_bytes
    if len(content) > limit:
        raise HTTPException(413, f"photo larger than {limit} bytes")
    return content


def _upload(request: Request, ctx: Ctx, row: PatientRow, fields: dict, content: bytes) -> int:
    data = ps.PhotoIn.model_validate(fields)
    try:
        photo = ps.add_photo(ctx.db, ctx.user, row, data, content, request.app.state.settings.media_folder())
    except NotAnImage as exc:
        raise InputError("file", f"{len(content)} bytes", str(exc)) from None
    return photo.id


@api.post("/patients/{patient_id}/photos", status_code=201, response_model=ps.PhotoCreatedOut)
def upload_photo(request: Request, patient_id: int, file: UploadFile = File(...), view: str = Form(...),
                 taken_on: str = Form(...), visit: str | None = Form(None), consent_to_share: bool = Form(False),
                 ctx: Ctx = Depends(require("followup.write"))):
    """Upload a JPEG or PNG (type read from the content; metadata stripped). 413 over the size limit."""
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    content = _within_limit(request, file.file.read(request.app.state.settings.max_photo_bytes + 1))
    photo_id = _upload(request, ctx, row, {"view": view, "taken_on": taken_on, "visit": blank(visit),
                                           "consent_to_share": consent_to_share}, content)
    ctx.db.commit()
    return {"id": photo_id}


@api.get("/patients/{patient_id}/photos", response_model=list[ps.PhotoOut])
def list_photos(patient_id: int, ctx: Ctx = Depends(require("patient.read"))):
    return ps.photos_of(ctx.db, sv.get_patient(ctx.db, ctx.user, patient_id))


@api.get("/photos/{photo_id}", response_class=Response,
         responses={200: {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                                      "image/png": {"schema": {"type": "string", "format": "binary"}}},
                          "description": "the stored image, or its JPEG thumbnail"}})
def photo(request: Request, photo_id: int, thumb: bool = False,
          ctx: Ctx = Depends(require("patient.read"))) -> FileResponse:
    """The stored image (``?thumb=1``: its JPEG thumbnail); the view is audited."""
    path, content_type = ps.view_photo(ctx.db, ctx.user, photo_id, request.app.state.settings.media_folder(), thumb)
    ctx.db.commit()
    return FileResponse(path, media_type=content_type)


@api.patch("/photos/{photo_id}", response_model=ps.PhotoOut)
def update_photo(photo_id: int, body: ps.ConsentIn, ctx: Ctx = Depends(require("followup.write"))):
    photo = ps.set_consent(ctx.db, ctx.user, photo_id, body)
    ctx.db.commit()
    return photo


@pages.post("/patients/{patient_id}/photos")
async def upload_submit(request: Request, patient_id: int, ctx: Ctx = Depends(require("followup.write"))) -> Response:
    """The patient page's upload form (multipart, with the CSRF token as a field)."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    upload = form.get("file")
    check_csrf(ctx, fields)
    chosen = isinstance(upload, StarletteUpload) and bool(upload.filename)
    content = _within_limit(request, await upload.read(request.app.state.settings.max_photo_bytes + 1)) if chosen else b""

    def act(row: PatientRow) -> str:
        if not chosen:
            raise InputError("file", None, "is required: choose a JPEG or PNG file")
        _upload(request, ctx, row, {"view": fields.get("view"), "taken_on": blank(fields.get("taken_on")),
                                    "visit": blank(fields.get("visit")),
                                    "consent_to_share": checked(fields, "consent_to_share")}, content)
        return f"/patients/{patient_id}#photos"
    return patient_post(request, ctx, fields, patient_id, act, "photo", ps.PhotoIn)


@pages.post("/photos/{photo_id}/consent")
def consent_submit(request: Request, photo_id: int, form: dict = Depends(form_data),
                   ctx: Ctx = Depends(require("followup.write"))) -> Response:
    check_csrf(ctx, form)
    photo = ps.set_consent(ctx.db, ctx.user, photo_id, ps.ConsentIn(consent_to_share=checked(form, "consent_to_share")))
    ctx.db.commit()
    return see_other(f"/patients/{photo.patient_id}#photos")


@pages.get("/patients/{patient_id}/photos/compare")
def compare(request: Request, patient_id: int, a: int | None = None, b: int | None = None,
            ctx: Ctx = Depends(require("patient.read"))) -> HTMLResponse:
    """Before/after: two photos of the patient side by side and as an overlay with an opacity slider."""
    row = sv.get_patient(ctx.db, ctx.user, patient_id)
    photos = ps.photos_of(ctx.db, row)
    by_id = {p.id: p for p in photos}
    before = by_id.get(a) if a is not None else (photos[0] if photos else None)
    after = by_id.get(b) if b is not None else (photos[-1] if len(photos) > 1 else None)
    if (a is not None and before is None) or (b is not None and after is None):
        raise sv.NotFound(f"photo of patient {patient_id}")
    return render(request, "photo_compare.html", ctx, patient=row, photos=photos, before=before, after=after)
