"""Staff KYC endpoints: the queue (filters, exact rows, a fixed number of queries), approve and
reject (once, by a reviewer holding the permission, never their own), and the document endpoint
(streamed locally, a short-lived presigned redirect on S3, one logged access per fetch). Roles are
the real groups: "KYC review" reviews, "Support" only lists, "Finance" sees nothing of KYC."""

import urllib.request

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import KycStatus
from apps.accounts.roles import FINANCE, KYC_REVIEW, SUPPORT
from apps.kyc.models import DocumentAccess, Submission
from apps.kyc.services import kyc_submission_approve, kyc_submission_reject, kyc_submission_revoke
from tests.factories import StaffFactory, UserFactory
from tests.kyc.helpers import submission_body, submit, submit_and_approve
from tests.wallet.api_helpers import api_for, iso

pytestmark = pytest.mark.django_db

QUEUE = "/api/admin/kyc/"
APPROVE = "/api/admin/kyc/approve/"
REJECT = "/api/admin/kyc/reject/"
PROFILE = "/api/users/profile/"
FORBIDDEN = {"detail": "Only staff with the matching permission can do this.", "code": "permission_denied"}
NOT_FOUND = {"detail": "No such KYC submission.", "code": "not_found"}
TWICE = ["Sent twice with different values."]


def document_path(document_id: int) -> str:
    return f"/api/admin/kyc/documents/{document_id}/"


def staff_in(role: str):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def reviewer(db):
    return staff_in(KYC_REVIEW)


@pytest.fixture
def reviewer_api(reviewer):
    return api_for(reviewer)


def person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "email": user.email, "name": user.full_name}


def document_url(submission: Submission, side: str) -> str | None:
    document = submission.documents.filter(side=side).first()
    return None if document is None else f"http://testserver{document_path(document.pk)}"


def admin_body(submission: Submission) -> dict:
    """The investor's view of it (``submission_body``) plus the investor (their id as ``user``, as
    every admin row), the reviewer, and links to the logged document endpoint."""
    body = submission_body(submission)
    body.update(
        user=submission.user.pk,
        user_email=submission.user.email,
        user_name=submission.user.full_name,
        is_current=submission.is_current,
        reviewed_by=person(submission.reviewed_by),
        revoked_at=iso(submission.revoked_at) if submission.revoked_at else None,
        revoked_by=person(submission.revoked_by),
        documents=[
            {
                "id": document.pk,
                "side": document.side,
                "content_type": document.content_type,
                "size": document.size,
                "url": f"http://testserver{document_path(document.pk)}",
            }
            for document in submission.documents.order_by("id")
        ],
        id_front_image=document_url(submission, "id_front"),
        id_back_image=document_url(submission, "id_back"),
        selfie_image=document_url(submission, "selfie"),
    )
    return body


def page(*submissions) -> dict:
    return {"count": len(submissions), "next": None, "previous": None, "results": [admin_body(s) for s in submissions]}


# --- Queue -------------------------------------------------------------------------------------


def test_the_queue_lists_pending_first_with_everything_staff_need(reviewer_api, reviewer, kyc_storage):
    approved = submit(UserFactory(first_name="Omar", last_name="Saleh"))
    kyc_submission_approve(submission_id=approved.pk, actor=reviewer, note="Clear scans.")
    older = submit(UserFactory())
    newer = submit(UserFactory(), id_back_image=None)
    rejected = submit(UserFactory())
    kyc_submission_reject(submission_id=rejected.pk, actor=reviewer, reason="expired", note="Expired in 2020.")

    response = reviewer_api.get(QUEUE)

    assert response.status_code == 200
    # Pending first, longest waiting at the top; then the reviewed ones, newest first.
    assert response.json() == page(older, newer, rejected, approved)
    row = response.json()["results"][3]
    assert (row["user"], row["user_name"], row["reviewed_by"]["email"], row["admin_note"]) == (
        approved.user.pk,
        "Omar Saleh",
        reviewer.email,
        "Clear scans.",
    )
    assert response.json()["results"][2]["rejection_reason_label"] == "The identity document has expired"


