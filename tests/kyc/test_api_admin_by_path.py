"""The original client's KYC review: the id in the path (`admin/kyc/approve/<id>/` with `{note}`,
`admin/kyc/reject/<id>/` with a free-text `{reason}`), over the same views as the body form: the
same permissions and errors, and aliases that never widen what is accepted."""

import pytest
from django.contrib.auth.models import Group

from apps.accounts.models import KycStatus
from apps.accounts.roles import FINANCE, KYC_REVIEW, SUPPORT
from apps.kyc.models import Submission
from apps.kyc.services import kyc_submission_approve
from tests.factories import StaffFactory, UserFactory
from tests.kyc.helpers import submit
from tests.kyc.test_api_admin import FORBIDDEN, NOT_FOUND, REJECT, TWICE, admin_body, staff_in
from tests.wallet.api_helpers import api_for

pytestmark = pytest.mark.django_db

BAD_PATH_ID = {"kyc_id": ["The id in the path must be a positive integer."]}
DIFFERENT_IDS = {"kyc_id": ["The id in the body differs from the id in the path."]}


def approve_path(kyc_id) -> str:
    return f"/api/admin/kyc/approve/{kyc_id}/"


def reject_path(kyc_id) -> str:
    return f"/api/admin/kyc/reject/{kyc_id}/"


@pytest.fixture
def reviewer(db):
    return staff_in(KYC_REVIEW)


@pytest.fixture
def reviewer_api(reviewer):
    return api_for(reviewer)


def reviewed(submission: Submission) -> tuple:
    submission.refresh_from_db()
    return submission.status, submission.rejection_reason, submission.admin_note, submission.user.kyc_status


# --- Approve -----------------------------------------------------------------------------------


def test_approve_by_path_with_the_clients_note(reviewer_api, reviewer, investor, kyc_storage):
    submission = submit(investor)

    response = reviewer_api.post(approve_path(submission.pk), {"note": "Looks good."}, format="json")

    assert response.status_code == 200
    assert response.json() == admin_body(submission)
    assert (response.json()["user"], response.json()["reviewed_by"]["id"]) == (investor.pk, reviewer.pk)
    assert reviewed(submission) == ("approved", "", "Looks good.", KycStatus.APPROVED)
    profile = api_for(investor).get("/api/users/profile/").json()
    assert (profile["kyc_status"], profile["is_kyc_verified"]) == ("approved", True)


@pytest.mark.parametrize(
    ("body", "note"),
    [
        (None, ""),
        ({}, ""),
        ({"admin_note": "Fine."}, "Fine."),
        ({"reason": "Fine."}, "Fine."),
        ({"note": "Fine.", "admin_note": "Fine.", "reason": "Fine."}, "Fine."),
        ({"kyc_id": "{id}", "note": "Fine."}, "Fine."),
    ],
)
def test_approve_by_path_takes_no_body_or_any_name_for_the_note(reviewer_api, investor, kyc_storage, body, note):
    submission = submit(investor)
    if body is not None:
        body = {key: submission.pk if value == "{id}" else value for key, value in body.items()}

    response = reviewer_api.post(approve_path(submission.pk), body, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["admin_note"]) == ("approved", note)
    assert reviewed(submission) == ("approved", "", note, KycStatus.APPROVED)


def test_approve_by_body_takes_the_clients_names_too(reviewer_api, investor, kyc_storage):
    submission = submit(investor)

    response = reviewer_api.post("/api/admin/kyc/approve/", {"kyc_id": submission.pk, "note": "Ok."}, format="json")

    assert response.status_code == 200
    assert reviewed(submission) == ("approved", "", "Ok.", KycStatus.APPROVED)


# --- Reject ------------------------------------------------------------------------------------


