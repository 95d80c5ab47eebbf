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


def scheduler_health_get() -> SchedulerHealth:
    heartbeat = Heartbeat.objects.filter(name=SCHEDULER_HEARTBEAT).first()
    if heartbeat is None:
        return SchedulerHealth(last_beat_at=None, beats=0, is_alive=False)
    age = (timezone.now() - heartbeat.last_beat_at).total_seconds()
    return SchedulerHealth(
        last_beat_at=heartbeat.last_beat_at,
        beats=heartbeat.beats,
        is_alive=age <= settings.SCHEDULER_HEARTBEAT_STALE_SECONDS,
    )
