"""apps.kyc.services: submit, approve, reject, document views, and the withdrawal gate, on the
local private folder (``kyc_storage`` fixture)."""

import hashlib
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import IntegrityError, connection, transaction

from apps.accounts.models import KycStatus, UserEvent
from apps.common.errors import ApplicationError, ConflictError
from apps.kyc.files import document_clean
from apps.kyc.models import Document, DocumentAccess, Submission
from apps.kyc.services import kyc_document_view, kyc_submission_approve, kyc_submission_create, kyc_submission_reject
from apps.kyc.storage import kyc_storage as kyc_storage_backend
from apps.messaging.models import Notification
from apps.wallet.models import RequestStatus, Withdrawal
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.factories import StaffFactory, UserFactory
from tests.kyc.helpers import documents, jpeg_bytes, png_bytes, submit, submit_and_approve, upload
from tests.wallet.helpers import balances, fund

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kyc_storage")]

NOW = datetime(2025, 6, 15, 9, 30, tzinfo=UTC)
OBJECT_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|pdf)$")
BAD_HTML = b"<html><script>alert(1)</script></html>"


def reviewer(*codenames: str):
    """A staff member holding only the given ``kyc`` permissions."""
    staff = StaffFactory()
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="kyc", codename__in=codenames))
    return type(staff).objects.get(pk=staff.pk)  # fresh permission cache


