"""The attachment access log cannot be edited, whatever path a write takes (database triggers on
PostgreSQL and SQLite, as for the KYC document access log)."""

import pytest
from django.db import IntegrityError, connection, transaction

from apps.messaging.models import Attachment, AttachmentAccess
from apps.messaging.services.attachments import attachment_view
from tests.messaging.helpers import ticket_open, upload

pytestmark = pytest.mark.django_db


def test_the_attachment_access_log_is_append_only_in_the_database(investor, kyc_storage):
    ticket_open(investor, attachments=[upload()])
    attachment = Attachment.objects.get()
    attachment_view(attachment_id=attachment.pk, user=investor, ip_address="192.0.2.7")
    access = AttachmentAccess.objects.get()
    for statement in (
        f"UPDATE messaging_attachmentaccess SET ip_address = '10.0.0.1' WHERE id = {access.pk}",
        f"DELETE FROM messaging_attachmentaccess WHERE id = {access.pk}",
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert list(AttachmentAccess.objects.values_list("pk", "attachment_id", "user_id", "ip_address", "via")) == [
        (access.pk, attachment.pk, investor.pk, "192.0.2.7", "portal")
    ]
