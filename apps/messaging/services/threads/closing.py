"""The auto-close job: threads resolved, or waiting on the investor, for
``SUPPORT_AUTO_CLOSE_DAYS`` are closed, each with an event and a notice."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.controls.runtime import runtime_setting
from apps.messaging.models import (
    Thread,
    ThreadEvent,
    ThreadEventKind,
    ThreadKind,
    ThreadStatus,
)
from apps.messaging.services.notifications import notification_send

# --- the auto-close job ------------------------------------------------------------------------------------

AUTO_CLOSE_BATCH = 500


def threads_auto_close(*, now=None) -> int:
    """Close the threads resolved, or waiting on the investor, for ``SUPPORT_AUTO_CLOSE_DAYS``,
    each with an event and a notice to the investor. Batches of rows locked with SKIP LOCKED, so
    two copies of the job share the work and a thread changed meanwhile is left alone."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=runtime_setting("SUPPORT_AUTO_CLOSE_DAYS"))
    closed = 0
    while True:
        done = _auto_close_batch(now=now, cutoff=cutoff)
        closed += done
        if done < AUTO_CLOSE_BATCH:
            return closed


@transaction.atomic(durable=True)
def _auto_close_batch(*, now, cutoff) -> int:
    # Quiet for the whole period: in that status, and no message since (staff may remind an
    # investor without the thread changing status). Task threads are not conversations to close:
    # a task offered to a segment waits on each recipient until the task expires.
    due = Q(
        status__in=[ThreadStatus.RESOLVED, ThreadStatus.WAITING_INVESTOR],
        status_changed_at__lte=cutoff,
        last_message_at__lte=cutoff,
    ) & ~Q(kind=ThreadKind.TASK)
    threads = list(
        Thread.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("investor")
        .filter(due)
        .order_by("id")[:AUTO_CLOSE_BATCH]
    )
    if not threads:
        return 0
    Thread.objects.filter(pk__in=[thread.pk for thread in threads]).update(
        status=ThreadStatus.CLOSED,
        closed_at=now,
        status_changed_at=now,
        updated_at=now,
        waiting_since=None,
        response_due_at=None,
    )
    ThreadEvent.objects.bulk_create(
        [
            ThreadEvent(
                thread=thread,
                kind=ThreadEventKind.AUTO_CLOSED,
                data={"from": thread.status, "days": runtime_setting("SUPPORT_AUTO_CLOSE_DAYS")},
                created_at=now,
            )
            for thread in threads
        ]
    )
    for thread in threads:
        notification_send(
            user=thread.investor,
            kind="support_closed",
            title=lambda thread=thread: _("Conversation closed: %(subject)s") % {"subject": thread.subject},
            body=lambda: (
                ngettext(
                    "We closed this conversation because it had no activity for %(days)d day. "
                    "If you still need help, open a new one.",
                    "We closed this conversation because it had no activity for %(days)d days. "
                    "If you still need help, open a new one.",
                    runtime_setting("SUPPORT_AUTO_CLOSE_DAYS"),
                )
                % {"days": runtime_setting("SUPPORT_AUTO_CLOSE_DAYS")}
            ),
            link=f"/messages/{thread.pk}/",
        )
    return len(threads)