@pytest.fixture
def kyc_reviewer(db):
    return reviewer("review_submission", "view_document")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def stored_files(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def expected_clean(content: bytes, content_type: str):
    return document_clean(upload(content, "x", content_type), field="x")


def document_rows(submission) -> list[tuple]:
    return [
        (doc.side, doc.content_type, doc.size, doc.sha256, doc.width, doc.height)
        for doc in submission.documents.order_by("id")
    ]


def kyc_events(user) -> list[tuple]:
    return [
        (event.actor_id, event.data)
        for event in UserEvent.objects.filter(user=user, kind=UserEvent.Kind.KYC_STATUS_SET).order_by("id")
    ]


def refused(call, *, code: str, status_code: int = 400) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    assert (caught.value.code, caught.value.status_code) == (code, status_code)
    return caught.value


# --- submitting ----------------------------------------------------------------------------------


def test_submit_stores_normalised_details_and_clean_documents(kyc_storage, frozen):
    investor = UserFactory(email="amina.haddad@example.com", first_name="Amina", last_name="Haddad")
    submission = kyc_submission_create(
        user=investor,
        full_name="  Amina \t Haddad ",
        date_of_birth="1990-05-17",
        country=" Jordan ",
        id_type="passport",
        id_number=" p123  4567 ",
        **documents(),
    )

    submission.refresh_from_db()
    assert (
        submission.user_id,
        submission.status,
        submission.is_current,
        submission.full_name,
        submission.date_of_birth,
        submission.country,
        submission.id_type,
        submission.id_number,
        submission.submitted_at,
        submission.reviewed_at,
        submission.reviewed_by_id,
        submission.rejection_reason,
        submission.admin_note,
    ) == (
        investor.pk,
        "pending",
        True,
        "Amina Haddad",
        date(1990, 5, 17),
        "Jordan",
        "passport",
        "P123 4567",
        NOW,
        None,
        None,
        "",
        "",
    )
    front = expected_clean(jpeg_bytes(), "image/jpeg")
    back = expected_clean(png_bytes(), "image/png")
    selfie = expected_clean(jpeg_bytes(color=(0, 200, 0)), "image/jpeg")
    assert document_rows(submission) == [
        ("id_front", "image/jpeg", front.size, front.sha256, 64, 48),
        ("id_back", "image/png", back.size, back.sha256, 64, 48),
        ("selfie", "image/jpeg", selfie.size, selfie.sha256, 64, 48),
    ]
    names = [doc.object_name for doc in submission.documents.order_by("id")]
    assert stored_files(kyc_storage) == sorted(names)
    for doc in submission.documents.all():
        stored = (kyc_storage / doc.object_name).read_bytes()
        assert (len(stored), hashlib.sha256(stored).hexdigest()) == (doc.size, doc.sha256)
        assert (kyc_storage / doc.object_name).stat().st_mode & 0o777 == 0o600
    for name in names:
        assert OBJECT_NAME.match(name), name  # 128 random bits and the type, nothing about the user
        for personal in ("amina", "haddad", "example.com", "p1234567"):
            assert personal not in name.lower()
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.PENDING
    assert kyc_events(investor) == [
        (investor.pk, {"from": "not_submitted", "to": "pending", "submission": submission.pk})
    ]
    assert Notification.objects.count() == 0


def test_the_back_of_the_document_is_optional(kyc_storage, investor):
    submission = submit(investor, id_back_image=None)
    assert [doc.side for doc in submission.documents.order_by("id")] == ["id_front", "selfie"]
    assert len(stored_files(kyc_storage)) == 2


def test_approve_closes_the_submission_and_tells_the_investor(
    kyc_reviewer, investor, frozen, django_capture_on_commit_callbacks
):
    submission = submit(investor)
    with django_capture_on_commit_callbacks(execute=True):
        approved = kyc_submission_approve(submission_id=str(submission.pk), actor=kyc_reviewer, note="  all good ")

    approved.refresh_from_db()
    assert (approved.status, approved.reviewed_by, approved.reviewed_at, approved.rejection_reason) == (
        "approved",
        kyc_reviewer,
        NOW,
        "",
    )
    assert (approved.admin_note, approved.is_current) == ("all good", True)
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.APPROVED
    assert kyc_events(investor) == [
        (investor.pk, {"from": "not_submitted", "to": "pending", "submission": submission.pk}),
        (kyc_reviewer.pk, {"from": "pending", "to": "approved", "submission": submission.pk}),
    ]
    body = "Your identity documents were approved. You can now request withdrawals."
    assert list(Notification.objects.values_list("user", "kind", "title", "body", "link")) == [
        (investor.pk, "kyc_approved", "Identity verified", body, "/kyc/")
    ]
    assert [(m.subject, m.to, m.body) for m in mail.outbox] == [
        ("Bursar: Identity verified", [investor.email], kyc_email_text(investor, "Identity verified", body))
    ]
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def kyc_email_text(investor, title: str, body: str) -> str:
    """The plain-text part of a KYC notice's email (an account email: always sent)."""
    return (
        f"Hello {investor.first_name},\n\n{title}\n\n{body}\n\n{settings.SITE_URL}/kyc/\n\n"
        "This email about your account is always sent.\n"
    )


def test_reject_records_the_reason_and_tells_the_investor(
    kyc_reviewer, investor, frozen, django_capture_on_commit_callbacks
):
    submission = submit(investor)
    with django_capture_on_commit_callbacks(execute=True):
        kyc_submission_reject(
            submission_id=submission.pk, actor=kyc_reviewer, reason="expired", note=" Send the renewed passport. "
        )

    submission.refresh_from_db()
    assert (
        submission.status,
        submission.reviewed_by,
        submission.reviewed_at,
        submission.rejection_reason,
        submission.admin_note,
    ) == ("rejected", kyc_reviewer, NOW, "expired", "Send the renewed passport.")
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.REJECTED
    assert kyc_events(investor)[-1] == (
        kyc_reviewer.pk,
        {"from": "pending", "to": "rejected", "submission": submission.pk},
    )
    body = (
        "Your identity documents were rejected: The identity document has expired. Send the renewed passport. "
        "You can send new documents from your verification page."
    )
    assert list(Notification.objects.values_list("user", "kind", "title", "body", "link")) == [
        (investor.pk, "kyc_rejected", "Identity documents rejected", body, "/kyc/")
    ]
    assert [(m.subject, m.to, m.body) for m in mail.outbox] == [
        (
            "Bursar: Identity documents rejected",
            [investor.email],
            kyc_email_text(investor, "Identity documents rejected", body),
        )
    ]


def test_reject_then_resubmit_then_approve_keeps_the_history(kyc_storage, kyc_reviewer, investor):
    first = submit(investor)
    kyc_submission_reject(submission_id=first.pk, actor=kyc_reviewer, reason="other", note="Blurred photo.")
    second = submit(investor, id_back_image=None, full_name="Amina K. Haddad")
    kyc_submission_approve(submission_id=second.pk, actor=kyc_reviewer)

    rows = Submission.objects.filter(user=investor).order_by("id")
    assert [(s.pk, s.status, s.is_current, s.full_name, s.rejection_reason, s.admin_note) for s in rows] == [
        (first.pk, "rejected", False, "Amina Haddad", "other", "Blurred photo."),
        (second.pk, "approved", True, "Amina K. Haddad", "", ""),
    ]
    assert Document.objects.filter(submission=first).count() == 3
    assert Document.objects.filter(submission=second).count() == 2
    assert stored_files(kyc_storage) == sorted(Document.objects.values_list("object_name", flat=True))
    assert len(stored_files(kyc_storage)) == 5
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.APPROVED
    assert [(actor, data["from"], data["to"], data["submission"]) for actor, data in kyc_events(investor)] == [
        (investor.pk, "not_submitted", "pending", first.pk),
        (kyc_reviewer.pk, "pending", "rejected", first.pk),
        (investor.pk, "rejected", "pending", second.pk),
        (kyc_reviewer.pk, "pending", "approved", second.pk),
    ]
    assert list(Notification.objects.order_by("id").values_list("kind", flat=True)) == ["kyc_rejected", "kyc_approved"]


# --- refused submissions: nothing in the database, nothing in the folder -------------------------


@pytest.mark.parametrize(
    ("close", "code", "message"),
    [
        (None, "kyc_pending", "Your identity documents are already waiting for review."),
        ("approve", "kyc_already_approved", "Your identity is already verified."),
    ],
)
def test_a_second_submission_is_refused_while_one_is_open(
    kyc_storage, kyc_reviewer, investor, unchanged_db, close, code, message
):
    first = submit(investor)
    if close:
        kyc_submission_approve(submission_id=first.pk, actor=kyc_reviewer)
    files_before = stored_files(kyc_storage)
    with unchanged_db():
        error = refused(lambda: submit(investor), code=code, status_code=409)
    assert (type(error), error.message) == (ConflictError, message)
    assert stored_files(kyc_storage) == files_before
    assert Submission.objects.filter(user=investor).count() == 1


@pytest.mark.parametrize(
    ("files", "code", "field"),
    [
        ({"id_front_image": upload(BAD_HTML, "front.jpg", "image/jpeg")}, "file_type_invalid", "id_front_image"),
        ({"selfie_image": upload(b"", "selfie.jpg", "image/jpeg")}, "file_empty", "selfie_image"),
        ({"selfie_image": None}, "file_required", "selfie_image"),
        ({"id_front_image": None}, "file_required", "id_front_image"),
        ({"id_back_image": upload(b"\xff\xd8\xff\xe0broken", "back.jpg")}, "file_unreadable", "id_back_image"),
        ({"id_back_image": upload(b"%PDF-1.4\n1 0 obj\n", "back.pdf")}, "file_unreadable", "id_back_image"),
    ],
)
def test_a_bad_file_refuses_the_whole_submission(kyc_storage, investor, unchanged_db, files, code, field):
    with unchanged_db():
        error = refused(lambda: submit(investor, **files), code=code)
    assert list(error.field_errors) == [field]
    assert stored_files(kyc_storage) == []


def test_a_file_over_the_limit_refuses_the_submission(kyc_storage, investor, unchanged_db, settings):
    settings.KYC_MAX_UPLOAD_MB = 1
    big = b"%PDF-1.4\n%" + b"x" * (1024 * 1024) + b"\n%%EOF\n"
    with unchanged_db():
        error = refused(lambda: submit(investor, selfie_image=upload(big, "selfie.pdf")), code="file_too_large")
    assert error.field_errors == {"selfie_image": ["The file is too large: the limit is 1 MB."]}
    assert stored_files(kyc_storage) == []


def test_every_bad_file_is_reported_at_once(kyc_storage, investor, unchanged_db):
    with unchanged_db():
        error = refused(
            lambda: submit(investor, id_front_image=upload(BAD_HTML, "a.jpg"), selfie_image=None), code="invalid"
        )
    assert error.field_errors == {
        "id_front_image": ["Upload a JPEG, PNG or PDF file."],
        "selfie_image": ["This file is required."],
    }
    assert stored_files(kyc_storage) == []


@pytest.mark.parametrize(
    ("date_of_birth", "message"),
    [
        (date(2025, 6, 16), "The date of birth cannot be in the future."),
        (date(2007, 6, 16), "You must be at least 18 years old."),  # 18 tomorrow
        (date(1904, 6, 15), "Enter your real date of birth."),  # 121 today
        ("1990-02-30", "Enter your date of birth as YYYY-MM-DD."),  # well formed, no such day
        ("1990-13-01", "Enter your date of birth as YYYY-MM-DD."),
        ("17/05/1990", "Enter your date of birth as YYYY-MM-DD."),
        ("", "Enter your date of birth as YYYY-MM-DD."),
        (None, "Enter your date of birth as YYYY-MM-DD."),
    ],
)
def test_a_bad_date_of_birth_is_refused(kyc_storage, investor, unchanged_db, frozen, date_of_birth, message):
    with unchanged_db():
        error = refused(lambda: submit(investor, date_of_birth=date_of_birth), code="invalid")
    assert error.field_errors == {"date_of_birth": [message]}
    assert stored_files(kyc_storage) == []


@pytest.mark.parametrize(
    ("date_of_birth", "stored"),
    [
        (date(2007, 6, 15), date(2007, 6, 15)),  # 18 exactly today
        (" 2007-06-15 ", date(2007, 6, 15)),
        (datetime(2007, 6, 15, 23, 0), date(2007, 6, 15)),
        (date(1904, 6, 16), date(1904, 6, 16)),  # 120, one day short of 121
    ],
)
def test_ages_at_the_bounds_are_accepted(investor, frozen, date_of_birth, stored):
    submission = submit(investor, date_of_birth=date_of_birth)
    submission.refresh_from_db()
    assert submission.date_of_birth == stored


def test_control_characters_in_the_details_become_spaces(investor):
    """NUL would be a database error on PostgreSQL; tabs and new lines are just spacing."""
    submission = submit(investor, full_name="Amina\x00Haddad\n", country="Jor\x07dan", id_number="p1\x00\r\n23")
    submission.refresh_from_db()
    assert (submission.full_name, submission.country, submission.id_number) == ("Amina Haddad", "Jor dan", "P1 23")


def test_nul_in_notes_and_user_agents_is_dropped(kyc_reviewer, investor):
    first = submit(investor)
    kyc_submission_reject(submission_id=first.pk, actor=kyc_reviewer, reason="other", note="Too\x00 dark.\nRetake it.")
    second = submit(investor)
    kyc_submission_approve(submission_id=second.pk, actor=kyc_reviewer, note="\x00ok\x00")
    document = second.documents.get(side="selfie")
    kyc_document_view(document_id=document.pk, staff=kyc_reviewer, user_agent="Bot\x00/1")
    assert list(Submission.objects.order_by("id").values_list("admin_note", flat=True)) == [
        "Too dark.\nRetake it.",
        "ok",
    ]
    assert list(DocumentAccess.objects.values_list("user_agent", flat=True)) == ["Bot/1"]


@pytest.mark.parametrize(
    ("overrides", "field_errors"),
    [
        ({"full_name": "  \t "}, {"full_name": ["Full name is required."]}),
        ({"full_name": "x" * 201}, {"full_name": ["Full name is too long (at most 200 characters)."]}),
        ({"country": ""}, {"country": ["Country is required."]}),
        ({"id_number": None}, {"id_number": ["ID number is required."]}),
        ({"id_type": "visa"}, {"id_type": ["Choose passport, national ID card or driving licence."]}),
        ({"id_type": None}, {"id_type": ["Choose passport, national ID card or driving licence."]}),
        (
            {"full_name": "", "id_type": "PASSPORT", "date_of_birth": "tomorrow"},
            {
                "full_name": ["Full name is required."],
                "date_of_birth": ["Enter your date of birth as YYYY-MM-DD."],
                "id_type": ["Choose passport, national ID card or driving licence."],
            },
        ),
    ],
)
def test_bad_details_are_refused_with_every_error(kyc_storage, investor, unchanged_db, overrides, field_errors):
    with unchanged_db():
        error = refused(lambda: submit(investor, **overrides), code="invalid")
    assert (error.message, error.field_errors) == ("Correct the errors below.", field_errors)
    assert stored_files(kyc_storage) == []


def test_staff_cannot_submit(kyc_storage, kyc_reviewer, unchanged_db):
    with unchanged_db():
        error = refused(lambda: submit(kyc_reviewer), code="permission_denied", status_code=403)
    assert error.message == "Staff accounts do not go through KYC."
    assert stored_files(kyc_storage) == []


def test_a_failure_writing_the_second_file_leaves_no_file_and_no_row(kyc_storage, investor, unchanged_db, monkeypatch):
    storage = kyc_storage_backend()
    original_save = storage.save
    saved: list[str] = []

    def save_then_fail(name, content, **kwargs):
        if len(saved) == 1:
            raise OSError("disk full")
        saved.append(original_save(name, content, **kwargs))
        return saved[-1]

    monkeypatch.setattr(storage, "save", save_then_fail)
    with unchanged_db(), pytest.raises(OSError, match="disk full"):
        submit(investor)
    assert len(saved) == 1  # the first file was written, then deleted
    assert stored_files(kyc_storage) == []


def test_a_failed_clean_up_still_deletes_the_other_files_and_keeps_the_first_error(
    kyc_storage, investor, unchanged_db, monkeypatch, caplog
):
    storage = kyc_storage_backend()
    original_save, original_delete = storage.save, storage.delete
    saved: list[str] = []

    def save_twice_then_fail(name, content, **kwargs):
        if len(saved) == 2:
            raise OSError("disk full")
        saved.append(original_save(name, content, **kwargs))
        return saved[-1]

    def delete_fails_first(name):
        if name == saved[0]:
            raise PermissionError("read-only")
        original_delete(name)

    monkeypatch.setattr(storage, "save", save_twice_then_fail)
    monkeypatch.setattr(storage, "delete", delete_fails_first)
    with unchanged_db(), pytest.raises(OSError, match="disk full"):
        submit(investor)
    assert stored_files(kyc_storage) == [saved[0]]  # only the one whose delete failed
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "apps.kyc.services"] == [
        ("ERROR", f"KYC: could not delete the orphan object {saved[0]}")
    ]


