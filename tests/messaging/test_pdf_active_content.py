"""Message attachments go through the KYC file checks (``apps.kyc.files.document_clean``) and the
KYC file response: a PDF with actions or links, or one that is also a web page, is refused with
nothing kept; a stored PDF is served as a sandboxed download, to the investor and to staff, by the
API and by the portal."""

import pytest
from django.urls import reverse

from apps.common.errors import ApplicationError
from apps.messaging.models import Attachment
from tests.kyc.helpers import pdf_bytes, png_bytes
from tests.messaging.helpers import ticket_open, upload
from tests.wallet.api_helpers import api_for

pytestmark = pytest.mark.django_db

ACTIVE = "This PDF contains scripts or attachments; upload a plain scan."
POLYGLOT = "This PDF also contains web page code; upload a plain scan."


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (b"3 0 obj << /OpenAction << /S /URI /URI (https://a.example) >> >> endobj", ACTIVE),
        (b"3 0 obj << /Subtype /Link /A << /S /SubmitForm /F (https://a.example) >> >> endobj", ACTIVE),
        (b"3 0 obj << /Type /Page /A#41 << /O 4 0 R >> >> endobj", ACTIVE),
        (b"%<html><script>alert(1)</script>", POLYGLOT),
    ],
    ids=["open-action-uri", "submit-form", "escaped-additional-actions", "html-polyglot"],
)
def test_an_active_pdf_attachment_is_refused_and_nothing_is_kept(investor, kyc_storage, unchanged_db, extra, message):
    files = [upload("fine.png", png_bytes()), upload("form.pdf", pdf_bytes(extra=extra), "application/pdf")]

    with unchanged_db(), pytest.raises(ApplicationError) as error:
        ticket_open(investor, attachments=files)

    assert (error.value.code, error.value.field, error.value.message) == (
        "file_active_content",
        "attachments",
        f"form.pdf: {message}",
    )
    assert [path for path in kyc_storage.rglob("*") if path.is_file()] == []


@pytest.fixture
def statement(investor, kyc_storage):
    ticket_open(investor, attachments=[upload("statement.pdf", pdf_bytes(), "application/pdf")])
    return Attachment.objects.get()


def assert_sandboxed_download(response, name: str) -> None:
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert {header: response[header] for header in HEADERS} == {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Cache-Control": "private, no-store",
    }


HEADERS = ("Content-Type", "Content-Disposition", "X-Content-Type-Options", "Content-Security-Policy", "Cache-Control")


def test_a_pdf_attachment_is_a_sandboxed_download_in_the_api(investor, support, statement):
    assert_sandboxed_download(api_for(investor).get(f"/api/attachments/{statement.pk}/"), "statement.pdf")
    assert_sandboxed_download(api_for(support).get(f"/api/attachments/{statement.pk}/"), "statement.pdf")


def test_a_pdf_attachment_is_a_sandboxed_download_in_the_portal(client, investor, statement):
    client.force_login(investor)

    response = client.get(reverse("portal:message_attachment", args=[statement.pk]))

    assert_sandboxed_download(response, "statement.pdf")
