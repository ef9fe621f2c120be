"""Clinical photos: upload contract, type from the content (a PNG named .jpg stays PNG, text refused), EXIF
and GPS gone after upload, orientation applied, size limit (413), access (other provider 404, assistant
allowed), every view audited, consent flag, and follow-up photo names that look like paths refused."""

import io
import re

import pytest
from PIL import Image
from planner_support import PATIENT, Client, message_beside, seed_users

from microneedling.planner.app import create_app
from microneedling.planner.services import audit_rows
from microneedling.planner.settings import Settings

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size=(64, 32), orientation: int | None = None) -> bytes:
    img = Image.new("RGB", size, (200, 40, 40))
    img.paste((20, 20, 220), (0, 0, size[0] // 2, size[1]))  # left half blue: shows a rotation
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0132] = "2026:11:02 10:00:00"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    if orientation is not None:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 120, 10, 255)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """An app with a 200 kB photo limit (the size test stays small) and a media folder of its own."""
    tmp = tmp_path_factory.mktemp("photos")
    app = create_app(Settings(database_url=f"sqlite:///{tmp / 'p.db'}", fast_hash=True, max_photo_bytes=200_000))
    ids = seed_users(app)
    clients = {name: Client(app, name) for name in ids}
    pid = clients["dra"].post("/api/patients", json=PATIENT).json()["id"]
    return {"app": app, "clients": clients, "patient": pid, "media": tmp / "media"}


def upload(client, pid, content, name="photo.jpg", mime="image/jpeg", **fields):
    data = {"view": "front", "taken_on": "2026-11-02", **fields}
    return client.post(f"/api/patients/{pid}/photos", files={"file": (name, content, mime)}, data=data)


def test_upload_strips_exif_and_gps(photos):
    dra, pid = photos["clients"]["dra"], photos["patient"]
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(GPS_IFD)  # the upload does carry GPS
    r = upload(dra, pid, raw)
    assert r.status_code == 201, r.text
    got = dra.get(f"/api/photos/{r.json()['id']}")
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"
    img = Image.open(io.BytesIO(got.content))
    assert img.format == "JPEG" and img.size == (64, 32)
    assert len(img.getexif()) == 0 and "exif" not in img.info
    assert b"PhoneMaker" not in got.content and b"Exif" not in got.content
    stored = list(photos["media"].glob("*.jpg"))
    assert any(re.fullmatch(r"[0-9a-f]{64}\.jpg", p.name) for p in stored)  # named by content hash


def test_exif_orientation_applied_before_stripping(photos):
    dra, pid = photos["clients"]["dra"], photos["patient"]
    r = upload(dra, pid, jpeg_with_gps(orientation=6), view="left")  # 6: rotate 90 degrees clockwise to view
    img = Image.open(io.BytesIO(dra.get(f"/api/photos/{r.json()['id']}").content))
    assert img.size == (32, 64)
    top = img.convert("RGB").getpixel((16, 4))
    assert top[2] > 150 and top[0] < 100  # the blue (left) half is now on top


def test_png_named_jpg_is_stored_as_png_and_thumbnail(photos):
    dra, pid = photos["clients"]["dra"], photos["patient"]
    r = upload(dra, pid, png_bytes((640, 480)), name="holiday.jpg", mime="image/jpeg", view="right")
    assert r.status_code == 201, r.text
    got = dra.get(f"/api/photos/{r.json()['id']}")
    assert got.headers["content-type"] == "image/png" and Image.open(io.BytesIO(got.content)).format == "PNG"
    thumb = dra.get(f"/api/photos/{r.json()['id']}?thumb=1")
    assert thumb.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 320


@pytest.mark.parametrize("content, name", [(b"just some text\n" * 20, "notes.jpg"), (b"GIF89a" + b"\0" * 50, "a.png")])
def test_non_images_refused(photos, content, name):
    r = upload(photos["clients"]["dra"], photos["patient"], content, name=name)
    assert r.status_code == 422 and "JPEG or PNG" in str(r.json()["detail"])


def test_size_limit_413(photos):
    """Over the limit: refused by the route (just over) or before parsing (far over, beyond the multipart
    allowance); nothing stored either way."""
    dra, pid = photos["clients"]["dra"], photos["patient"]
    before = len(dra.get(f"/api/patients/{pid}/photos").json())
    big = io.BytesIO()
    Image.effect_noise((400, 400), 80).convert("RGB").save(big, "PNG")  # noise does not compress
    assert len(big.getvalue()) > 200_000 + 64_000
    for content in (big.getvalue(), b"\x89PNG" + b"\0" * 210_000):
        r = upload(dra, pid, content, name="big.png", mime="image/png")
        assert r.status_code == 413, r.text
    assert len(dra.get(f"/api/patients/{pid}/photos").json()) == before


