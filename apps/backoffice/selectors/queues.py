"""Queue health for the staff dashboard: for each queue staff work through, how many items wait
and since when the oldest has waited. One query per queue."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Min
from django.utils import timezone

from apps.wallet.selectors import deposit_queue_summary, withdrawal_queue_summary

QUEUES = ("deposits", "withdrawals", "kyc", "support")


@dataclass(frozen=True)
class QueueHealth:
    key: str
    count: int
    oldest: datetime | None  # when the item waiting longest started waiting
    total: Decimal | None = None  # the money queues: what the pending requests add up to

    def age(self, *, now: datetime | None = None) -> timedelta | None:
        return None if self.oldest is None else max((now or timezone.now()) - self.oldest, timedelta(0))


def deposit_queue_health() -> QueueHealth:
    summary = deposit_queue_summary()
    return QueueHealth("deposits", summary.count, summary.oldest, summary.total)


def withdrawal_queue_health() -> QueueHealth:
    summary = withdrawal_queue_summary()
    return QueueHealth("withdrawals", summary.count, summary.oldest, summary.total)


def kyc_queue_health() -> QueueHealth:
    """KYC submissions waiting for review, the oldest by when it was submitted."""
    from apps.kyc.models import Submission, SubmissionStatus

    row = Submission.objects.filter(status=SubmissionStatus.PENDING).aggregate(
        count=Count("pk"), oldest=Min("submitted_at")
    )
    return QueueHealth("kyc", row["count"], row["oldest"])


def support_queue_health() -> QueueHealth:
    """Support threads owing the investor an answer, the oldest by when it started waiting."""
    from apps.messaging.selectors.threads import threads_waiting_on_staff_summary

    count, oldest = threads_waiting_on_staff_summary()
    return QueueHealth("support", count, oldest)
