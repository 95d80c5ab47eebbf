"""KYC reads. An investor sees only their own submissions (another's id is a 404); staff lists
carry everything their columns show in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Value, When

from apps.accounts.models import KycStatus
from apps.kyc.models import Document, DocumentAccess, Submission, SubmissionStatus


def kyc_submission_current(*, user) -> Submission | None:
    return Submission.objects.filter(user=user, is_current=True).prefetch_related("documents").first()


def kyc_submission_history(*, user) -> QuerySet[Submission]:
    """Every submission of the user, newest first."""
    return Submission.objects.filter(user=user).prefetch_related("documents").order_by("-submitted_at", "-id")


def kyc_submission_allowed(*, user, current: Submission | None) -> bool:
    """Whether the user may send documents now: nothing sent yet, or the current submission was
    rejected (a user approved before submissions existed has no current one and may not)."""
    if current is not None:
        return current.status == SubmissionStatus.REJECTED
    return user.kyc_status != KycStatus.APPROVED


def kyc_queue(*, status: str | None = None, search: str = "") -> QuerySet[Submission]:
    """Staff queue in ``KYC_QUEUE_ORDERING``."""
    queryset = Submission.objects.select_related("user", "reviewed_by", "revoked_by").prefetch_related("documents")
    if status:
        queryset = queryset.filter(status=status)
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(
            Q(user__email__icontains=search) | Q(full_name__icontains=search) | Q(id_number__iexact=search)
        )
    return queryset.order_by(*KYC_QUEUE_ORDERING)


def kyc_queue_order() -> Case:
    return Case(When(status=SubmissionStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField())


# Pending first, the longest waiting at the top; then the reviewed ones, newest first.
KYC_QUEUE_ORDERING = (
    kyc_queue_order().asc(),
    Case(When(status=SubmissionStatus.PENDING, then=F("submitted_at"))).asc(),
    F("submitted_at").desc(),
    F("id").desc(),
)


@dataclass(frozen=True)
class KycCounts:
    pending: int
    approved: int
    rejected: int
    oldest_pending_at: object  # datetime | None


def kyc_counts() -> KycCounts:
    row = Submission.objects.aggregate(
        pending=Count("pk", filter=Q(status=SubmissionStatus.PENDING)),
        approved=Count("pk", filter=Q(status=SubmissionStatus.APPROVED)),
        rejected=Count("pk", filter=Q(status=SubmissionStatus.REJECTED)),
        oldest_pending_at=Min("submitted_at", filter=Q(status=SubmissionStatus.PENDING)),
    )
    return KycCounts(**row)


def kyc_pending_count() -> int:
    return Submission.objects.filter(status=SubmissionStatus.PENDING).count()


def kyc_documents_for_submission(*, submission_id: int) -> QuerySet[Document]:
    return Document.objects.filter(submission_id=submission_id).order_by("id")


def kyc_document_accesses(
    *, document_id: int | None = None, submission_id: int | None = None
) -> QuerySet[DocumentAccess]:
    queryset = DocumentAccess.objects.select_related("staff", "document", "document__submission__user")
    if document_id is not None:
        queryset = queryset.filter(document_id=document_id)
    if submission_id is not None:
        queryset = queryset.filter(document__submission_id=submission_id)
    return queryset