def test_a_row_names_the_owner_by_id_and_links_each_side_to_the_logged_endpoint(reviewer_api, kyc_storage):
    investor = UserFactory(email="lina@example.com", first_name="Lina", last_name="Aziz")
    submission = submit(investor, id_back_image=None)
    front, selfie = submission.documents.order_by("id")

    row = reviewer_api.get(QUEUE).json()["results"][0]

    assert {key: row[key] for key in ("user", "user_email", "user_name")} == {
        "user": investor.pk,
        "user_email": "lina@example.com",
        "user_name": "Lina Aziz",
    }
    assert (row["id_front_image"], row["id_back_image"], row["selfie_image"]) == (
        f"http://testserver/api/admin/kyc/documents/{front.pk}/",
        None,
        f"http://testserver/api/admin/kyc/documents/{selfie.pk}/",
    )
    assert [document["url"] for document in row["documents"]] == [row["id_front_image"], row["selfie_image"]]
    assert "/media/" not in str(row) and front.object_name not in str(row)


def test_the_queue_filters_by_status_and_search(reviewer_api, reviewer, kyc_storage):
    amina = submit(UserFactory(email="amina@example.com"))
    other = submit(UserFactory(), full_name="Layla Nasser", id_number="N998877")
    kyc_submission_approve(submission_id=other.pk, actor=reviewer)

    assert reviewer_api.get(QUEUE, {"status": "pending"}).json() == page(amina)
    assert reviewer_api.get(QUEUE, {"status": "approved"}).json() == page(other)
    assert reviewer_api.get(QUEUE, {"status": "rejected"}).json() == page()
    assert reviewer_api.get(QUEUE, {"search": "AMINA@"}).json() == page(amina)
    assert reviewer_api.get(QUEUE, {"search": "nasser"}).json() == page(other)
    assert reviewer_api.get(QUEUE, {"search": "n998877"}).json() == page(other)
    assert reviewer_api.get(QUEUE, {"search": ""}).json() == page(amina, other)

    bad = reviewer_api.get(QUEUE, {"status": "cancelled"})
    assert bad.status_code == 400
    assert bad.json() == {"status": ['"cancelled" is not a valid choice.']}
    too_long = reviewer_api.get(QUEUE, {"search": " " + "x" * 200})  # the bound is on the text as sent
    assert too_long.status_code == 400
    assert too_long.json() == {"search": ["Ensure this field has no more than 200 characters."]}


def test_the_queue_takes_the_same_number_of_queries_for_more_rows(reviewer_api, reviewer, kyc_storage):
    kyc_submission_approve(submission_id=submit(UserFactory()).pk, actor=reviewer)
    with CaptureQueriesContext(connection) as one:
        assert reviewer_api.get(QUEUE).json()["count"] == 1
    for _ in range(4):
        kyc_submission_reject(submission_id=submit(UserFactory()).pk, actor=reviewer, reason="expired")
    submit(UserFactory(), id_back_image=None)
    revoked = submit_and_approve(UserFactory(), reviewer=reviewer)
    kyc_submission_revoke(submission_id=revoked.pk, actor=staff_in(KYC_REVIEW), reason="suspected_fraud", note="x")
    with CaptureQueriesContext(connection) as seven:
        body = reviewer_api.get(QUEUE).json()
    assert body["count"] == 7
    assert [row["id_back_image"] is None for row in body["results"]] == [True, False, False, False, False, False, False]

    assert len(seven) == len(one)


def test_support_may_list_but_finance_and_investors_may_not(investor_api, kyc_storage):
    submission = submit(UserFactory())

    assert api_for(staff_in(SUPPORT)).get(QUEUE).json() == page(submission)
    for client in (api_for(staff_in(FINANCE)), investor_api, api_for(StaffFactory())):
        response = client.get(QUEUE)
        assert response.status_code == 403
        assert response.json() == FORBIDDEN


