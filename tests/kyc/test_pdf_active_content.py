"""Active content in KYC PDFs: every kind of action, script, link, attachment and the PDF/HTML
polyglot is refused on upload (400 ``file_active_content``, no row, no file), also behind ``#xx``
name escapes and inside compressed object streams; a plain PDF (font subsets, internal links) is
kept. Staff get every PDF as a download (``attachment``, ``nosniff``, ``sandbox``), on S3 too."""

import urllib.request
import zlib

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from apps.accounts.roles import KYC_REVIEW
from apps.kyc.models import Document, DocumentAccess, Submission
from tests.factories import StaffFactory
from tests.kyc.helpers import pdf_bytes, submit, upload
from tests.kyc.test_api import form
from tests.wallet.api_helpers import api_for

pytestmark = pytest.mark.django_db

SUBMIT = "/api/kyc/submit/"
ACTIVE = "This PDF contains scripts or attachments; upload a plain scan."
POLYGLOT = "This PDF also contains web page code; upload a plain scan."


def object_stream(*objects: bytes) -> bytes:
    """A compressed object stream (``/Type /ObjStm``, Flate) holding ``objects`` as objects 10, 11…"""
    offsets, body = [], b""
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    header = b" ".join(b"%d %d" % (10 + index, offset) for index, offset in enumerate(offsets)) + b"\n"
    data = zlib.compress(header + body)
    return (
        b"5 0 obj << /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(objects), len(header), len(data))
        + data
        + b"\nendstream\nendobj\n"
    )


URI_ACTION = b"3 0 obj << /Type /Action /S /URI /URI (https://attacker.example/x) >> endobj"
REFUSED = {
    "open-action-uri": b"4 0 obj << /OpenAction 3 0 R >> endobj\n" + URI_ACTION,
    "link-uri-action": b"4 0 obj << /Type /Annot /Subtype /Link /A << /S /URI /URI (https://a.example) >> >> endobj",
    "javascript": b"4 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj",
    "js-only": b"4 0 obj << /JS 6 0 R >> endobj",
    "launch": b"4 0 obj << /S /Launch /F (cmd.exe) >> endobj",
    "submit-form": b"4 0 obj << /S /SubmitForm /F (https://a.example/collect) >> endobj",
    "import-data": b"4 0 obj << /S /ImportData /F (data.fdf) >> endobj",
    "remote-goto": b"4 0 obj << /S /GoToR /F (other.pdf) /D [0 /Fit] >> endobj",
    "embedded-file": b"4 0 obj << /Type /EmbeddedFile /Length 0 >> endobj",
    "embedded-files-tree": b"4 0 obj << /EmbeddedFiles 6 0 R >> endobj",
    "rich-media": b"4 0 obj << /Type /Annot /Subtype /RichMedia >> endobj",
    "additional-actions": b"4 0 obj << /Type /Page /AA << /O 3 0 R >> >> endobj",
    "xfa": b"4 0 obj << /AcroForm << /XFA 6 0 R >> >> endobj",
    "escaped-javascript": b"4 0 obj << /S /J#61vaScript /J#53 (app.alert(1)) >> endobj",
    "escaped-uri": b"4 0 obj << /Open#41ction 3 0 R >> endobj\n3 0 obj << /S /#55#52#49 /#55RI (x) >> endobj",
    "escaped-aa": b"4 0 obj << /A#41 << /O 3 0 R >> >> endobj",
    "uri-in-object-stream": object_stream(b"<< /OpenAction 11 0 R >>", b"<< /S /URI /URI (https://a.example) >>"),
    "escaped-in-object-stream": object_stream(b"<< /S /Submit#46orm /F (https://a.example) >>"),
}
DOWNLOAD_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "X-Content-Type-Options",
    "Content-Security-Policy",
    "Cache-Control",
)
POLYGLOTS = {
    "html-comment": b"%<html><body><script>alert(document.domain)</script></body></html>",
    "script-upper-case": b"4 0 obj (<SCRIPT>fetch('/api/')</SCRIPT>) endobj",
    "doctype": b"%<!DOCTYPE html><p>hi</p>",
}


@pytest.fixture
def reviewer(db):
    staff = StaffFactory()
    staff.groups.add(Group.objects.get(name=KYC_REVIEW))
    return staff


def refused_body(message: str) -> dict:
    return {"detail": message, "code": "file_active_content", "id_back_image": [message]}


@pytest.mark.parametrize("extra", REFUSED.values(), ids=REFUSED.keys())
def test_a_pdf_with_active_content_is_refused_and_nothing_is_stored(investor_api, kyc_storage, unchanged_db, extra):
    with unchanged_db():
        response = investor_api.post(
            SUBMIT,
            form(id_back_image=upload(pdf_bytes(extra=extra), "back.pdf", "application/pdf")),
            format="multipart",
        )

    assert (response.status_code, response.json()) == (400, refused_body(ACTIVE))
    assert list(kyc_storage.iterdir()) == []


