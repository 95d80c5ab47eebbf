"""The private storage of KYC documents (``STORAGES["kyc"]``): a folder under ``var/`` that no URL
serves, or a private S3 bucket. Object names are random so they reveal nothing about the user.

The messaging center keeps message attachments in the same storage, under ``messages/``."""

import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def kyc_storage() -> Storage:
    """Resolved at call time so tests can switch between the local folder and S3."""
    return storages["kyc"]


def kyc_object_name(*, content_type: str, folder: str = "") -> str:
    """A random name with the extension of the sniffed type, optionally in a folder."""
    name = f"{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"
    return f"{folder}/{name}" if folder else name


def kyc_storage_is_remote() -> bool:
    """True for S3 (documents are shown through presigned URLs), False for the local folder
    (documents are streamed by the staff view itself)."""
    return not isinstance(kyc_storage(), FileSystemStorage)


def kyc_document_presigned_url(*, name: str, content_type: str) -> str:
    """A URL valid at most ``KYC_PRESIGNED_URL_SECONDS`` (≤ 5 minutes) that shows the document
    inline with its sniffed type."""
    return kyc_storage().url(
        name,
        parameters={"ResponseContentType": content_type, "ResponseContentDisposition": "inline"},
        expire=settings.KYC_PRESIGNED_URL_SECONDS,
    )
