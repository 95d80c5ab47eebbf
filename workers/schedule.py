"""Every periodic job, declared in code by a stable name and synced into django-celery-beat.

Beat runs in UTC. ``schedule_sync()`` runs when beat starts (and from ``manage.py
schedule_sync``): it creates or updates each entry below and disables entries it once managed
that are no longer declared. Staff may pause an entry in the admin; a sync keeps it paused.
"""

from dataclasses import dataclass, field

from django.db import transaction

MANAGED_PREFIX = "bursar:"


@dataclass(frozen=True)
class Every:
    seconds: int


@dataclass(frozen=True)
class Cron:
    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"


@dataclass(frozen=True)
class Job:
    name: str
    task: str
    when: Every | Cron
    kwargs: dict = field(default_factory=dict)
    description: str = ""


SCHEDULE: tuple[Job, ...] = (
    Job(
        name="scheduler-heartbeat",
        task="workers.tasks.scheduler_heartbeat_task",
        when=Every(seconds=60),
        description="Records that beat, the broker and a worker are alive; shown on the dashboard.",
    ),
    Job(
        name="investment-jobs",
        task="workers.tasks.daily_investment_jobs_task",
        when=Cron(minute="5"),
        description="Hourly: accrue returns for every business date not yet done, then mature due positions.",
    ),
    Job(
        name="ledger-check",
        task="workers.tasks.ledger_check_task",
        when=Cron(minute="30", hour="2"),
        description="Nightly check of the ledger invariants; alerts Finance staff when one is broken.",
    ),
    Job(
        name="referral-milestones",
        task="workers.tasks.grant_milestones_task",
        when=Cron(minute="20"),
        description="Hourly: grant referral milestone rewards due by today (each once per user and milestone).",
    ),
    Job(
        name="messaging-deliveries",
        task="apps.messaging.tasks.deliveries_dispatch_task",
        when=Every(seconds=60),
        description="Starts scheduled announcements that are due and finishes any delivery left half done.",
    ),
    Job(
        name="support-auto-close",
        task="apps.messaging.tasks.support_auto_close_task",
        when=Cron(minute="40"),
        description="Hourly: closes threads resolved or waiting on the investor for SUPPORT_AUTO_CLOSE_DAYS days.",
    ),
)


def _schedule_row(when: Every | Cron) -> dict:
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule

    if isinstance(when, Every):
        interval, _ = IntervalSchedule.objects.get_or_create(every=when.seconds, period=IntervalSchedule.SECONDS)
        return {"interval": interval, "crontab": None}
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=when.minute,
        hour=when.hour,
        day_of_week=when.day_of_week,
        day_of_month=when.day_of_month,
        month_of_year=when.month_of_year,
        timezone="UTC",
    )
    return {"interval": None, "crontab": crontab}


@transaction.atomic
def schedule_sync(schedule: tuple[Job, ...] = SCHEDULE) -> list[str]:
    """Write ``schedule`` into django-celery-beat; return the managed names now enabled."""
    from django_celery_beat.models import PeriodicTask, PeriodicTasks

    names = []
    for job in schedule:
        name = MANAGED_PREFIX + job.name
        names.append(name)
        defaults = {
            "task": job.task,
            "kwargs": _json(job.kwargs),
            "description": job.description,
            **_schedule_row(job.when),
        }
        PeriodicTask.objects.update_or_create(name=name, defaults=defaults)
    stale = PeriodicTask.objects.filter(name__startswith=MANAGED_PREFIX).exclude(name__in=names)
    stale.update(enabled=False)
    PeriodicTasks.update_changed()
    return names


def _json(value: dict) -> str:
    import json

    return json.dumps(value, sort_keys=True)