def test_a_failure_after_every_file_was_written_leaves_no_file_and_no_row(
    kyc_storage, investor, unchanged_db, monkeypatch
):
    def event_fails(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr("apps.kyc.services.user_event_record", event_fails)
    with unchanged_db(), pytest.raises(RuntimeError, match="audit table unavailable"):
        submit(investor)
    assert stored_files(kyc_storage) == []


# --- refused reviews -----------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_a_reviewed_submission_cannot_be_reviewed_again(kyc_reviewer, investor, unchanged_db, first, second):
    submission = submit(investor)
    review = {
        "approve": lambda: kyc_submission_approve(submission_id=submission.pk, actor=kyc_reviewer),
        "reject": lambda: kyc_submission_reject(submission_id=submission.pk, actor=kyc_reviewer, reason="expired"),
    }
    review[first]()
    with unchanged_db():
        error = refused(review[second], code="already_reviewed", status_code=409)
    status = {"approve": "approved", "reject": "rejected"}[first]
    assert error.message == f"This submission is already {status}."
    assert Notification.objects.count() == 1


def test_a_reviewer_cannot_review_their_own_submission(unchanged_db):
    # An investor who submitted, and later joined the staff with the review permission.
    person = UserFactory()
    submission = submit(person)
    type(person).objects.filter(pk=person.pk).update(is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="review_submission"))
    person = type(person).objects.get(pk=person.pk)
    with unchanged_db():
        for review in (
            lambda: kyc_submission_approve(submission_id=submission.pk, actor=person),
            lambda: kyc_submission_reject(submission_id=submission.pk, actor=person, reason="expired"),
        ):
            error = refused(review, code="own_request", status_code=403)
            assert error.message == "You cannot review your own submission."


