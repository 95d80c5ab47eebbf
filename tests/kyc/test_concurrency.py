"""PostgreSQL only: real threads, each with its own connection, submitting and reviewing KYC at
once."""

import pytest
from django.contrib.auth.models import Permission

from apps.accounts.models import KycStatus, UserEvent
from apps.common.errors import ConflictError
from apps.kyc.models import Document, Submission
from apps.kyc.services import kyc_submission_approve, kyc_submission_reject
from apps.messaging.models import Notification
from tests.factories import StaffFactory, UserFactory
from tests.kyc.helpers import submit
from tests.wallet.test_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 16


def reviewer():
    staff = StaffFactory()
    staff.user_permissions.add(Permission.objects.get(codename="review_submission"))
    return type(staff).objects.get(pk=staff.pk)


def stored_files(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_simultaneous_submissions_store_one_and_leave_no_orphan_file(kyc_storage):
    investor = UserFactory()

    results = run_in_threads(THREADS, lambda i: submit(investor, full_name=f"Amina Haddad {i}"))

    successes = [r for r in results if isinstance(r, Submission)]
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(successes) == 1
    assert [(type(r), r.code) for r in refusals] == [(ConflictError, "kyc_pending")] * (THREADS - 1)
    submission = Submission.objects.get(user=investor)
    assert (submission.pk, submission.status, submission.is_current) == (successes[0].pk, "pending", True)
    assert stored_files(kyc_storage) == sorted(
        Document.objects.filter(submission=submission).values_list("object_name", flat=True)
    )
    assert len(stored_files(kyc_storage)) == 3
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.PENDING
    assert UserEvent.objects.filter(user=investor, kind=UserEvent.Kind.KYC_STATUS_SET).count() == 1


def test_simultaneous_resubmissions_after_a_rejection_store_one(kyc_storage):
    investor, staff = UserFactory(), reviewer()
    first = submit(investor)
    kyc_submission_reject(submission_id=first.pk, actor=staff, reason="expired")

    results = run_in_threads(THREADS, lambda i: submit(investor, id_back_image=None))

    successes = [r for r in results if isinstance(r, Submission)]
    assert len(successes) == 1
    assert {(type(r), r.code) for r in results if isinstance(r, Exception)} == {(ConflictError, "kyc_pending")}
    assert list(Submission.objects.filter(user=investor).order_by("id").values_list("pk", "status", "is_current")) == [
        (first.pk, "rejected", False),
        (successes[0].pk, "pending", True),
    ]
    assert len(stored_files(kyc_storage)) == 3 + 2
    assert stored_files(kyc_storage) == sorted(Document.objects.values_list("object_name", flat=True))


def test_simultaneous_submissions_of_different_investors_all_succeed(kyc_storage):
    investors = [UserFactory() for _ in range(THREADS)]

    results = run_in_threads(THREADS, lambda i: submit(investors[i], id_back_image=None))

    assert [type(r) for r in results] == [Submission] * THREADS
    assert Submission.objects.filter(status="pending", is_current=True).count() == THREADS
    assert len(stored_files(kyc_storage)) == 2 * THREADS


def test_simultaneous_approvals_close_once_and_notify_once(kyc_storage):
    investor = UserFactory()
    reviewers = [reviewer() for _ in range(4)]
    submission = submit(investor)

    results = run_in_threads(
        THREADS, lambda i: kyc_submission_approve(submission_id=submission.pk, actor=reviewers[i % 4])
    )

    successes = [r for r in results if isinstance(r, Submission)]
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(successes) == 1
    assert [(type(r), r.code, r.status_code) for r in refusals] == [(ConflictError, "already_reviewed", 409)] * (
        THREADS - 1
    )
    submission.refresh_from_db()
    assert (submission.status, submission.reviewed_by_id) == ("approved", successes[0].reviewed_by_id)
    assert list(Notification.objects.values_list("user", "kind")) == [(investor.pk, "kyc_approved")]
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.APPROVED
    assert UserEvent.objects.filter(user=investor, kind=UserEvent.Kind.KYC_STATUS_SET).count() == 2


def test_simultaneous_approve_and_reject_leave_one_decision(kyc_storage):
    investor, approver, rejecter = UserFactory(), reviewer(), reviewer()
    submission = submit(investor)

    def review(i):
        if i % 2:
            return kyc_submission_approve(submission_id=submission.pk, actor=approver)
        return kyc_submission_reject(submission_id=submission.pk, actor=rejecter, reason="expired")

    results = run_in_threads(THREADS, review)

    assert sum(1 for r in results if isinstance(r, Submission)) == 1
    assert {(type(r), r.code) for r in results if isinstance(r, Exception)} == {(ConflictError, "already_reviewed")}
    submission.refresh_from_db()
    investor.refresh_from_db()
    kind = {"approved": "kyc_approved", "rejected": "kyc_rejected"}[submission.status]
    assert investor.kyc_status == submission.status
    assert submission.reviewed_by == (approver if submission.status == "approved" else rejecter)
    assert list(Notification.objects.values_list("user", "kind")) == [(investor.pk, kind)]
