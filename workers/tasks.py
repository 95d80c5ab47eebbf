from celery import shared_task

from workers.services import heartbeat_record


@shared_task
def scheduler_heartbeat_task() -> None:
    heartbeat_record()
