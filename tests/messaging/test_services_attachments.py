"""Files attached to messages (``apps.messaging.services.attachments``): checked by the KYC file
code, kept on the KYC private storage under ``messages/``, served only to the thread's investor
and to staff who may open files, each view logged. A refused file leaves nothing behind: no row,
no object in the storage."""

import hashlib
import urllib.request
from pathlib import Path

import pytest

from apps.common.errors import ApplicationError, ConflictError
from apps.kyc.storage import kyc_storage
from apps.messaging.models import Attachment, AttachmentAccess, Message, MessageKind
from apps.messaging.services import attachments as attachment_services
from apps.messaging.services import threads as thread_services
from apps.messaging.services.threads import writing as thread_writing
from tests.factories import UserFactory
from tests.kyc.helpers import jpeg_bytes, pdf_bytes, png_bomb_bytes, png_bytes
from tests.messaging.helpers import ticket_open, upload

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def stored_files(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def three_files():
    return [
        upload("receipt.png", png_bytes(), "image/png"),
        upload("photo.jpeg", jpeg_bytes(exif=True), "image/jpeg"),
        upload("statement.pdf", pdf_bytes(), "application/pdf"),
    ]


def test_a_ticket_with_three_files_keeps_them_privately(investor, kyc_storage):
    thread = ticket_open(investor, attachments=three_files())
    message = thread.messages.get()
    rows = list(Attachment.objects.filter(message=message).order_by("id"))
    assert [(a.name, a.content_type, a.width, a.height) for a in rows] == [
        ("receipt.png", "image/png", 64, 48),
        ("photo.jpg", "image/jpeg", 64, 48),
        ("statement.pdf", "application/pdf", None, None),
    ]
    assert stored_files(kyc_storage) == sorted(a.object_name for a in rows)
    for attachment in rows:
        assert attachment.object_name.startswith("messages/")
        content = (kyc_storage / attachment.object_name).read_bytes()
        assert (len(content), hashlib.sha256(content).hexdigest()) == (attachment.size, attachment.sha256)
        assert (kyc_storage / attachment.object_name).stat().st_mode & 0o777 == 0o600
    assert (kyc_storage / rows[2].object_name).read_bytes() == pdf_bytes()  # PDFs are kept byte for byte
    assert b"SpyCam" not in (kyc_storage / rows[1].object_name).read_bytes()  # camera metadata dropped


def test_staff_replies_carry_files_too(investor, support, kyc_storage):
    thread = ticket_open(investor)
    answer = thread_services.thread_reply(
        thread_id=thread.pk, author=support, body="The form", attachments=[upload("form.pdf", pdf_bytes(), "x/y")]
    )
    [attachment] = answer.attachments.all()
    assert (attachment.name, attachment.content_type) == ("form.pdf", "application/pdf")
    assert stored_files(kyc_storage) == [attachment.object_name]


@pytest.mark.parametrize(
    ("name", "content", "shown"),
    [
        ("../../etc/passwd.png", png_bytes(), "passwd.png"),
        ("C:\\Users\\me\\scan.jpg", pdf_bytes(), "scan.pdf"),  # the real type decides the extension
        ("bad\x00na\x1bme.png", png_bytes(), "badname.png"),
        (" ... ", png_bytes(), "attachment.png"),
        (".png", png_bytes(), "png.png"),
        ("x" * 300 + ".png", png_bytes(), "x" * 115 + ".png"),
    ],
)
def test_the_shown_name_is_cleaned(investor, kyc_storage, name, content, shown):
    thread = ticket_open(investor, attachments=[upload(name, content, "image/png")])
    assert Attachment.objects.get(message__thread=thread).name == shown


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"just some text, not a picture", "notes.txt", "file_type_invalid"),
        (b"GIF89a" + b"\x00" * 40, "anim.gif", "file_type_invalid"),
        (png_bomb_bytes(), "bomb.png", "file_bomb"),
        (b"", "empty.png", "file_empty"),
        (b"\x89PNG\r\n\x1a\n" + b"broken", "broken.png", "file_unreadable"),
        (pdf_bytes(extra=b"/JavaScript (app.alert(1))"), "script.pdf", "file_active_content"),
    ],
)
def test_a_wrong_file_is_refused_and_nothing_is_kept(investor, kyc_storage, unchanged_db, content, name, code):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        ticket_open(investor, attachments=[upload("fine.png", png_bytes(), "image/png"), upload(name, content)])
    assert (error.value.code, error.value.field) == (code, "attachments")
    assert error.value.message.startswith(f"{name}: ")
    assert stored_files(kyc_storage) == []


def test_a_file_over_the_size_limit_is_refused(investor, kyc_storage, unchanged_db, settings):
    settings.KYC_MAX_UPLOAD_MB = 1
    padded = pdf_bytes(extra=b"%" + b"x" * MB)
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        ticket_open(investor, attachments=[upload("big.pdf", padded, "application/pdf")])
    assert (error.value.code, error.value.message) == (
        "file_too_large",
        "big.pdf: The file is too large: the limit is 1 MB.",
    )
    assert stored_files(kyc_storage) == []


