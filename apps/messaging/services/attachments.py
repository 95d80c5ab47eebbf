"""Files attached to messages: checked and cleaned by the KYC file code (type sniffed from the
bytes, size limited while streaming, images re-encoded without metadata, PDFs without active
content), kept on the KYC private storage under ``messages/``, and shown only through a
permission-checked view that logs every look."""

import logging
import os
import unicodedata
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.common.errors import ApplicationError
from apps.kyc.files import CleanFile, document_clean
from apps.kyc.storage import (
    EXTENSIONS,
    kyc_document_presigned_url,
    kyc_object_name,
    kyc_storage,
    kyc_storage_is_remote,
)
from apps.messaging.models import Attachment, AttachmentAccess, Message, MessageKind
from apps.messaging.models.threads import ATTACHMENTS_MAX

logger = logging.getLogger(__name__)

FIELD = "attachments"
FOLDER = "messages"
NAME_MAX_LENGTH = 120


@dataclass(frozen=True)
class CleanAttachment:
    file: CleanFile
    name: str


def attachment_name_clean(name, *, content_type: str) -> str:
    """The name shown for a file: the last part of what was sent, without control characters,
    shortened, and ending with the extension of its real type."""
    base = os.path.basename(str(name or "").replace("\\", "/"))
    base = "".join(char for char in base if unicodedata.category(char)[0] != "C").strip(" .")
    stem = os.path.splitext(base)[0][: NAME_MAX_LENGTH - 5].strip() or _("attachment")
    return f"{stem}.{EXTENSIONS[content_type]}"


def attachments_clean(uploads) -> list[CleanAttachment]:
    """Every uploaded file checked at once: at most ``ATTACHMENTS_MAX``; each refusal is named
    with its file on the ``attachments`` field."""
    uploads = [upload for upload in (uploads or ()) if upload is not None]
    if len(uploads) > ATTACHMENTS_MAX:
        raise ApplicationError(
            ngettext("Attach at most %(max)d file.", "Attach at most %(max)d files.", ATTACHMENTS_MAX)
            % {"max": ATTACHMENTS_MAX},
            code="too_many_files",
            field=FIELD,
        )
    clean, errors = [], []
    for upload in uploads:
        try:
            file = document_clean(upload, field=FIELD)
        except ApplicationError as error:
            errors.append((error, f"{os.path.basename(str(getattr(upload, 'name', '') or ''))[:60]}: {error.message}"))
            continue
        clean.append(
            CleanAttachment(file=file, name=attachment_name_clean(upload.name, content_type=file.content_type))
        )
    if len(errors) == 1:
        error, message = errors[0]
        raise ApplicationError(message, code=error.code, field=FIELD)
    if errors:
        raise ApplicationError(
            _("Correct the files below."), code="invalid", field_errors={FIELD: [message for _e, message in errors]}
        )
    return clean


def attachments_store(*, message: Message, files: list[CleanAttachment], stored: list[str]) -> list[Attachment]:
    """Write the files and their rows (inside the caller's transaction); every name written is
    appended to ``stored`` so the caller can delete them if the transaction fails."""
    attachments = []
    storage = kyc_storage()
    for item in files:
        name = storage.save(
            kyc_object_name(content_type=item.file.content_type, folder=FOLDER), ContentFile(item.file.content)
        )
        stored.append(name)
        attachments.append(
            Attachment(
                message=message,
                object_name=name,
                name=item.name,
                content_type=item.file.content_type,
                size=item.file.size,
                sha256=item.file.sha256,
                width=item.file.width,
                height=item.file.height,
            )
        )
    return Attachment.objects.bulk_create(attachments)


def stored_files_delete(names: list[str]) -> None:
    """Clean up after a failed write: every name is tried even if one fails (logged)."""
    storage = kyc_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("messaging: could not delete the orphan object %s", name)


@dataclass(frozen=True)
class AttachmentView:
    """What a view of an attachment serves: a presigned URL (S3) or the file itself (local)."""

    attachment: Attachment
    url: str | None

    def open(self):
        return kyc_storage().open(self.attachment.object_name, "rb")


def attachment_accessible(*, attachment: Attachment, user) -> bool:
    """The thread's investor (never for a file of an internal note), or staff who may open files."""
    message = attachment.message
    if user.is_staff:
        return user.has_perm("messaging.view_attachment_file")
    return message.thread.investor_id == user.pk and message.kind != MessageKind.NOTE


@transaction.atomic
def attachment_view(*, attachment_id, user, ip_address=None, user_agent: str = "", via: str = "portal"):
    """Check who asks, log the access, and say how to serve the file. Anything the user may not
    see is a 404, exactly like a file that does not exist."""
    try:
        attachment_id = int(attachment_id)
    except (TypeError, ValueError):
        attachment_id = None
    attachment = (
        Attachment.objects.select_related("message__thread").filter(pk=attachment_id).first() if attachment_id else None
    )
    if attachment is None or not user.is_active or not attachment_accessible(attachment=attachment, user=user):
        raise ApplicationError(_("No such file."), code="not_found", status_code=404)
    AttachmentAccess.objects.create(
        attachment=attachment,
        user=user,
        ip_address=ip_address or None,
        user_agent=(user_agent or "").replace("\x00", "")[:300],
        via=via,
    )
    url = None
    if kyc_storage_is_remote():
        url = kyc_document_presigned_url(name=attachment.object_name, content_type=attachment.content_type)
    return AttachmentView(attachment=attachment, url=url)