# --- Approve and reject ------------------------------------------------------------------------


def test_approve_verifies_the_investor_once(reviewer_api, reviewer, investor, kyc_storage, unchanged_db):
    submission = submit(investor)

    response = reviewer_api.post(APPROVE, {"kyc_id": submission.pk, "admin_note": " Welcome. "}, format="json")

    assert response.status_code == 200
    assert response.json() == admin_body(submission)
    assert (response.json()["status"], response.json()["admin_note"], response.json()["reviewed_by"]) == (
        "approved",
        "Welcome.",
        person(reviewer),
    )
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.APPROVED
    profile = api_for(investor).get(PROFILE).json()
    assert (profile["kyc_status"], profile["is_kyc_verified"]) == ("approved", True)

    with unchanged_db():
        again = reviewer_api.post(APPROVE, {"kyc_id": submission.pk}, format="json")
        reject = reviewer_api.post(REJECT, {"kyc_id": submission.pk, "admin_note": "No."}, format="json")

    for refused in (again, reject):
        assert refused.status_code == 409
        assert refused.json() == {"detail": "This submission is already approved.", "code": "already_reviewed"}


def test_reject_with_a_reason_and_a_note(reviewer_api, investor, kyc_storage):
    submission = submit(investor)

    response = reviewer_api.post(
        REJECT,
        {"kyc_id": submission.pk, "admin_note": "The selfie is someone else.", "reason": "selfie_mismatch"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == admin_body(submission)
    assert (response.json()["status"], response.json()["rejection_reason"]) == ("rejected", "selfie_mismatch")
    assert response.json()["rejection_reason_label"] == "The selfie does not match the document photo"
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.REJECTED
    status = api_for(investor).get("/api/kyc/status/").json()
    assert (status["rejection_reason"], status["admin_note"]) == ("selfie_mismatch", "The selfie is someone else.")


def test_reject_without_a_reason_means_other(reviewer_api, investor, kyc_storage):
    submission = submit(investor)

    response = reviewer_api.post(REJECT, {"kyc_id": submission.pk, "admin_note": "Send a colour scan."}, format="json")

    assert response.status_code == 200
    assert (response.json()["rejection_reason"], response.json()["rejection_reason_label"]) == (
        "other",
        "Other (see the note)",
    )
    assert api_for(investor).get(PROFILE).json()["kyc_status"] == "rejected"


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        (APPROVE, {}, {"kyc_id": ["This field is required."]}),
        (APPROVE, {"kyc_id": "abc"}, {"kyc_id": ["A valid integer is required."]}),
        (APPROVE, {"kyc_id": "1"}, {"kyc_id": ["A valid integer is required."]}),
        (APPROVE, {"kyc_id": 1.5}, {"kyc_id": ["A valid integer is required."]}),
        (APPROVE, {"kyc_id": True}, {"kyc_id": ["A valid integer is required."]}),
        (APPROVE, {"kyc_id": None}, {"kyc_id": ["This field may not be null."]}),
        (APPROVE, {"kyc_id": [1]}, {"kyc_id": ["A valid integer is required."]}),
        (APPROVE, {"kyc_id": 0}, {"kyc_id": ["Ensure this value is greater than or equal to 1."]}),
        (APPROVE, {"kyc_id": 2**70}, {"kyc_id": ["Ensure this value is less than or equal to 9223372036854775807."]}),
        (APPROVE, {"kyc_id": "{id}", "admin_note": 5}, {"admin_note": ["Not a valid string."]}),
        (APPROVE, {"kyc_id": "{id}", "status": "approved"}, {"status": ["This field is not allowed."]}),
        (REJECT, {"kyc_id": "{id}"}, {"admin_note": ["This field is required."]}),
        (REJECT, {"kyc_id": "{id}", "admin_note": "   "}, {"admin_note": ["This field may not be blank."]}),
        # `reason` is a reason code (Bursar's form) or, any other text, the original client's
        # name for the note: here a second, different note.
        (
            REJECT,
            {"kyc_id": "{id}", "admin_note": "x", "reason": "rude"},
            {"admin_note": TWICE},
        ),
        (
            REJECT,
            {"kyc_id": "{id}", "admin_note": "x", "rejection_reason": "rude"},
            {"rejection_reason": ['"rude" is not a valid choice.']},
        ),
        (
            REJECT,
            {"kyc_id": "{id}", "admin_note": "x", "reason": "expired", "rejection_reason": "unreadable"},
            {"rejection_reason": TWICE},
        ),
        (REJECT, {"kyc_id": "{id}", "reason": "expired"}, {"admin_note": ["This field is required."]}),
        (
            REJECT,
            {"kyc_id": "{id}", "admin_note": "a", "note": "b"},
            {"admin_note": TWICE},
        ),
        (REJECT, {"kyc_id": "{id}", "reason": 5}, {"reason": ["Not a valid string."]}),
        (
            APPROVE,
            {"kyc_id": "{id}", "admin_note": "a", "note": "b"},
            {"admin_note": TWICE},
        ),
        (
            APPROVE,
            {"kyc_id": "{id}", "note": "a", "reason": "b"},
            {"admin_note": TWICE},
        ),
        (APPROVE, {"kyc_id": "{id}", "note": 5}, {"note": ["Not a valid string."]}),
        (REJECT, {"admin_note": "Blurred."}, {"kyc_id": ["This field is required."]}),
        (REJECT, {"kyc_id": "x", "admin_note": "Blurred."}, {"kyc_id": ["A valid integer is required."]}),
        (
            REJECT,
            {"kyc_id": "{id}", "admin_note": "x" * 2001},
            {"admin_note": ["Ensure this field has no more than 2000 characters."]},
        ),
    ],
)
def test_bad_review_input_is_a_400(reviewer_api, investor, kyc_storage, unchanged_db, path, body, expected):
    submission = submit(investor)
    body = {key: submission.pk if value == "{id}" else value for key, value in body.items()}

    with unchanged_db():
        response = reviewer_api.post(path, body, format="json")

    assert response.status_code == 400
    assert response.json() == expected


