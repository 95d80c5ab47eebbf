"""The Celery app. ``celery -A workers worker`` / ``celery -A workers beat``."""

import logging
import os

from celery import Celery
from celery.signals import beat_init, setup_logging
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("bursar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["apps.accounts", "apps.messaging", "apps.wallet", "workers"])
# Each task's log lines carry the logging context of whoever enqueued it (the request id) and
# the task id; task_started / task_succeeded (with its duration) / task_failed lines.
app.steps["worker"].add(DjangoStructLogInitStep)


@setup_logging.connect
def _logging_from_django_settings(loglevel=None, **kwargs) -> None:
    """Worker and beat log like the web process (``LOGGING``, ``LOG_FORMAT``) instead of
    installing Celery's own handlers; ``--loglevel`` sets the level."""
    from django.conf import settings

    from apps.common.logging import logging_configure

    logging_configure(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@beat_init.connect
def _schedule_sync_at_beat_start(sender=None, **kwargs) -> None:
    """The schedule is code: write it into django-celery-beat before beat reads it."""
    from workers.schedule import schedule_sync

    schedule_sync()