@pytest.mark.parametrize("field, value", [("view", "top"), ("taken_on", "yesterday")])
def test_bad_fields_422(photos, field, value):
    r = upload(photos["clients"]["dra"], photos["patient"], png_bytes(), **{field: value})
    assert r.status_code == 422 and field in str(r.json()["detail"])


def test_access_and_every_view_audited(photos):
    c, pid = photos["clients"], photos["patient"]
    pid_id = upload(c["asa"], pid, png_bytes(), view="oblique_left", visit="2026-11-03", consent_to_share="true")
    assert pid_id.status_code == 201, pid_id.text  # the provider's assistant may upload
    photo_id = pid_id.json()["id"]
    assert c["drb"].get(f"/api/photos/{photo_id}").status_code == 404
    assert c["drb"].get(f"/api/patients/{pid}/photos").status_code == 404
    assert upload(c["drb"], pid, png_bytes()).status_code == 404
    for who in ("dra", "asa", "dra"):
        assert c[who].get(f"/api/photos/{photo_id}?thumb=1").status_code == 200
    with photos["app"].state.sessions() as db:
        views = [a for a in audit_rows(db) if a.entity == "photo" and a.entity_id == photo_id and a.action == "view"]
    assert len(views) == 3
    listed = next(p for p in c["dra"].get(f"/api/patients/{pid}/photos").json() if p["id"] == photo_id)
    assert listed["visit_date"] == "2026-11-03" and listed["consent_to_share"] is True
    r = c["dra"].http.patch(f"/api/photos/{photo_id}", json={"consent_to_share": False},
                            headers={"X-CSRF-Token": c["dra"].csrf})
    assert r.status_code == 200 and r.json()["consent_to_share"] is False


def test_gallery_and_compare_pages(photos):
    dra, pid = photos["clients"]["dra"], photos["patient"]
    page = dra.get(f"/patients/{pid}")
    assert page.status_code == 200 and 'id="photos"' in page.text and "?thumb=1" in page.text
    compare = dra.get(f"/patients/{pid}/photos/compare")
    assert compare.status_code == 200 and 'id="overlay-opacity"' in compare.text
    assert '<script src="/static/photo_compare.js"' in compare.text
    assert photos["clients"]["drb"].get(f"/patients/{pid}/photos/compare").status_code == 404


def test_page_upload_form(photos):
    dra, pid = photos["clients"]["dra"], photos["patient"]
    r = dra.http.post(f"/patients/{pid}/photos", files={"file": ("f.png", png_bytes(), "image/png")},
                      data={"csrf_token": dra.csrf, "view": "front", "taken_on": "2026-11-05"},
                      follow_redirects=False)
    assert r.status_code == 303, r.text
    bad = dra.http.post(f"/patients/{pid}/photos", files={"file": ("f.png", b"not an image", "image/png")},
                        data={"csrf_token": dra.csrf, "view": "front", "taken_on": "2026-11-05"})
    assert bad.status_code == 422 and "JPEG or PNG" in bad.text
    form = bad.text[bad.text.index('id="photo-form"'):]
    assert "JPEG or PNG" in message_beside(form, "file") and 'value="2026-11-05"' in form
    missing = dra.http.post(f"/patients/{pid}/photos", data={"csrf_token": dra.csrf, "view": "front",
                                                             "taken_on": "2026-11-05"})
    assert missing.status_code == 422
    assert message_beside(missing.text[missing.text.index('id="photo-form"'):], "file") == (
        "Photo is required: choose a JPEG or PNG file")
    no_csrf = dra.http.post(f"/patients/{pid}/photos", files={"file": ("f.png", png_bytes(), "image/png")},
                            data={"view": "front", "taken_on": "2026-11-05"})
    assert no_csrf.status_code == 403


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "a/b.jpg", "..", ".hidden"])
def test_followup_photo_names_like_paths_refused(photos, name):
    r = photos["clients"]["dra"].post(f"/api/patients/{photos['patient']}/followups", json={
        "week": 4, "gb_score": 10, "photos": [{"view": "front", "file": name}]})
    assert r.status_code == 422, r.text