@pytest.mark.parametrize(
    "make_actor",
    [
        pytest.param(lambda: reviewer("view_document"), id="staff-without-permission"),
        pytest.param(lambda: StaffFactory(), id="staff-without-any"),
        pytest.param(lambda: UserFactory(), id="investor"),
    ],
)
def test_reviewing_needs_the_review_permission(investor, unchanged_db, make_actor):
    submission = submit(investor)
    actor = make_actor()
    if not actor.is_staff:  # even granted the permission, an investor is not a reviewer
        actor.user_permissions.add(Permission.objects.get(codename="review_submission"))
        actor = type(actor).objects.get(pk=actor.pk)
    with unchanged_db():
        for review in (
            lambda: kyc_submission_approve(submission_id=submission.pk, actor=actor),
            lambda: kyc_submission_reject(submission_id=submission.pk, actor=actor, reason="expired"),
        ):
            error = refused(review, code="permission_denied", status_code=403)
            assert error.message == "You may not review KYC submissions."


@pytest.mark.parametrize("submission_id", [999_999, "999999", "abc", None, "", "1.5"])
def test_an_unknown_submission_is_not_found(kyc_reviewer, investor, unchanged_db, submission_id):
    submit(investor)
    with unchanged_db():
        error = refused(
            lambda: kyc_submission_approve(submission_id=submission_id, actor=kyc_reviewer),
            code="not_found",
            status_code=404,
        )
        assert error.message == "No such KYC submission."
        refused(
            lambda: kyc_submission_reject(submission_id=submission_id, actor=kyc_reviewer, reason="expired"),
            code="not_found",
            status_code=404,
        )


