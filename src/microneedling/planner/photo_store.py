"""Clinical photo files: content sniffing, metadata stripping, thumbnails and content-addressed storage.

An upload is accepted only if Pillow reads it as JPEG or PNG (the content decides, not the file name or the
client's MIME type; HEIC is not accepted, since its decoder, pillow-heif, is not a dependency). The EXIF
orientation is applied to the pixels, then the pixels alone are re-encoded, so no EXIF (GPS position, camera,
time), XMP, ICC or text chunk of the upload is kept. The stored file is named by the SHA-256 of the stored
bytes (``<sha256>.jpg`` or ``.png``) with a JPEG thumbnail beside it (``<sha256>.thumb.jpg``, longest side
:data:`THUMB_PX`); files are written to a temporary name and renamed into place, so a reader never sees half
a file."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

THUMB_PX = 320  # longest side of a thumbnail, pixels
JPEG_QUALITY = 92
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}


class NotAnImage(ValueError):
    """The upload is not a JPEG or PNG image Pillow can read."""


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    content_type: str
    width_px: int
    height_px: int


def _pixels_only(img: Image.Image, fmt: str) -> Image.Image:
    """A new image holding only the pixels (orientation applied), in a mode the format stores."""
    img = ImageOps.exif_transpose(img)
    if fmt == "JPEG":
        mode = "L" if img.mode in ("1", "L") else "RGB"
    else:
        has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
        mode = "RGBA" if has_alpha else ("L" if img.mode in ("1", "L") else "RGB")
    img = img.convert(mode)
    return Image.frombytes(mode, img.size, img.tobytes())


def clean_image(data: bytes) -> tuple[bytes, str, Image.Image]:
    """(re-encoded bytes without metadata, Pillow format name, the clean image) of an uploaded JPEG or PNG."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        if fmt not in FORMATS:
            raise NotAnImage(f"{fmt} images are not accepted: upload a JPEG or PNG")
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            clean = _pixels_only(img, fmt)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise NotAnImage("not a readable JPEG or PNG image: choose a photo taken as JPEG or PNG") from exc
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue(), fmt, clean


def thumbnail(img: Image.Image) -> bytes:
    """JPEG thumbnail, longest side :data:`THUMB_PX` (transparency on white)."""
    thumb = img.copy()
    thumb.thumbnail((THUMB_PX, THUMB_PX))
    if thumb.mode in ("RGBA", "LA"):
        base = Image.new("RGB", thumb.size, "white")
        base.paste(thumb, mask=thumb.getchannel("A"))
        thumb = base
    out = io.BytesIO()
    thumb.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def _write(path: Path, data: bytes) -> None:
    if path.exists():
        return  # content-addressed: the same name holds the same bytes
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_name(sha256: str, content_type: str, thumb: bool = False) -> str:
    if thumb:
        return f"{sha256}.thumb.jpg"
    return f"{sha256}.{'png' if content_type == 'image/png' else 'jpg'}"


def store(folder: Path, data: bytes) -> StoredPhoto:
    """Clean ``data`` (an uploaded image) and store it and its thumbnail in ``folder``; raises :class:`NotAnImage`."""
    clean_bytes, fmt, img = clean_image(data)
    content_type = FORMATS[fmt][0]
    sha = hashlib.sha256(clean_bytes).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / file_name(sha, content_type), clean_bytes)
    _write(folder / file_name(sha, content_type, thumb=True), thumbnail(img))
    return StoredPhoto(sha, content_type, img.width, img.height)


def path_of(folder: Path, sha256: str, content_type: str, thumb: bool = False) -> Path:
    return folder / file_name(sha256, content_type, thumb)