def test_reject_by_path_with_a_free_text_reason_is_the_note_with_reason_other(reviewer_api, investor, kyc_storage):
    submission = submit(investor)

    response = reviewer_api.post(reject_path(submission.pk), {"reason": "The photo is blurred."}, format="json")

    assert response.status_code == 200
    assert response.json() == admin_body(submission)
    assert (
        response.json()["status"],
        response.json()["rejection_reason"],
        response.json()["rejection_reason_label"],
        response.json()["admin_note"],
    ) == ("rejected", "other", "Other (see the note)", "The photo is blurred.")
    assert reviewed(submission) == ("rejected", "other", "The photo is blurred.", KycStatus.REJECTED)
    status = api_for(investor).get("/api/kyc/status/").json()
    assert (status["status"], status["rejection_reason"], status["admin_note"]) == (
        "rejected",
        "other",
        "The photo is blurred.",
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"admin_note": "Blurred."}, ("other", "Blurred.")),
        ({"note": "Blurred."}, ("other", "Blurred.")),
        ({"reason": "Blurred.", "note": "Blurred."}, ("other", "Blurred.")),
        # Bursar's documented form: `reason` naming a reason code, with the note.
        ({"admin_note": "Expired in 2020.", "reason": "expired"}, ("expired", "Expired in 2020.")),
        ({"note": "Expired in 2020.", "reason": "expired"}, ("expired", "Expired in 2020.")),
        ({"admin_note": "Expired in 2020.", "rejection_reason": "expired"}, ("expired", "Expired in 2020.")),
        ({"reason": "Expired in 2020.", "rejection_reason": "expired"}, ("expired", "Expired in 2020.")),
        (
            {"admin_note": "Expired in 2020.", "reason": "expired", "rejection_reason": "expired"},
            ("expired", "Expired in 2020."),
        ),
        ({"kyc_id": "{id}", "reason": "Blurred."}, ("other", "Blurred.")),
    ],
)
def test_reject_by_path_reads_the_note_and_the_reason_code_under_each_name(
    reviewer_api, investor, kyc_storage, body, expected
):
    submission = submit(investor)
    body = {key: submission.pk if value == "{id}" else value for key, value in body.items()}

    response = reviewer_api.post(reject_path(submission.pk), body, format="json")

    assert response.status_code == 200
    assert (response.json()["rejection_reason"], response.json()["admin_note"]) == expected
    assert reviewed(submission) == ("rejected", *expected, KycStatus.REJECTED)


def test_reject_by_body_with_a_free_text_reason(reviewer_api, investor, kyc_storage):
    submission = submit(investor)

    response = reviewer_api.post(REJECT, {"kyc_id": submission.pk, "reason": "Send the back side."}, format="json")

    assert response.status_code == 200
    assert reviewed(submission) == ("rejected", "other", "Send the back side.", KycStatus.REJECTED)


# --- Refusals: nothing changes -----------------------------------------------------------------


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "1.5", "1e3", " 1", "%201", "١٢"])
@pytest.mark.parametrize("path", [approve_path, reject_path])
def test_a_path_id_that_is_not_a_positive_integer_is_a_400(
    reviewer_api, investor, kyc_storage, unchanged_db, path, raw
):
    submit(investor)

    with unchanged_db():
        response = reviewer_api.post(path(raw), {"reason": "Blurred."}, format="json")

    assert response.status_code == 400
    assert response.json() == BAD_PATH_ID


@pytest.mark.parametrize("raw", [str(2**63), "9" * 25])
@pytest.mark.parametrize("path", [approve_path, reject_path])
def test_a_path_id_past_the_largest_id_is_refused_as_in_the_body(
    reviewer_api, investor, kyc_storage, unchanged_db, path, raw
):
    submit(investor)

    with unchanged_db():
        response = reviewer_api.post(path(raw), {"reason": "Blurred."}, format="json")

    assert response.status_code == 400
    assert response.json() == {"kyc_id": ["Ensure this value is less than or equal to 9223372036854775807."]}


@pytest.mark.parametrize("path", [approve_path, reject_path])
@pytest.mark.parametrize(
    ("other", "errors"),
    [
        (0, DIFFERENT_IDS),
        ("{other}", DIFFERENT_IDS),
        ("{id_text}", {"kyc_id": ["A valid integer is required."]}),
        (None, {"kyc_id": ["A valid integer is required."]}),
        (True, {"kyc_id": ["A valid integer is required."]}),
    ],
)
def test_a_body_id_that_differs_from_the_path_id_is_a_400(
    reviewer_api, investor, kyc_storage, unchanged_db, path, other, errors
):
    """A body id must be the path's id, as a JSON integer: `"5"`, `true` or `null` are not ids."""
    another = submit(UserFactory())
    submission = submit(investor)
    body_id = {"{other}": another.pk, "{id_text}": str(submission.pk)}.get(other, other)

    with unchanged_db():
        response = reviewer_api.post(path(submission.pk), {"kyc_id": body_id, "reason": "Blurred."}, format="json")

    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        (approve_path, {"admin_note": "a", "note": "b"}, {"admin_note": TWICE}),
        (approve_path, {"note": "a", "reason": "b"}, {"admin_note": TWICE}),
        (approve_path, {"status": "approved"}, {"status": ["This field is not allowed."]}),
        (approve_path, {"note": ["a"]}, {"note": ["Not a valid string."]}),
        (approve_path, ["note"], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        (reject_path, None, {"admin_note": ["This field is required."]}),
        (reject_path, {"reason": "   "}, {"reason": ["This field may not be blank."]}),
        (reject_path, {"reason": "expired"}, {"admin_note": ["This field is required."]}),
        (reject_path, {"admin_note": "a", "reason": "b"}, {"admin_note": TWICE}),
        (reject_path, {"note": "a", "reason": "b"}, {"admin_note": TWICE}),
        (reject_path, {"admin_note": "a", "note": "b"}, {"admin_note": TWICE}),
        (
            reject_path,
            {"admin_note": "a", "reason": "expired", "rejection_reason": "unreadable"},
            {"rejection_reason": TWICE},
        ),
        (
            reject_path,
            {"reason": "x", "rejection_reason": "rude"},
            {"rejection_reason": ['"rude" is not a valid choice.']},
        ),
        (
            reject_path,
            {"reason": "x" * 2001},
            {"reason": ["Ensure this field has no more than 2000 characters."]},
        ),
    ],
)
def test_bad_review_input_by_path_is_a_400(reviewer_api, investor, kyc_storage, unchanged_db, path, body, expected):
    submission = submit(investor)

    with unchanged_db():
        response = reviewer_api.post(path(submission.pk), body, format="json")

    assert response.status_code == 400
    assert response.json() == expected


