"""The investor's KYC endpoints: a real multipart submission (files on the private storage, the
status on the profile), every refusal (clear 400/403/409, nothing stored, nothing changed), the
status and history (never a document URL), resubmission after a rejection, and the withdrawal
gate that follows the review."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.accounts.models import KycStatus
from apps.accounts.roles import KYC_REVIEW
from apps.kyc.models import Document, Submission
from apps.kyc.services import kyc_submission_approve, kyc_submission_reject
from apps.kyc.uploads import KycUploadLimitHandler, OversizedUpload
from tests.factories import StaffFactory, UserFactory
from tests.kyc.helpers import jpeg_bytes, pdf_bytes, png_bomb_bytes, png_bytes, submission_body, submit, upload
from tests.wallet.api_helpers import api_for
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db

SUBMIT = "/api/kyc/submit/"
STATUS = "/api/kyc/status/"
HISTORY = "/api/kyc/history/"
PROFILE = "/api/users/profile/"
WITHDRAW = "/api/transactions/withdraw/"
INVALID = "Correct the errors below."


def form(**overrides) -> dict:
    """A complete, valid multipart form; ``None`` leaves a field out."""
    data = {
        "full_name": "Amina Haddad",
        "date_of_birth": "1990-05-17",
        "country": "Jordan",
        "id_type": "passport",
        "id_number": "p1234567",
        "id_front_image": upload(jpeg_bytes(), "front.jpg", "image/jpeg"),
        "id_back_image": upload(png_bytes(), "back.png"),
        "selfie_image": upload(jpeg_bytes(color=(0, 200, 0)), "selfie.jpg", "image/jpeg"),
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def post(client, **overrides):
    return client.post(SUBMIT, form(**overrides), format="multipart")


def stored(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def business(message: str, code: str, field: str | None = None) -> dict:
    body = {"detail": message, "code": code}
    if field:
        body[field] = [message]
    return body


def staff_in(role: str):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name=role))
    return user


def eighteenth_birthday_today() -> date:
    """The date of birth of someone who turns 18 today (28 February for a 29 February)."""
    today = timezone.localdate()
    return date(today.year - 18, today.month, min(today.day, 28) if today.month == 2 else today.day)


@pytest.fixture
def reviewer(db):
    return staff_in(KYC_REVIEW)


# --- Submit ------------------------------------------------------------------------------------


def test_submission_stores_the_files_and_the_profile_shows_pending(investor_api, investor, kyc_storage):
    response = post(investor_api)

    assert response.status_code == 201
    submission = Submission.objects.get()
    assert (submission.user, submission.status, submission.is_current) == (investor, "pending", True)
    assert (submission.full_name, submission.date_of_birth, submission.country) == (
        "Amina Haddad",
        date(1990, 5, 17),
        "Jordan",
    )
    assert (submission.id_type, submission.id_number) == ("passport", "P1234567")
    documents = list(submission.documents.order_by("id"))
    assert [(d.side, d.content_type, d.width, d.height) for d in documents] == [
        ("id_front", "image/jpeg", 64, 48),
        ("id_back", "image/png", 64, 48),
        ("selfie", "image/jpeg", 64, 48),
    ]
    assert response.json() == submission_body(submission)
    assert response.json()["rejection_reason"] is None and response.json()["reviewed_at"] is None
    assert stored(kyc_storage) == sorted(d.object_name for d in documents)
    for document in documents:
        assert (kyc_storage / document.object_name).stat().st_size == document.size
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.PENDING
    profile = investor_api.get(PROFILE).json()
    assert (profile["kyc_status"], profile["is_kyc_verified"]) == ("pending", False)
    assert investor_api.get(STATUS).json() == submission_body(submission)


def test_the_back_of_the_document_is_optional(investor_api, kyc_storage):
    response = post(investor_api, id_back_image=None)

    assert response.status_code == 201
    assert [d["side"] for d in response.json()["documents"]] == ["id_front", "selfie"]
    assert len(stored(kyc_storage)) == 2


def test_the_type_comes_from_the_bytes_not_the_name(investor_api, kyc_storage):
    """PNG bytes named .pdf (declared application/pdf) are a PNG; a real PDF is kept as a PDF."""
    response = post(
        investor_api,
        id_front_image=upload(png_bytes(), "scan.pdf", "application/pdf"),
        id_back_image=upload(pdf_bytes(), "back.pdf", "application/pdf"),
    )

    assert response.status_code == 201
    assert [(d["side"], d["content_type"]) for d in response.json()["documents"]] == [
        ("id_front", "image/png"),
        ("id_back", "application/pdf"),
        ("selfie", "image/jpeg"),
    ]
    assert sorted(name.rsplit(".", 1)[1] for name in stored(kyc_storage)) == ["jpg", "pdf", "png"]


def test_exactly_eighteen_today_is_accepted(investor_api, kyc_storage):
    response = post(investor_api, date_of_birth=eighteenth_birthday_today().isoformat())

    assert response.status_code == 201
    assert response.json()["date_of_birth"] == eighteenth_birthday_today().isoformat()


HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
TOO_YOUNG = "You must be at least 18 years old."
NOT_A_TYPE = "Upload a JPEG, PNG or PDF file."
BOMB = "This image is too large to process."
REQUIRED_FILE = "This file is required."


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(
            {"id_front_image": lambda: upload(HTML, "front.jpg", "image/jpeg")},
            business(NOT_A_TYPE, "file_type_invalid", "id_front_image"),
            id="html-named-jpg",
        ),
        pytest.param(
            {"selfie_image": lambda: upload(b"just some text\n", "selfie.png", "image/png")},
            business(NOT_A_TYPE, "file_type_invalid", "selfie_image"),
            id="text-named-png",
        ),
        pytest.param(
            {"id_back_image": lambda: upload(b"", "back.png")},
            business("The file is empty.", "file_empty", "id_back_image"),
            id="empty-file",
        ),
        pytest.param(
            {"id_front_image": lambda: upload(png_bomb_bytes(), "front.png")},
            business(BOMB, "file_bomb", "id_front_image"),
            id="decompression-bomb",
        ),
        pytest.param(
            {"id_front_image": lambda: upload(jpeg_bytes()[:200], "front.jpg", "image/jpeg")},
            business("This image could not be read; upload a clear JPEG or PNG.", "file_unreadable", "id_front_image"),
            id="truncated-jpeg",
        ),
        pytest.param(
            {"id_back_image": lambda: upload(pdf_bytes(extra=b"/JavaScript (x)"), "back.pdf", "application/pdf")},
            business(
                "This PDF contains scripts or attachments; upload a plain scan.",
                "file_active_content",
                "id_back_image",
            ),
            id="pdf-with-script",
        ),
        pytest.param(
            {"selfie_image": None},
            business(REQUIRED_FILE, "file_required", "selfie_image"),
            id="missing-selfie",
        ),
        pytest.param(
            {"id_front_image": None},
            business(REQUIRED_FILE, "file_required", "id_front_image"),
            id="missing-front",
        ),
        pytest.param(
            {"id_front_image": None, "selfie_image": lambda: upload(HTML, "me.jpg", "image/jpeg")},
            {
                "detail": "Correct the files below.",
                "code": "invalid",
                "id_front_image": [REQUIRED_FILE],
                "selfie_image": [NOT_A_TYPE],
            },
            id="two-bad-files",
        ),
        pytest.param(
            {"date_of_birth": lambda: (timezone.localdate() + timedelta(days=1)).isoformat()},
            {"detail": INVALID, "code": "invalid", "date_of_birth": ["The date of birth cannot be in the future."]},
            id="born-tomorrow",
        ),
        pytest.param(
            {"date_of_birth": lambda: (eighteenth_birthday_today() + timedelta(days=1)).isoformat()},
            {"detail": INVALID, "code": "invalid", "date_of_birth": [TOO_YOUNG]},
            id="eighteen-tomorrow",
        ),
        pytest.param(
            {"date_of_birth": "1890-01-01"},
            {"detail": INVALID, "code": "invalid", "date_of_birth": ["Enter your real date of birth."]},
            id="born-1890",
        ),
        pytest.param(
            {"id_type": "library_card"},
            {
                "detail": INVALID,
                "code": "invalid",
                "id_type": ["Choose passport, national ID card or driving licence."],
            },
            id="bad-id-type",
        ),
        pytest.param(
            {"full_name": "   ", "country": None, "id_number": "x" * 101, "date_of_birth": None, "id_type": None},
            {
                "detail": INVALID,
                "code": "invalid",
                "full_name": ["Full name is required."],
                "country": ["Country is required."],
                "id_number": ["ID number is too long (at most 100 characters)."],
                "date_of_birth": ["Enter your date of birth as YYYY-MM-DD."],
                "id_type": ["Choose passport, national ID card or driving licence."],
            },
            id="every-typed-field-at-once",
        ),
        pytest.param(
            {"date_of_birth": "17/05/1990"},
            {"detail": INVALID, "code": "invalid", "date_of_birth": ["Enter your date of birth as YYYY-MM-DD."]},
            id="dob-format",
        ),
        pytest.param(
            {"date_of_birth": ""},
            {"detail": INVALID, "code": "invalid", "date_of_birth": ["Enter your date of birth as YYYY-MM-DD."]},
            id="dob-blank",
        ),
        pytest.param(
            {"date_of_birth": "1990-02-30"},
            {"detail": INVALID, "code": "invalid", "date_of_birth": ["Enter your date of birth as YYYY-MM-DD."]},
            id="dob-impossible-day",
        ),
        pytest.param(
            {"full_name": lambda: upload(png_bytes(), "name.png")},
            {"full_name": ["Not a valid string."]},
            id="file-where-text-belongs",
        ),
        pytest.param(
            {"selfie_image": "not a file"},
            {"selfie_image": ["The submitted data was not a file. Check the encoding type on the form."]},
            id="text-where-a-file-belongs",
        ),
        pytest.param(
            {"status": "approved", "user": "1"},
            {"status": ["This field is not allowed."], "user": ["This field is not allowed."]},
            id="undeclared-fields",
        ),
    ],
)
def test_bad_submissions_are_refused_and_store_nothing(
    investor_api, investor, kyc_storage, unchanged_db, overrides, expected
):
    overrides = {name: value() if callable(value) else value for name, value in overrides.items()}

    with unchanged_db():
        response = post(investor_api, **overrides)

    assert response.status_code == 400
    assert response.json() == expected
    assert stored(kyc_storage) == []
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.NOT_SUBMITTED


def test_wrong_details_and_wrong_files_are_named_in_one_answer(investor_api, kyc_storage, unchanged_db):
    with unchanged_db():
        response = post(
            investor_api,
            country="",
            id_type="visa",
            id_front_image=upload(b"<html></html>", "front.jpg", "image/jpeg"),
            selfie_image=None,
        )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Correct the errors below.",
        "code": "invalid",
        "country": ["Country is required."],
        "id_type": ["Choose passport, national ID card or driving licence."],
        "id_front_image": ["Upload a JPEG, PNG or PDF file."],
        "selfie_image": ["This file is required."],
    }
    assert stored(kyc_storage) == []


def test_a_too_large_file_is_cut_off_while_streaming(investor_api, kyc_storage, unchanged_db, settings, monkeypatch):
    """Through the real multipart parser: the limit handler stops the file past 1 MB and the
    service reports it on that field; nothing is stored."""
    settings.KYC_MAX_UPLOAD_MB = 1
    cut_off = []
    file_complete = KycUploadLimitHandler.file_complete

    def spy(self, file_size):
        result = file_complete(self, file_size)
        cut_off.append((self.field_name, type(result).__name__, getattr(result, "size", None)))
        return result

    monkeypatch.setattr(KycUploadLimitHandler, "file_complete", spy)
    big = jpeg_bytes() + b"\x00" * (1536 * 1024)

    with unchanged_db():
        response = post(investor_api, selfie_image=upload(big, "selfie.jpg", "image/jpeg"))

    assert response.status_code == 400
    assert response.json() == business("The file is too large: the limit is 1 MB.", "file_too_large", "selfie_image")
    # The selfie arrived as an empty stand-in that only knows how much was received.
    oversized = [entry for entry in cut_off if entry[1] == OversizedUpload.__name__]
    assert [entry[0] for entry in oversized] == ["selfie_image"]
    assert oversized[0][2] > 1024 * 1024
    assert stored(kyc_storage) == []


def test_a_file_just_under_the_limit_passes_the_streaming_check(investor_api, kyc_storage, settings):
    settings.KYC_MAX_UPLOAD_MB = 1
    response = post(investor_api, id_back_image=upload(pdf_bytes(extra=b"%" + b"x" * 1000_000), "b.pdf", "x/y"))

    assert response.status_code == 201
    assert response.json()["documents"][1]["content_type"] == "application/pdf"


def test_a_second_submission_while_one_is_pending_is_a_conflict(investor_api, investor, kyc_storage, unchanged_db):
    submit(investor)
    files_before = stored(kyc_storage)

    with unchanged_db():
        response = post(investor_api)

    assert response.status_code == 409
    assert response.json() == business("Your identity documents are already waiting for review.", "kyc_pending")
    assert stored(kyc_storage) == files_before


def test_an_approved_investor_cannot_submit_again(investor_api, investor, reviewer, kyc_storage, unchanged_db):
    kyc_submission_approve(submission_id=submit(investor).pk, actor=reviewer)
    files_before = stored(kyc_storage)

    with unchanged_db():
        response = post(investor_api)

    assert response.status_code == 409
    assert response.json() == business("Your identity is already verified.", "kyc_already_approved")
    assert stored(kyc_storage) == files_before


def test_staff_accounts_do_not_submit(staff_api, kyc_storage, unchanged_db):
    with unchanged_db():
        response = post(staff_api)

    assert response.status_code == 403
    assert response.json() == {"detail": "Staff accounts do not go through KYC.", "code": "permission_denied"}
    assert stored(kyc_storage) == []


def test_json_and_anonymous_submissions_are_refused(investor_api, api_client, kyc_storage, unchanged_db):
    with unchanged_db():
        as_json = investor_api.post(SUBMIT, {"full_name": "Amina Haddad"}, format="json")
        anonymous = api_client.post(SUBMIT, form(), format="multipart")

    assert as_json.status_code == 415
    assert as_json.json() == {
        "detail": 'Unsupported media type "application/json" in request.',
        "code": "unsupported_media_type",
    }
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    assert stored(kyc_storage) == []


# --- Status and history ------------------------------------------------------------------------


def test_status_before_any_submission(investor_api):
    response = investor_api.get(STATUS)

    assert response.status_code == 200
    assert response.json() == {"status": "not_submitted"}


def test_a_rejected_investor_resubmits_and_is_then_verified(investor_api, investor, reviewer, kyc_storage):
    first = submit(investor)
    kyc_submission_reject(submission_id=first.pk, actor=reviewer, reason="unreadable", note="The photo is blurred.")

    status = investor_api.get(STATUS).json()
    assert status == submission_body(first)
    assert (status["status"], status["rejection_reason"], status["admin_note"]) == (
        "rejected",
        "unreadable",
        "The photo is blurred.",
    )
    assert status["rejection_reason_label"] == "A document is blurred, cropped or unreadable"
    assert investor_api.get(PROFILE).json()["kyc_status"] == "rejected"

    response = post(investor_api, full_name="Amina K. Haddad")
    assert response.status_code == 201
    second = Submission.objects.get(pk=response.json()["id"])
    assert investor_api.get(STATUS).json() == submission_body(second)
    assert investor_api.get(PROFILE).json()["kyc_status"] == "pending"
    assert len(stored(kyc_storage)) == 6

    kyc_submission_approve(submission_id=second.pk, actor=reviewer)

    profile = investor_api.get(PROFILE).json()
    assert (profile["kyc_status"], profile["is_kyc_verified"]) == ("approved", True)
    assert investor_api.get(STATUS).json()["status"] == "approved"
    history = investor_api.get(HISTORY).json()
    assert history == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [submission_body(second), submission_body(first)],
    }


def test_history_is_paginated(investor_api, investor, reviewer, kyc_storage):
    for _ in range(3):
        kyc_submission_reject(submission_id=submit(investor).pk, actor=reviewer, reason="expired")
    newest_first = list(Submission.objects.filter(user=investor).order_by("-submitted_at", "-id"))

    page = investor_api.get(HISTORY, {"page_size": 2}).json()

    assert page["count"] == 3
    assert page["next"] == "http://testserver/api/kyc/history/?page=2&page_size=2"
    assert page["results"] == [submission_body(s) for s in newest_first[:2]]


def test_status_and_history_never_carry_a_document_url(investor_api, investor, kyc_storage):
    submission = submit(investor)
    names = list(Document.objects.values_list("object_name", flat=True))

    for path in (STATUS, HISTORY):
        text = investor_api.get(path).content.decode()
        assert "url" not in text and "/documents/" not in text
        assert not any(name in text for name in names)
    assert investor_api.get(STATUS).json()["documents"] == submission_body(submission)["documents"]


def test_another_investor_sees_nothing_of_someone_elses(investor, kyc_storage):
    submission = submit(investor)
    other = api_for(UserFactory())

    assert other.get(STATUS).json() == {"status": "not_submitted"}
    assert other.get(HISTORY).json() == {"count": 0, "next": None, "previous": None, "results": []}
    document = submission.documents.first()
    response = other.get(f"/api/admin/kyc/documents/{document.pk}/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


# --- The withdrawal gate -----------------------------------------------------------------------


def test_withdrawal_needs_an_approved_kyc(investor_api, investor, reviewer, staff, kyc_storage, unchanged_db):
    fund(investor, "100.00", approver=staff)
    post(investor_api)
    body = {"amount": "40.00", "wallet_address": "TDest1"}

    with unchanged_db():
        refused = investor_api.post(WITHDRAW, body, format="json")

    assert refused.status_code == 400
    assert refused.json() == business(
        "Your identity must be verified (KYC approved) before you can withdraw.", "kyc_required"
    )

    kyc_submission_approve(submission_id=Submission.objects.get().pk, actor=reviewer)
    accepted = investor_api.post(WITHDRAW, body, format="json")

    assert accepted.status_code == 201
    assert (accepted.json()["type"], accepted.json()["amount"], accepted.json()["status"]) == (
        "withdrawal",
        "40.00",
        "pending",
    )


# --- Schema ------------------------------------------------------------------------------------


def test_every_kyc_path_is_documented_with_its_codes(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    methods = {path: list(operations) for path, operations in paths.items() if "/kyc/" in path}
    assert methods == {
        "/api/kyc/submit/": ["post"],
        "/api/kyc/status/": ["get"],
        "/api/kyc/history/": ["get"],
        "/api/admin/kyc/": ["get"],
        "/api/admin/kyc/approve/": ["post"],
        "/api/admin/kyc/approve/{kyc_id}/": ["post"],
        "/api/admin/kyc/reject/": ["post"],
        "/api/admin/kyc/reject/{kyc_id}/": ["post"],
        "/api/admin/kyc/revoke/": ["post"],
        "/api/admin/kyc/documents/{document_id}/": ["get"],
    }
    submit_operation = paths["/api/kyc/submit/"]["post"]
    assert list(submit_operation["requestBody"]["content"]) == ["multipart/form-data"]
    request = schema["components"]["schemas"]["KycSubmitRequest"]["properties"]
    assert request["selfie_image"] == {
        "type": "string",
        "format": "binary",
        "description": "Required. A photo of the investor holding the document.",
    }
    assert (request["date_of_birth"]["type"], request["date_of_birth"]["format"]) == ("string", "date")
    for code in ("file_type_invalid", "file_too_large", "file_bomb", "file_required", "invalid"):
        assert f"`{code}`" in submit_operation["responses"]["400"]["description"]
    assert "`kyc_pending`" in submit_operation["responses"]["409"]["description"]
    assert "`kyc_already_approved`" in submit_operation["responses"]["409"]["description"]
    status = paths["/api/kyc/status/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert status == {"$ref": "#/components/schemas/KycCurrentSubmission"}
    assert "url" not in schema["components"]["schemas"]["KycDocument"]["properties"]
    approve = paths["/api/admin/kyc/approve/"]["post"]["responses"]
    assert "`already_reviewed`" in approve["409"]["description"] and "`own_request`" in approve["403"]["description"]
    revoke = paths["/api/admin/kyc/revoke/"]["post"]["responses"]
    assert "`not_approved`" in revoke["409"]["description"] and "`reason_required`" in revoke["400"]["description"]
    document = paths["/api/admin/kyc/documents/{document_id}/"]["get"]["responses"]
    assert sorted(document["200"]["content"]) == ["application/pdf", "image/jpeg", "image/png"]
    assert "302" in document