@pytest.mark.parametrize(
    ("reason", "note", "field", "message"),
    [
        ("because", "", "reason", "Choose a reason for the rejection."),
        ("", "See the note.", "reason", "Choose a reason for the rejection."),
        (None, "", "reason", "Choose a reason for the rejection."),
        ("other", "", "admin_note", "Tell the investor what to correct."),
        ("other", "   ", "admin_note", "Tell the investor what to correct."),
        ("other", None, "admin_note", "Tell the investor what to correct."),
        ("other", "\x00 ", "admin_note", "Tell the investor what to correct."),
    ],
)
def test_a_rejection_needs_a_reason_and_other_needs_a_note(
    kyc_reviewer, investor, unchanged_db, reason, note, field, message
):
    submission = submit(investor)
    with unchanged_db():
        error = refused(
            lambda: kyc_submission_reject(submission_id=submission.pk, actor=kyc_reviewer, reason=reason, note=note),
            code="reason_required",
        )
    assert error.field_errors == {field: [message]}


# --- document views ------------------------------------------------------------------------------


def test_a_document_view_is_logged_once_per_call(kyc_storage, kyc_reviewer, investor, frozen):
    submission = submit(investor)
    document = submission.documents.get(side="selfie")
    viewer = reviewer("view_document")

    first = kyc_document_view(
        document_id=document.pk, staff=viewer, ip_address="203.0.113.7", user_agent="Firefox/128.0"
    )
    second = kyc_document_view(
        document_id=str(document.pk), staff=kyc_reviewer, ip_address="2001:db8::1", user_agent="x" * 400, via="api"
    )

    assert (first.document, first.url, second.url) == (document, None, None)  # local folder: no URL
    with first.open() as handle:
        assert handle.read() == (kyc_storage / document.object_name).read_bytes()
    assert list(
        DocumentAccess.objects.order_by("id").values_list(
            "document", "staff", "accessed_at", "ip_address", "user_agent", "via"
        )
    ) == [
        (document.pk, viewer.pk, NOW, "203.0.113.7", "Firefox/128.0", "admin"),
        (document.pk, kyc_reviewer.pk, NOW, "2001:db8::1", "x" * 300, "api"),
    ]