def test_malformed_json_is_a_400(reviewer_api, unchanged_db):
    with unchanged_db():
        response = reviewer_api.post(APPROVE, "{kyc_id:", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_an_unknown_submission_is_a_404(reviewer_api, unchanged_db):
    with unchanged_db():
        approve = reviewer_api.post(APPROVE, {"kyc_id": 999_999}, format="json")
        reject = reviewer_api.post(REJECT, {"kyc_id": 999_999, "admin_note": "x"}, format="json")

    for response in (approve, reject):
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


def test_only_kyc_reviewers_review(investor, investor_api, kyc_storage, unchanged_db):
    submission = submit(investor)
    outsiders = [api_for(staff_in(FINANCE)), api_for(staff_in(SUPPORT)), api_for(StaffFactory()), investor_api]

    with unchanged_db():
        for client in outsiders:
            for path, body in (
                (APPROVE, {"kyc_id": submission.pk}),
                (REJECT, {"kyc_id": submission.pk, "admin_note": "x"}),
            ):
                response = client.post(path, body, format="json")
                assert response.status_code == 403
                assert response.json() == FORBIDDEN


def test_a_reviewer_cannot_review_their_own_submission(kyc_storage, unchanged_db):
    """An investor who later joined the staff as a KYC reviewer."""
    applicant = UserFactory()
    submission = submit(applicant)
    applicant.is_staff = True
    applicant.save(update_fields=["is_staff"])
    applicant.groups.add(Group.objects.get(name=KYC_REVIEW))
    client = api_for(applicant)

    with unchanged_db():
        approve = client.post(APPROVE, {"kyc_id": submission.pk}, format="json")
        reject = client.post(REJECT, {"kyc_id": submission.pk, "admin_note": "x"}, format="json")

    for response in (approve, reject):
        assert response.status_code == 403
        assert response.json() == {"detail": "You cannot review your own submission.", "code": "own_request"}


# --- Documents ---------------------------------------------------------------------------------


def test_a_document_is_streamed_inline_and_every_fetch_is_logged(reviewer_api, reviewer, investor, kyc_storage):
    submission = submit(investor)
    front, back, _selfie = submission.documents.order_by("id")

    first = reviewer_api.get(document_path(front.pk), HTTP_USER_AGENT="ReviewDesk/1.0", HTTP_ACCEPT="image/*")

    assert first.status_code == 200
    assert b"".join(first.streaming_content) == (kyc_storage / front.object_name).read_bytes()
    assert first["Content-Type"] == "image/jpeg"
    assert first["Content-Length"] == str(front.size)
    # The name says which submission and side, never who (the admin view gives the same one).
    assert first["Content-Disposition"] == f'inline; filename="kyc-{submission.pk}-id_front.jpg"'
    assert first["Cache-Control"] == "private, no-store"
    assert first["X-Content-Type-Options"] == "nosniff"
    access = DocumentAccess.objects.get()
    assert (access.document, access.staff, access.via, access.ip_address, access.user_agent) == (
        front,
        reviewer,
        "api",
        "127.0.0.1",
        "ReviewDesk/1.0",
    )

    second = reviewer_api.get(document_path(back.pk))
    assert second["Content-Type"] == "image/png"
    assert b"".join(second.streaming_content) == (kyc_storage / back.object_name).read_bytes()
    assert DocumentAccess.objects.count() == 2
    b"".join(reviewer_api.get(document_path(front.pk)).streaming_content)
    assert list(DocumentAccess.objects.order_by("id").values_list("document_id", flat=True)) == [
        front.pk,
        back.pk,
        front.pk,
    ]


def test_the_queue_links_each_document_to_the_logged_endpoint(reviewer_api, investor, kyc_storage):
    submit(investor)
    url = reviewer_api.get(QUEUE).json()["results"][0]["documents"][2]["url"]

    response = reviewer_api.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert DocumentAccess.objects.get().document.side == "selfie"


@pytest.mark.parametrize("document_id", ["999999", str(2**63), "99999999999999999999999"])
def test_an_unknown_document_is_a_404_and_logs_nothing(reviewer_api, document_id, unchanged_db):
    with unchanged_db():
        response = reviewer_api.get(f"/api/admin/kyc/documents/{document_id}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such document.", "code": "not_found"}


def test_documents_need_the_view_document_permission(investor, investor_api, kyc_storage, unchanged_db):
    document = submit(investor).documents.first()
    clients = [api_for(staff_in(SUPPORT)), api_for(staff_in(FINANCE)), investor_api, api_for(UserFactory())]

    with unchanged_db():
        for client in clients:
            response = client.get(document_path(document.pk))
            assert response.status_code == 403
            assert response.json() == FORBIDDEN


def test_on_s3_the_document_is_a_short_lived_presigned_redirect(reviewer_api, reviewer, investor, kyc_s3):
    document = submit(investor).documents.get(side="selfie")

    response = reviewer_api.get(document_path(document.pk))

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(kyc_s3.endpoint) and f"{kyc_s3.key(document.object_name)}?" in location
    assert "X-Amz-Expires=300" in location
    assert "response-content-type=image%2Fjpeg" in location
    assert "response-content-disposition=inline" in location
    assert response["Cache-Control"] == "private, no-store"
    with urllib.request.urlopen(location, timeout=10) as presigned:
        assert presigned.read() == kyc_s3.body(document.object_name)
        assert presigned.headers["Content-Type"] == "image/jpeg"
    access = DocumentAccess.objects.get()
    assert (access.document, access.staff, access.via) == (document, reviewer, "api")
    reviewer_api.get(document_path(document.pk))
    assert DocumentAccess.objects.count() == 2
