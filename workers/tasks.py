from celery import shared_task

from workers.services import heartbeat_record


@shared_task
def scheduler_heartbeat_task() -> None:
    heartbeat_record()


@shared_task
def ledger_check_task() -> bool:
    from workers.services import ledger_check_run

    return ledger_check_run()
