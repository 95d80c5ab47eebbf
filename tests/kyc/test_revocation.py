"""Revoking an approval: the submission becomes rejected with the revocation's reason and note (who
approved it stays recorded), the investor's status follows, withdrawals stop (also the payout of
one requested before), and the investor may send new documents. Through the service, the API and
the admin. Every refusal changes nothing."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.formats import date_format

from apps.accounts import roles
from apps.accounts.models import KycStatus, UserEvent
from apps.common.errors import ApplicationError
from apps.kyc.models import Submission, SubmissionStatus
from apps.kyc.services import kyc_submission_reject, kyc_submission_revoke
from apps.messaging.models import Notification
from apps.wallet.models import RequestStatus
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_reject, withdrawal_request_create
from tests.backoffice.conftest import staff_with_role
from tests.factories import StaffFactory, UserFactory
from tests.kyc.helpers import submit, submit_and_approve
from tests.wallet.api_helpers import api_for, iso
from tests.wallet.helpers import assert_ledger_ok, balances, fund

pytestmark = pytest.mark.django_db
D = Decimal
REVOKE = "/api/admin/kyc/revoke/"
NOTE = "The passport number is on a list of stolen documents."


@pytest.fixture
def reviewer(db):
    return staff_with_role(roles.KYC_REVIEW)


@pytest.fixture
def approved(investor, reviewer, kyc_storage) -> Submission:
    return submit_and_approve(investor, reviewer=reviewer)


def state(submission: Submission) -> tuple:
    submission.refresh_from_db()
    return (
        submission.status,
        submission.rejection_reason,
        submission.admin_note,
        submission.reviewed_by_id,
        submission.revoked_by_id,
        submission.user.kyc_status,
    )


def refused(call, *, code: str, status_code: int) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    assert (caught.value.code, caught.value.status_code) == (code, status_code)
    return caught.value


# --- service ---------------------------------------------------------------------------------------


def test_revoking_rejects_the_submission_and_tells_the_investor(
    approved, investor, reviewer, django_capture_on_commit_callbacks
):
    approver = approved.reviewed_by_id
    revoker = staff_with_role(roles.KYC_REVIEW)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        kyc_submission_revoke(submission_id=approved.pk, actor=revoker, reason="suspected_fraud", note=f"  {NOTE} ")

    assert state(approved) == (SubmissionStatus.REJECTED, "suspected_fraud", NOTE, approver, revoker.pk, "rejected")
    assert approved.revoked_at is not None and approved.reviewed_at < approved.revoked_at
    event = UserEvent.objects.filter(user=investor).latest("id")
    assert (event.kind, event.actor_id, event.data) == (
        UserEvent.Kind.KYC_STATUS_SET,
        revoker.pk,
        {"from": "approved", "to": "rejected", "submission": approved.pk},
    )
    notice = Notification.objects.filter(user=investor).latest("id")
    assert (notice.kind, notice.title, notice.body, notice.link) == (
        "kyc_revoked",
        "Identity verification withdrawn",
        "Your identity verification was withdrawn: The document could not be verified as genuine. "
        f"{NOTE} Withdrawals are paused until new documents are approved; you can send them from your "
        "verification page.",
        "/kyc/",
    )
    assert [message.subject for message in mail.outbox] == ["Bursar: Identity verification withdrawn"]


def test_after_a_revocation_the_investor_sends_new_documents(approved, investor, reviewer):
    kyc_submission_revoke(submission_id=approved.pk, actor=reviewer, reason="expired", note="Expired in 2024.")
    again = submit(investor)
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.PENDING
    assert list(Submission.objects.filter(user=investor).order_by("id").values_list("status", "is_current")) == [
        (SubmissionStatus.REJECTED, False),
        (SubmissionStatus.PENDING, True),
    ]
    assert again.is_current


@pytest.mark.parametrize(
    ("reason", "note", "code", "field"),
    [
        ("suspected_fraud", "   ", "reason_required", "admin_note"),
        ("", NOTE, "reason_required", "reason"),
        ("not-a-reason", NOTE, "reason_required", "reason"),
    ],
)
def test_a_revocation_needs_a_reason_and_a_note(approved, reviewer, unchanged_db, reason, note, code, field):
    with unchanged_db():
        error = refused(
            lambda: kyc_submission_revoke(submission_id=approved.pk, actor=reviewer, reason=reason, note=note),
            code=code,
            status_code=400,
        )
    assert error.field == field


def test_only_an_approved_submission_is_revoked(investor, reviewer, kyc_storage, unchanged_db):
    pending = submit(investor)
    with unchanged_db():
        error = refused(
            lambda: kyc_submission_revoke(submission_id=pending.pk, actor=reviewer, reason="other", note=NOTE),
            code="not_approved",
            status_code=409,
        )
    assert error.message == "Only an approved submission can have its approval revoked."
    kyc_submission_reject(submission_id=pending.pk, actor=reviewer, reason="expired")
    with unchanged_db():
        refused(
            lambda: kyc_submission_revoke(submission_id=pending.pk, actor=reviewer, reason="other", note=NOTE),
            code="not_approved",
            status_code=409,
        )


def test_only_reviewers_revoke(approved, unchanged_db):
    for outsider in (staff_with_role(roles.FINANCE), staff_with_role(roles.SUPPORT), StaffFactory(), UserFactory()):
        with unchanged_db():
            refused(
                lambda outsider=outsider: kyc_submission_revoke(
                    submission_id=approved.pk, actor=outsider, reason="other", note=NOTE
                ),
                code="permission_denied",
                status_code=403,
            )


# --- withdrawals ---------------------------------------------------------------------------------


def test_a_revocation_stops_new_withdrawals_and_the_payout_of_a_pending_one(approved, investor, reviewer, staff):
    fund(investor, "100.00", approver=staff)
    withdrawal = withdrawal_request_create(user=investor, amount="60.00", address="TXaddr")
    assert balances(investor) == (D("40.00"), D("60.00"), D("0.00"))

    kyc_submission_revoke(submission_id=approved.pk, actor=reviewer, reason="suspected_fraud", note=NOTE)
    investor.refresh_from_db()

    refused(
        lambda: withdrawal_request_create(user=investor, amount="40.00", address="TXaddr"),
        code="kyc_required",
        status_code=400,
    )
    error = refused(
        lambda: withdrawal_approve(withdrawal_id=withdrawal.pk, actor=staff, payout_hash="0xpaid"),
        code="kyc_required",
        status_code=400,
    )
    assert (
        error.message == "This investor's identity is no longer verified: reject the withdrawal to release the funds."
    )
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.close_entry_id) == (RequestStatus.PENDING, None)
    assert balances(investor) == (D("40.00"), D("60.00"), D("0.00"))

    withdrawal_reject(withdrawal_id=withdrawal.pk, actor=staff, note="Identity no longer verified.")
    assert balances(investor) == (D("100.00"), D("0.00"), D("0.00"))
    assert_ledger_ok()


# --- API -----------------------------------------------------------------------------------------


def test_the_api_revokes_and_answers_with_the_submission(approved, reviewer):
    response = api_for(reviewer).post(
        REVOKE, {"kyc_id": approved.pk, "reason": "expired", "admin_note": NOTE}, format="json"
    )
    assert response.status_code == 200
    approved.refresh_from_db()
    body = response.json()
    assert (body["id"], body["status"], body["rejection_reason"], body["admin_note"]) == (
        approved.pk,
        "rejected",
        "expired",
        NOTE,
    )
    assert body["revoked_at"] == iso(approved.revoked_at)
    assert body["revoked_by"] == {"id": reviewer.pk, "email": reviewer.email, "name": reviewer.full_name}
    assert body["reviewed_by"]["id"] == approved.reviewed_by_id


def test_api_revocation_refusals_change_nothing(approved, investor, reviewer, unchanged_db):
    reviewer_api, finance_api, investor_api = (
        api_for(reviewer),
        api_for(staff_with_role(roles.FINANCE)),
        api_for(investor),
    )
    cases = [
        (reviewer_api, {"kyc_id": approved.pk, "reason": "expired"}, 400),  # the note is required
        (reviewer_api, {"kyc_id": "x", "admin_note": NOTE}, 400),
        (reviewer_api, {"kyc_id": 999999, "admin_note": NOTE}, 404),
        (finance_api, {"kyc_id": approved.pk, "admin_note": NOTE}, 403),
        (investor_api, {"kyc_id": approved.pk, "admin_note": NOTE}, 403),
    ]
    for client, body, status_code in cases:
        with unchanged_db():
            assert client.post(REVOKE, body, format="json").status_code == status_code


def test_api_revoking_a_pending_submission_is_a_conflict(investor, reviewer, kyc_storage, unchanged_db):
    pending = submit(investor)
    reviewer_api = api_for(reviewer)
    with unchanged_db():
        response = reviewer_api.post(REVOKE, {"kyc_id": pending.pk, "admin_note": NOTE}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Only an approved submission can have its approval revoked.",
        "code": "not_approved",
    }


# --- admin ---------------------------------------------------------------------------------------


def detail_actions(client, submission) -> list[str]:
    response = client.get(reverse("admin:kyc_submission_change", args=(submission.pk,)))
    assert response.status_code == 200
    return [action["path"].rstrip("/").rsplit("/", 1)[-1] for action in response.context["actions_detail"]]


def test_the_review_page_offers_revoke_on_an_approved_submission_only(approved, investor, reviewer, client):
    client.force_login(reviewer)
    assert detail_actions(client, approved) == ["revoke_detail"]
    other = submit(UserFactory())
    assert detail_actions(client, other) == ["approve_detail", "reject_detail"]
    kyc_submission_revoke(submission_id=approved.pk, actor=reviewer, reason="expired", note=NOTE)
    assert detail_actions(client, approved) == []


def test_revoking_from_the_review_page(approved, reviewer, client):
    client.force_login(reviewer)
    url = reverse("admin:kyc_submission_revoke_detail", args=(approved.pk,))
    assert "Revoke this approval?" in client.get(url).text

    response = client.post(url, {"_form_submitted": "True", "reason": "suspected_fraud", "admin_note": NOTE})

    assert response["HX-Redirect"] == reverse("admin:kyc_submission_change", args=(approved.pk,))
    assert state(approved)[:2] == (SubmissionStatus.REJECTED, "suspected_fraud")
    assert approved.revoked_by == reviewer


def test_the_revoke_dialog_requires_a_note(approved, reviewer, client, unchanged_db):
    client.force_login(reviewer)
    url = reverse("admin:kyc_submission_revoke_detail", args=(approved.pk,))
    with unchanged_db():
        response = client.post(url, {"_form_submitted": "True", "reason": "expired", "admin_note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"admin_note": ["This field is required."]}


def test_the_portal_says_the_verification_was_withdrawn(approved, investor, reviewer, client):
    kyc_submission_revoke(submission_id=approved.pk, actor=reviewer, reason="expired", note=NOTE)
    client.force_login(investor)
    page = client.get(reverse("portal:kyc")).text
    approved.refresh_from_db()
    assert f"Your verification was withdrawn on {date_format(approved.revoked_at, 'DATE_FORMAT')}." in page
    assert "The identity document has expired" in page and NOTE in page
    assert 'name="id_front_image"' in page  # new documents may be sent