def test_an_unknown_submission_by_path_is_a_404(reviewer_api, unchanged_db):
    with unchanged_db():
        approve = reviewer_api.post(approve_path(999_999), {"note": "x"}, format="json")
        reject = reviewer_api.post(reject_path(999_999), {"reason": "x"}, format="json")

    for response in (approve, reject):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == NOT_FOUND


def test_an_already_reviewed_submission_by_path_is_a_409(reviewer_api, reviewer, investor, kyc_storage, unchanged_db):
    submission = submit(investor)
    kyc_submission_approve(submission_id=submission.pk, actor=reviewer)

    with unchanged_db():
        again = reviewer_api.post(approve_path(submission.pk), {"note": "x"}, format="json")
        reject = reviewer_api.post(reject_path(submission.pk), {"reason": "x"}, format="json")

    for response in (again, reject):
        assert response.status_code == 409
        assert response.json() == {"detail": "This submission is already approved.", "code": "already_reviewed"}


def test_only_kyc_reviewers_review_by_path(investor, investor_api, kyc_storage, unchanged_db, api_client):
    submission = submit(investor)
    outsiders = [api_for(staff_in(FINANCE)), api_for(staff_in(SUPPORT)), api_for(StaffFactory()), investor_api]

    with unchanged_db():
        for client in outsiders:
            for path, body in ((approve_path, {"note": "x"}), (reject_path, {"reason": "x"})):
                # The permission is checked first: even a bad path id is a 403 for them.
                for raw in (submission.pk, "abc"):
                    response = client.post(path(raw), body, format="json")
                    assert response.status_code == 403
                    assert response.json() == FORBIDDEN
        anonymous = api_client.post(approve_path(submission.pk), {}, format="json")

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"


def test_a_reviewer_cannot_review_their_own_submission_by_path(kyc_storage, unchanged_db):
    applicant = UserFactory()
    submission = submit(applicant)
    applicant.is_staff = True
    applicant.save(update_fields=["is_staff"])
    applicant.groups.add(Group.objects.get(name=KYC_REVIEW))
    client = api_for(applicant)

    with unchanged_db():
        approve = client.post(approve_path(submission.pk), {}, format="json")
        reject = client.post(reject_path(submission.pk), {"reason": "x"}, format="json")

    for response in (approve, reject):
        assert response.status_code == 403
        assert response.json() == {"detail": "You cannot review your own submission.", "code": "own_request"}


def test_both_forms_are_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    for action in ("approve", "reject"):
        body_form = schema["paths"][f"/api/admin/kyc/{action}/"]["post"]
        path_form = schema["paths"][f"/api/admin/kyc/{action}/{{kyc_id}}/"]["post"]
        assert path_form["operationId"] == f"admin_kyc_{action}_by_path"
        assert [(p["name"], p["in"], p["schema"]["type"]) for p in path_form["parameters"]] == [
            ("kyc_id", "path", "integer")
        ]
        assert sorted(path_form["responses"]) == sorted(body_form["responses"])
        request = path_form["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert "kyc_id" not in schema["components"]["schemas"][request].get("required", [])
    reject = schema["components"]["schemas"]["KycRejectRequest"]
    assert sorted(reject["properties"]) == ["admin_note", "kyc_id", "note", "reason", "rejection_reason"]
    assert reject["required"] == ["kyc_id"]
    approve = schema["components"]["schemas"]["KycApproveRequest"]
    assert sorted(approve["properties"]) == ["admin_note", "kyc_id", "note", "reason"]
    row = schema["components"]["schemas"]["AdminKycSubmission"]["properties"]
    assert (row["user"]["type"], row["user_email"]["type"], row["id_back_image"]["type"]) == (
        "integer",
        "string",
        "string",
    )
    assert (row["id_front_image"].get("nullable"), row["id_back_image"]["nullable"]) == (True, True)