@pytest.mark.parametrize("extra", POLYGLOTS.values(), ids=POLYGLOTS.keys())
def test_a_pdf_that_is_also_a_web_page_is_refused(investor_api, kyc_storage, unchanged_db, extra):
    with unchanged_db():
        response = investor_api.post(
            SUBMIT,
            form(id_back_image=upload(pdf_bytes(extra=extra), "back.pdf", "application/pdf")),
            format="multipart",
        )

    assert (response.status_code, response.json()) == (400, refused_body(POLYGLOT))
    assert list(kyc_storage.iterdir()) == []


def test_on_s3_a_refused_pdf_leaves_no_object(investor_api, kyc_s3, unchanged_db):
    with unchanged_db():
        response = investor_api.post(
            SUBMIT, form(id_back_image=upload(pdf_bytes(extra=REFUSED["open-action-uri"]), "b.pdf")), format="multipart"
        )

    assert (response.status_code, response.json()) == (400, refused_body(ACTIVE))
    assert kyc_s3.keys() == []


def test_a_plain_pdf_with_font_subsets_and_internal_links_is_kept_byte_for_byte(investor, kyc_storage):
    """Opening at a page (``/OpenAction`` with a destination) and a link inside the document are
    no active content; names that merely start like a refused one are other names."""
    content = pdf_bytes(
        extra=b"7 0 obj << /OpenAction [2 0 R /XYZ null null 0] /PageMode /UseNone >> endobj\n"
        b"3 0 obj << /Type /Font /Subtype /TrueType /BaseFont /AAAAAB+Arial >> endobj\n"
        b"4 0 obj << /Type /Annot /Subtype /Link /A << /S /GoTo /D [2 0 R /Fit] >> >> endobj\n"
        b"6 0 obj << /Type /Metadata /URIBase (x) /JSX 1 >> endobj\n"
        + object_stream(b"<< /Type /Font /BaseFont /AABBCC+Helvetica >>")
    )

    submission = submit(investor, id_back_image=upload(content, "back.pdf", "application/pdf"))

    back = submission.documents.get(side="id_back")
    assert (back.content_type, (kyc_storage / back.object_name).read_bytes()) == ("application/pdf", content)


# --- Serving ----------------------------------------------------------------------------------------


def test_a_stored_pdf_is_served_to_staff_as_a_sandboxed_download(reviewer, investor, kyc_storage):
    submission = submit(investor, id_back_image=upload(pdf_bytes(), "back.pdf", "application/pdf"))
    back = submission.documents.get(side="id_back")

    response = api_for(reviewer).get(f"/api/admin/kyc/documents/{back.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert {name: response[name] for name in DOWNLOAD_HEADERS} == {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="kyc-{submission.pk}-id_back.pdf"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Cache-Control": "private, no-store",
    }
    assert DocumentAccess.objects.get().document == back


def test_an_image_stays_inline_and_is_sandboxed(reviewer, investor, kyc_storage):
    front = submit(investor).documents.get(side="id_front")

    response = api_for(reviewer).get(f"/api/admin/kyc/documents/{front.pk}/")

    assert response.status_code == 200
    assert {name: response[name] for name in DOWNLOAD_HEADERS} == {
        "Content-Type": "image/jpeg",
        "Content-Disposition": f'inline; filename="kyc-{front.submission_id}-id_front.jpg"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Cache-Control": "private, no-store",
    }


def test_the_admin_view_serves_a_pdf_as_a_download_too(client, reviewer, investor, kyc_storage):
    back = submit(investor, id_back_image=upload(pdf_bytes(), "back.pdf", "application/pdf")).documents.get(
        side="id_back"
    )
    client.force_login(reviewer)

    response = client.get(admin_document_url(back))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="kyc-{back.submission_id}-id_back.pdf"'
    assert (response["Content-Security-Policy"], response["X-Content-Type-Options"]) == ("sandbox", "nosniff")


def admin_document_url(document: Document) -> str:
    return reverse("admin:kyc_document_view", args=[document.pk])


def test_on_s3_a_pdf_is_streamed_from_the_bucket_as_a_download_not_redirected(reviewer, investor, kyc_s3):
    submission = submit(investor, id_back_image=upload(pdf_bytes(), "back.pdf", "application/pdf"))
    back = submission.documents.get(side="id_back")
    selfie = submission.documents.get(side="selfie")
    api = api_for(reviewer)

    response = api.get(f"/api/admin/kyc/documents/{back.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == kyc_s3.body(back.object_name) == pdf_bytes()
    assert {name: response[name] for name in DOWNLOAD_HEADERS} == {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="kyc-{submission.pk}-id_back.pdf"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Cache-Control": "private, no-store",
    }
    image = api.get(f"/api/admin/kyc/documents/{selfie.pk}/")  # an image is still a presigned redirect
    assert image.status_code == 302
    with urllib.request.urlopen(image["Location"], timeout=10) as presigned:
        assert presigned.read() == kyc_s3.body(selfie.object_name)
    assert Submission.objects.count() == 1
    assert DocumentAccess.objects.count() == 2
