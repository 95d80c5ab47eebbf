from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from workers.models import Heartbeat
from workers.services import SCHEDULER_HEARTBEAT


@dataclass(frozen=True)
class SchedulerHealth:
    last_beat_at: datetime | None
    beats: int
    is_alive: bool


def heartbeat_is_alive(*, heartbeat: Heartbeat, now: datetime | None = None) -> bool:
    """A heartbeat is alive when it beat within ``SCHEDULER_HEARTBEAT_STALE_SECONDS``."""
    age = ((now or timezone.now()) - heartbeat.last_beat_at).total_seconds()
    return age <= settings.SCHEDULER_HEARTBEAT_STALE_SECONDS


def scheduler_health_get() -> SchedulerHealth:
    heartbeat = Heartbeat.objects.filter(name=SCHEDULER_HEARTBEAT).first()
    if heartbeat is None:
        return SchedulerHealth(last_beat_at=None, beats=0, is_alive=False)
    return SchedulerHealth(
        last_beat_at=heartbeat.last_beat_at,
        beats=heartbeat.beats,
        is_alive=heartbeat_is_alive(heartbeat=heartbeat),
    )
