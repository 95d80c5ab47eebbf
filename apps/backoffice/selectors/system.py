"""Reads the back office needs that belong to no domain app (third-party tables): locked-out
sign-ins, job runs and locks, the managed periodic tasks."""

from django.conf import settings
from django.utils import timezone


def locked_out_account_count(*, now=None) -> int:
    """Accounts django-axes is locking out right now (failures at the limit within the cool-off)."""
    from axes.models import AccessAttempt

    since = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )
    return attempts.values("username").distinct().count()


# --- jobs (``workers``) and their schedule (django-celery-beat) ------------------------------------


def job_run_failures_unresolved(*, queryset=None):
    """Failed job runs not followed by a successful run of the same job for the same business
    date: what still needs someone's attention (a failure that a later run put right does not)."""
    from django.db.models import Exists, OuterRef

    from workers.models import JobRun, JobStatus

    fixed_later = JobRun.objects.filter(
        job=OuterRef("job"),
        business_date=OuterRef("business_date"),
        status=JobStatus.SUCCEEDED,
        started_at__gt=OuterRef("started_at"),
    )
    queryset = JobRun.objects.all() if queryset is None else queryset
    return queryset.filter(status=JobStatus.FAILED).exclude(Exists(fixed_later))


def job_run_failure_count() -> int:
    return job_run_failures_unresolved().count()


def job_locks_held(*, now=None) -> list:
    """Every job lock, with ``is_expired`` set (an expired lock is taken over by the next run)."""
    from workers.models import JobLock

    now = now or timezone.now()
    locks = list(JobLock.objects.order_by("name"))
    for lock in locks:
        lock.is_expired = lock.expires_at < now
    return locks


def periodic_tasks_managed() -> list:
    """The periodic tasks declared in ``workers/schedule.py`` as beat has them, with their
    schedules (one query)."""
    from django_celery_beat.models import PeriodicTask

    from workers.schedule import MANAGED_PREFIX

    return list(
        PeriodicTask.objects.filter(name__startswith=MANAGED_PREFIX)
        .select_related("interval", "crontab", "solar", "clocked")
        .order_by("name")
    )
