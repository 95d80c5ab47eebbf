"""The Celery app. ``celery -A workers worker`` / ``celery -A workers beat``."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("bursar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["apps.accounts", "apps.messaging", "apps.wallet", "workers"])


@beat_init.connect
def _schedule_sync_at_beat_start(sender=None, **kwargs) -> None:
    """The schedule is code: write it into django-celery-beat before beat reads it."""
    from workers.schedule import schedule_sync

    schedule_sync()
