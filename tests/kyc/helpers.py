"""KYC test material: real JPEG/PNG/PDF bytes, hostile files, and a one-call submission."""

import io
import struct
import zlib
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.kyc.models import Submission
from apps.kyc.services import kyc_submission_approve, kyc_submission_create
from tests.wallet.api_helpers import iso

GPS_TAG = 0x8825
MAKE_TAG = 0x010F


def png_bytes(*, size=(64, 48), color=(10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(*, size=(64, 48), color=(200, 30, 30), exif: bool = False) -> bytes:
    """A JPEG; with ``exif`` it carries a camera make and a GPS block (to check they are dropped)."""
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[MAKE_TAG] = "SpyCam 3000"
        data[GPS_TAG] = {1: "N", 2: (51.0, 30.0, 0.0)}
        image.save(out, format="JPEG", exif=data.tobytes())
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def pdf_bytes(*, extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" + extra + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def png_bomb_bytes(*, width=30000, height=30000) -> bytes:
    """A small PNG whose header claims a huge image (900 megapixels by default): a decompression
    bomb. Its IDAT is a tiny compressed stream; decoding would have to allocate the whole image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    row = b"\x00" + b"\x00" * width
    compressor = zlib.compressobj(9)
    idat = compressor.compress(row * 64) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def upload(content: bytes, name: str = "file.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def identity(**overrides) -> dict:
    data = {
        "full_name": "Amina Haddad",
        "date_of_birth": date(1990, 5, 17),
        "country": "Jordan",
        "id_type": "passport",
        "id_number": "p1234567",
    }
    data.update(overrides)
    return data


def documents(**overrides) -> dict:
    files = {
        "id_front_image": upload(jpeg_bytes(), "front.jpg", "image/jpeg"),
        "id_back_image": upload(png_bytes(), "back.png"),
        "selfie_image": upload(jpeg_bytes(color=(0, 200, 0)), "selfie.jpg", "image/jpeg"),
    }
    files.update(overrides)
    return files


def submit(user, **overrides):
    """A valid submission by ``user`` through the service (files on the current KYC storage)."""
    data = {**identity(), **documents()}
    data.update(overrides)
    return kyc_submission_create(user=user, **data)


def submit_and_approve(user, *, reviewer):
    submission = submit(user)
    return kyc_submission_approve(submission_id=submission.pk, actor=reviewer)


def submission_body(submission: Submission) -> dict:
    """What the investor sees of a submission: no document URL, no object name."""
    submission.refresh_from_db()
    return {
        "id": submission.pk,
        "user": submission.user_id,
        "status": submission.status,
        "full_name": submission.full_name,
        "date_of_birth": submission.date_of_birth.isoformat(),
        "country": submission.country,
        "id_type": submission.id_type,
        "id_number": submission.id_number,
        "rejection_reason": submission.rejection_reason or None,
        "rejection_reason_label": str(submission.get_rejection_reason_display())
        if submission.rejection_reason
        else None,
        "admin_note": submission.admin_note,
        "submitted_at": iso(submission.submitted_at),
        "reviewed_at": iso(submission.reviewed_at) if submission.reviewed_at else None,
        "documents": [
            {"side": document.side, "content_type": document.content_type, "size": document.size}
            for document in submission.documents.order_by("id")
        ],
    }