def test_more_than_three_files_are_refused(investor, kyc_storage, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        ticket_open(investor, attachments=[*three_files(), upload("fourth.png")])
    assert (error.value.code, error.value.field, error.value.message) == (
        "too_many_files",
        "attachments",
        "Attach at most 3 files.",
    )
    assert stored_files(kyc_storage) == []


def test_every_wrong_file_is_named_at_once(investor, kyc_storage, unchanged_db):
    files = [upload("a.txt", b"hello there"), upload("fine.png"), upload("b.png", png_bomb_bytes())]
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        ticket_open(investor, body="", attachments=files)
    assert error.value.code == "invalid"
    assert error.value.field_errors == {
        "message": ["Write a message."],
        "attachments": ["a.txt: Upload a JPEG, PNG or PDF file.", "b.png: This image is too large to process."],
    }
    assert stored_files(kyc_storage) == []


def test_files_written_before_a_failure_are_deleted(investor, kyc_storage, unchanged_db, monkeypatch):
    thread = ticket_open(investor)

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(thread_writing, "read_mark", broken)  # the last step of the reply's transaction
    with unchanged_db(), pytest.raises(RuntimeError):
        thread_services.thread_reply(thread_id=thread.pk, author=investor, body="Here", attachments=three_files())
    assert stored_files(kyc_storage) == []


def test_a_reply_refused_on_a_closed_thread_keeps_no_file(investor, support, kyc_storage, unchanged_db):
    thread = ticket_open(investor)
    thread_services.thread_status_set(thread_id=thread.pk, actor=support, status="closed")
    with unchanged_db(), pytest.raises(ConflictError):
        thread_services.thread_reply(thread_id=thread.pk, author=investor, body="Here", attachments=three_files())
    assert stored_files(kyc_storage) == []


# --- viewing --------------------------------------------------------------------------------------


def view(attachment, user, **kwargs):
    return attachment_services.attachment_view(attachment_id=attachment.pk, user=user, **kwargs)


def test_the_investor_opens_their_file_and_the_look_is_logged(investor, kyc_storage):
    thread = ticket_open(investor, attachments=[upload("receipt.png")])
    attachment = Attachment.objects.get(message__thread=thread)
    shown = view(attachment, investor, ip_address="203.0.113.9", user_agent="Mozilla\x00/5.0 " + "x" * 400)
    assert (shown.attachment, shown.url) == (attachment, None)
    with shown.open() as handle:
        assert handle.read() == (kyc_storage / attachment.object_name).read_bytes()
    access = AttachmentAccess.objects.get()
    assert (access.attachment, access.user, access.ip_address, access.via) == (
        attachment,
        investor,
        "203.0.113.9",
        "portal",
    )
    assert access.user_agent == ("Mozilla/5.0 " + "x" * 400)[:300]


def test_staff_who_may_open_files_see_them_logged_as_admin(investor, support, kyc_storage):
    thread = ticket_open(investor, attachments=[upload("receipt.png")])
    attachment = Attachment.objects.get(message__thread=thread)
    view(attachment, support, via="admin")
    view(attachment, support, via="api")
    assert list(AttachmentAccess.objects.order_by("id").values_list("user", "via")) == [
        (support.pk, "admin"),
        (support.pk, "api"),
    ]


def test_anyone_else_gets_a_404_and_nothing_is_logged(investor, other_investor, finance, kyc_storage, unchanged_db):
    thread = ticket_open(investor, attachments=[upload("receipt.png")])
    attachment = Attachment.objects.get(message__thread=thread)
    inactive_owner = type(investor).objects.get(pk=investor.pk)
    inactive_owner.is_active = False
    with unchanged_db():
        for user, attachment_id in (
            (other_investor, attachment.pk),
            (finance, attachment.pk),  # staff without the file permission
            (inactive_owner, attachment.pk),
            (investor, 99999999),
            (investor, "abc"),
        ):
            with pytest.raises(ApplicationError) as error:
                attachment_services.attachment_view(attachment_id=attachment_id, user=user)
            assert (error.value.code, error.value.status_code) == ("not_found", 404)


def test_a_file_of_an_internal_note_never_reaches_the_investor(investor, support, kyc_storage, unchanged_db):
    thread = ticket_open(investor)
    note = thread_services.thread_note_add(thread_id=thread.pk, staff=support, body="bank letter attached")
    # Notes take no files through the services; a row written another way is still never shown.
    attachment = Attachment.objects.create(
        message=note,
        object_name="messages/" + "a" * 32 + ".png",
        name="bank.png",
        content_type="image/png",
        size=10,
        sha256="0" * 64,
    )
    assert Message.objects.get(pk=note.pk).kind == MessageKind.NOTE
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        view(attachment, investor)
    assert error.value.status_code == 404
    view(attachment, support)
    assert AttachmentAccess.objects.get().user == support


# --- on S3 ------------------------------------------------------------------------------------------


def test_on_s3_files_go_to_the_bucket_and_are_shown_by_a_presigned_url(kyc_s3):
    investor = UserFactory()
    thread = ticket_open(investor, attachments=[upload("statement.pdf", pdf_bytes(), "application/pdf")])
    attachment = Attachment.objects.get(message__thread=thread)
    assert kyc_s3.keys() == [kyc_s3.key(attachment.object_name)]
    assert kyc_s3.body(attachment.object_name) == pdf_bytes()
    shown = view(attachment, investor)
    assert shown.url.startswith(f"{kyc_s3.endpoint}/{kyc_s3.bucket}/{kyc_s3.key(attachment.object_name)}?")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(shown.url, timeout=10) as response:
        assert (response.headers["Content-Type"], response.read()) == ("application/pdf", pdf_bytes())
    assert kyc_storage().exists(attachment.object_name)


def test_on_s3_a_refused_file_leaves_no_object(kyc_s3, unchanged_db):
    investor = UserFactory()
    with unchanged_db(), pytest.raises(ApplicationError):
        ticket_open(investor, attachments=[upload("fine.png"), upload("bomb.png", png_bomb_bytes())])
    assert kyc_s3.keys() == []