def test_a_document_view_without_an_address_logs_none(kyc_reviewer, investor):
    document = submit(investor).documents.get(side="id_front")
    kyc_document_view(document_id=document.pk, staff=kyc_reviewer, ip_address="", user_agent=None)
    assert list(DocumentAccess.objects.values_list("ip_address", "user_agent")) == [(None, "")]


@pytest.mark.parametrize(
    "make_viewer",
    [
        pytest.param(lambda: reviewer("review_submission"), id="reviewer-without-view"),
        pytest.param(lambda: StaffFactory(), id="staff-without-any"),
        pytest.param(lambda: UserFactory(), id="investor"),
    ],
)
def test_a_document_view_needs_the_permission_and_logs_nothing(investor, unchanged_db, make_viewer):
    document = submit(investor).documents.get(side="id_front")
    viewer = make_viewer()
    with unchanged_db():
        error = refused(
            lambda: kyc_document_view(document_id=document.pk, staff=viewer, ip_address="203.0.113.7"),
            code="permission_denied",
            status_code=403,
        )
    assert error.message == "You may not view KYC documents."
    assert DocumentAccess.objects.count() == 0


def test_the_owner_cannot_view_their_own_document(investor, unchanged_db):
    document = submit(investor).documents.get(side="id_front")
    with unchanged_db():
        refused(
            lambda: kyc_document_view(document_id=document.pk, staff=investor),
            code="permission_denied",
            status_code=403,
        )


