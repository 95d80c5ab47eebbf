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
