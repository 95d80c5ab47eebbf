from django.db.models import F
from django.utils import timezone

from workers.models import Heartbeat

SCHEDULER_HEARTBEAT = "scheduler"


def heartbeat_record(*, name: str = SCHEDULER_HEARTBEAT) -> None:
    """Insert-or-increment, never read-modify-write."""
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=name).update(last_beat_at=now, beats=F("beats") + 1)
    if not updated:
        _, created = Heartbeat.objects.get_or_create(name=name, defaults={"last_beat_at": now, "beats": 1})
        if not created:
            Heartbeat.objects.filter(name=name).update(last_beat_at=now, beats=F("beats") + 1)


def ledger_check_run() -> bool:
    """Run the ledger check, recorded as a ``ledger_check`` job run for today's business date
    (the daily close shows it); on failure alert Finance staff and superusers (in-app + email)."""
    import logging

    from django.conf import settings
    from django.core.mail import send_mail
    from django.db import transaction
    from django.db.models import Q

    from apps.accounts.models import User
    from apps.accounts.roles import FINANCE
    from apps.messaging.services import notification_send_to_staff
    from workers.staff_jobs import LedgerBroken, ledger_check_recorded

    try:
        ledger_check_recorded(trigger="schedule", actor=None)
    except LedgerBroken as broken:
        problems = broken.problems
    else:
        return True
    logging.getLogger("bursar.ledger").error("ledger check failed: %s", problems)
    body = "\n".join(problems)
    staff = User.objects.filter(
        Q(is_superuser=True) | Q(groups__name=FINANCE), is_active=True, is_staff=True
    ).distinct()
    with transaction.atomic():
        notification_send_to_staff(
            users=staff, kind="ledger_check_failed", title="Ledger check FAILED", body=body, link="/admin/"
        )
    if settings.LEDGER_ALERT_EMAILS:
        send_mail("Bursar: ledger check FAILED", body, settings.DEFAULT_FROM_EMAIL, settings.LEDGER_ALERT_EMAILS)
    return False
