"""Checking and cleaning an uploaded KYC file before anything is stored.

The type is sniffed from the bytes (the name and the declared type are not trusted). Images are
decoded under a pixel cap (decompression bombs are refused from the header, before decoding) and
re-encoded, which drops EXIF and every other metadata chunk. PDFs are kept as sent, once their
structure looks like a PDF and they carry no scripts or launch actions.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.common.errors import ApplicationError

JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"
SIGNATURES = ((b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG), (b"%PDF-", PDF))
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG"}
# Markers of active content in a PDF; a KYC scan needs none of them.
PDF_ACTIVE_MARKERS = (b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/RichMedia")


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    content_type: str
    sha256: str
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.content)


def max_upload_bytes() -> int:
    return settings.KYC_MAX_UPLOAD_MB * 1024 * 1024


def _error(field: str, message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def document_clean(upload, *, field: str) -> CleanFile:
    """Validate one uploaded file; raise ``ApplicationError`` on ``field`` or return clean bytes."""
    if upload is None:
        raise _error(field, _("This file is required."), "file_required")
    size = getattr(upload, "size", None) or 0
    limit = max_upload_bytes()
    if size > limit or getattr(upload, "oversized", False):
        raise _error(
            field,
            _("The file is too large: the limit is %(limit)s MB.") % {"limit": settings.KYC_MAX_UPLOAD_MB},
            "file_too_large",
        )
    if size == 0:
        raise _error(field, _("The file is empty."), "file_empty")
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise _error(
            field,
            _("The file is too large: the limit is %(limit)s MB.") % {"limit": settings.KYC_MAX_UPLOAD_MB},
            "file_too_large",
        )
    content_type = sniff_content_type(content[:16])
    if content_type is None:
        raise _error(field, _("Upload a JPEG, PNG or PDF file."), "file_type_invalid")
    if content_type == PDF:
        return _pdf_clean(content, field=field)
    return _image_clean(content, content_type=content_type, field=field)


def _image_clean(content: bytes, *, content_type: str, field: str) -> CleanFile:
    unreadable = _error(field, _("This image could not be read; upload a clear JPEG or PNG."), "file_unreadable")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=[PILLOW_FORMATS[content_type]])
            width, height = image.size
            if width * height > settings.KYC_MAX_IMAGE_PIXELS:
                raise _error(field, _("This image is too large to process."), "file_bomb")
            image.load()
            clean = _reencode(image, content_type=content_type)
    except ApplicationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _error(field, _("This image is too large to process."), "file_bomb") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise unreadable from None
    return CleanFile(
        content=clean, content_type=content_type, sha256=hashlib.sha256(clean).hexdigest(), width=width, height=height
    )


def _reencode(image: Image.Image, *, content_type: str) -> bytes:
    """Apply the EXIF rotation, then write a fresh file with no metadata at all."""
    image = ImageOps.exif_transpose(image)
    if content_type == JPEG and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if content_type == PNG and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    fresh = Image.frombytes(image.mode, image.size, image.tobytes())
    if image.mode == "P":
        fresh.putpalette(image.getpalette())
    out = io.BytesIO()
    if content_type == JPEG:
        fresh.save(out, format="JPEG", quality=90, optimize=True)
    else:
        fresh.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _pdf_clean(content: bytes, *, field: str) -> CleanFile:
    if b"%%EOF" not in content[-2048:]:
        raise _error(field, _("This PDF is damaged or incomplete."), "file_unreadable")
    if b"/Encrypt" in content:
        raise _error(field, _("This PDF is password-protected; upload an unprotected copy."), "file_encrypted")
    if any(marker in content for marker in PDF_ACTIVE_MARKERS):
        raise _error(field, _("This PDF contains scripts or attachments; upload a plain scan."), "file_active_content")
    return CleanFile(content=content, content_type=PDF, sha256=hashlib.sha256(content).hexdigest())
