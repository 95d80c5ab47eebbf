"""Checking and cleaning an uploaded KYC file before anything is stored.

The type is sniffed from the bytes (the name and the declared type are not trusted). Images are
decoded under a pixel cap (decompression bombs are refused from the header, before decoding) and
re-encoded, which drops EXIF and every other metadata chunk. PDFs are kept as sent, once their
structure looks like a PDF, they carry no active content (scripts, actions run on an event or that
reach out of the document, links, form submission, attachments, rich media, XFA; looked for with name
escapes undone and inside compressed object streams too) and their bytes hold no HTML (a PDF/HTML
polyglot).
"""

import hashlib
import io
import re
import warnings
import zlib
from collections.abc import Iterator
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
# Names that mark active content in a PDF; a KYC scan needs none. Scripts (``/JavaScript``, ``/JS``,
# XFA forms), actions run on an event (``/AA``), links and actions that reach out (``/URI``,
# ``/Launch``, ``/SubmitForm``, ``/ImportData``, ``/GoToR``, ``/GoToE``), attachments and rich
# media. ``/OpenAction`` itself is allowed (many producers open the first page with it): the action
# it runs is refused by its type above. A whole name only: ``/AAAAAB+Arial`` (a font subset) is not
# ``/AA``.
PDF_ACTIVE_NAME = re.compile(
    rb"/(?:JavaScript|JS|XFA|AA|URI|Launch|SubmitForm|ImportData|GoToR|GoToE"
    rb"|EmbeddedFiles?|RichMedia\w*)(?=[\s\x00/\[\]<>(){}%]|\Z)"
)
# HTML that a browser sniffing the bytes would run: a PDF that is also a web page is refused.
PDF_HTML_MARKER = re.compile(rb"<(?:html|script|!doctype\s+html)", re.IGNORECASE)
# A name with #xx escapes (``/J#61vaScript`` is ``/JavaScript`` to a reader), and one escape.
PDF_ESCAPED_NAME = re.compile(rb"/[^\s\x00/\[\]<>(){}%#]*#[^\s\x00/\[\]<>(){}%]*")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")
PDF_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b")
PDF_FLATE_ONLY = re.compile(rb"/Filter\s*(?:/FlateDecode|\[\s*/FlateDecode\s*\])")
# Dictionaries in compressed object streams are inflated to be checked too, up to this much.
PDF_OBJECT_STREAMS_MAX_BYTES = 16 * 1024 * 1024


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
            clean, (width, height) = _reencode(image, content_type=content_type)
    except ApplicationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _error(field, _("This image is too large to process."), "file_bomb") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise unreadable from None
    return CleanFile(
        content=clean, content_type=content_type, sha256=hashlib.sha256(clean).hexdigest(), width=width, height=height
    )


def _reencode(image: Image.Image, *, content_type: str) -> tuple[bytes, tuple[int, int]]:
    """Apply the EXIF rotation, then write a fresh file with no metadata at all. Returns the
    bytes and the size of the image as stored (rotated)."""
    fresh = _storable_mode(ImageOps.exif_transpose(image), content_type=content_type)
    if fresh is image:
        fresh = image.copy()
    # Only pixels (and a palette) go on: every metadata chunk the encoder could write back
    # (EXIF, ICC, XMP, text) lives in ``info``. No raw-bytes copy, so a large photo is held twice
    # at most while it is re-encoded.
    fresh.info = {}
    out = io.BytesIO()
    if content_type == JPEG:
        fresh.save(out, format="JPEG", quality=90, optimize=True)
    else:
        fresh.save(out, format="PNG", optimize=False)
    return out.getvalue(), fresh.size


def _storable_mode(image: Image.Image, *, content_type: str) -> Image.Image:
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        # 16-bit grey: scale to 8 bits (a plain conversion clips every tone above 255 to white).
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if content_type == JPEG and image.mode not in ("RGB", "L"):
        return image.convert("RGB")
    if content_type == PNG and "transparency" in image.info:
        # The transparent colour is a metadata chunk that the fresh copy would lose.
        return image.convert("RGBA")
    if content_type == PNG and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        return image.convert("RGBA")
    return image


def _pdf_clean(content: bytes, *, field: str) -> CleanFile:
    damaged = _error(field, _("This PDF is damaged or incomplete."), "file_unreadable")
    if b"%%EOF" not in content[-2048:]:
        raise damaged
    readable = _pdf_names_decoded(content)
    if b"/Encrypt" in readable:
        raise _error(field, _("This PDF is password-protected; upload an unprotected copy."), "file_encrypted")
    try:
        readable += b"".join(_pdf_names_decoded(data) for data in _pdf_object_streams(content))
    except ValueError:
        raise damaged from None
    if PDF_ACTIVE_NAME.search(readable):
        raise _error(field, _("This PDF contains scripts or attachments; upload a plain scan."), "file_active_content")
    if PDF_HTML_MARKER.search(content):
        raise _error(field, _("This PDF also contains web page code; upload a plain scan."), "file_active_content")
    return CleanFile(content=content, content_type=PDF, sha256=hashlib.sha256(content).hexdigest())


def _pdf_names_decoded(data: bytes) -> bytes:
    """Undo the #xx escapes in names, which would otherwise hide a marker from the check."""
    if b"#" not in data:
        return data
    return PDF_ESCAPED_NAME.sub(
        lambda name: PDF_NAME_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), name.group()), data
    )


def _pdf_object_streams(content: bytes) -> Iterator[bytes]:
    """The inflated data of each compressed object stream, where dictionaries (and so actions)
    can hide from a byte scan. Raises ``ValueError`` for one that cannot be read, or past the cap."""
    budget = PDF_OBJECT_STREAMS_MAX_BYTES
    for match in PDF_STREAM_START.finditer(content):
        head = content[max(0, match.start() - 1024) : match.start()]
        dictionary = _pdf_names_decoded(head[max(0, head.rfind(b"obj")) :])
        if not PDF_OBJECT_STREAM.search(dictionary) or b"/Filter" not in dictionary:
            continue  # not an object stream, or an uncompressed one (already scanned)
        end = content.find(b"endstream", match.end())
        if end < 0 or not PDF_FLATE_ONLY.search(dictionary) or b"/DecodeParms" in dictionary:
            raise ValueError("object stream that cannot be inspected")
        try:
            data = zlib.decompressobj().decompress(content[match.end() : end], budget + 1)
        except zlib.error as exc:
            raise ValueError("object stream that cannot be inflated") from exc
        budget -= len(data)
        if budget < 0:
            raise ValueError("object streams too large to inspect")
        yield data