@pytest.mark.parametrize("document_id", [999_999, "abc", None])
def test_an_unknown_document_is_not_found_and_not_logged(kyc_reviewer, investor, unchanged_db, document_id):
    submit(investor)
    with unchanged_db():
        error = refused(
            lambda: kyc_document_view(document_id=document_id, staff=kyc_reviewer), code="not_found", status_code=404
        )
    assert error.message == "No such document."


# --- the withdrawal gate -------------------------------------------------------------------------


def test_withdrawals_wait_for_an_approved_kyc(kyc_reviewer, investor, staff, unchanged_db):
    fund(investor, "500.00", approver=staff)
    with unchanged_db():
        error = refused(
            lambda: withdrawal_request_create(user=investor, amount="100.00", address="TXaddr"), code="kyc_required"
        )
    assert error.message == "Your identity must be verified (KYC approved) before you can withdraw."

    submission = submit(investor)
    with unchanged_db():
        refused(
            lambda: withdrawal_request_create(user=investor, amount="100.00", address="TXaddr"), code="kyc_required"
        )
    kyc_submission_reject(submission_id=submission.pk, actor=kyc_reviewer, reason="expired")
    with unchanged_db():
        refused(
            lambda: withdrawal_request_create(user=investor, amount="100.00", address="TXaddr"), code="kyc_required"
        )
    assert balances(investor) == (Decimal("500.00"), Decimal("0.00"), Decimal("0.00"))

    second = submit(investor)
    kyc_submission_approve(submission_id=second.pk, actor=kyc_reviewer)
    withdrawal = withdrawal_request_create(user=investor, amount="100.00", address="TXaddr")
    assert (withdrawal.user, withdrawal.amount, withdrawal.status) == (
        investor,
        Decimal("100.00"),
        RequestStatus.PENDING,
    )
    assert balances(investor) == (Decimal("400.00"), Decimal("100.00"), Decimal("0.00"))
    assert Withdrawal.objects.filter(user=investor).count() == 1


def test_an_approval_stands_until_revoked(kyc_reviewer, investor, staff, unchanged_db):
    """Once approved, a new submission is refused and withdrawals are open (until staff revoke the
    approval: tests/kyc/test_revocation.py)."""
    fund(investor, "50.00", approver=staff)
    submit_and_approve(investor, reviewer=kyc_reviewer)
    with unchanged_db():
        refused(lambda: submit(investor), code="kyc_already_approved", status_code=409)
    withdrawal = withdrawal_request_create(user=investor, amount="50.00", address="TXaddr")
    assert withdrawal.amount == Decimal("50.00")
    assert balances(investor) == (Decimal("0.00"), Decimal("50.00"), Decimal("0.00"))


def test_withdrawals_without_the_kyc_requirement(investor, staff, runtime_config):
    runtime_config(KYC_REQUIRED_FOR_WITHDRAWAL=False)
    fund(investor, "20.00", approver=staff)
    withdrawal_request_create(user=investor, amount="20.00", address="TXaddr")
    assert balances(investor) == (Decimal("0.00"), Decimal("20.00"), Decimal("0.00"))


def test_the_access_log_is_append_only_in_the_database(investor, kyc_reviewer, kyc_storage):
    submission = submit(investor)
    view = kyc_document_view(document_id=submission.documents.first().pk, staff=kyc_reviewer)
    access = DocumentAccess.objects.get()
    for statement in (
        f"UPDATE kyc_documentaccess SET ip_address = '10.0.0.1' WHERE id = {access.pk}",
        f"DELETE FROM kyc_documentaccess WHERE id = {access.pk}",
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert list(DocumentAccess.objects.values_list("pk", "document_id", "ip_address")) == [
        (access.pk, view.document.pk, None)
    ]
