import logging

from celery import shared_task

from apps.controls.runtime import MaintenanceError
from workers.services import heartbeat_record

logger = logging.getLogger(__name__)


@shared_task
def scheduler_heartbeat_task() -> None:
    heartbeat_record()


@shared_task
def ledger_check_task() -> bool:
    from workers.services import ledger_check_run

    return ledger_check_run()


@shared_task
def daily_investment_jobs_task() -> None:
    """Accrue every pending business date, then mature what is due. Idempotent and cheap when
    there is nothing to do, so beat runs it every hour (whatever the platform's time zone)."""
    from apps.investments.services.accrual import accrue_returns
    from apps.investments.services.maturity import mature_investments

    try:
        accrue_returns()
        mature_investments()
    except MaintenanceError:
        # Maintenance mode: the dates stay pending, and the first run after it catches them up.
        logger.info("daily investment jobs skipped: maintenance mode is on")


@shared_task
def grant_milestones_task() -> None:
    """Grant referral milestone rewards for every business date not yet done (and for today
    again when something became due since). Idempotent; cheap when nothing is due."""
    from apps.referrals.services.grants import grant_milestones

    try:
        grant_milestones()
    except MaintenanceError:
        logger.info("milestone grants skipped: maintenance mode is on")


@shared_task(autoretry_for=(Exception,), max_retries=3, retry_backoff=1, retry_jitter=False)
def job_chunk_task(chunk_id: int) -> bool:
    """Do one chunk of a job's run (see ``workers.chunks``), unless it is done or being done
    already. A failure rolls the chunk back and is retried alone; the job takes it over
    meanwhile if it is still waiting."""
    from workers.chunks import chunk_work
    from workers.models import JobChunk

    run_id = JobChunk.objects.filter(pk=chunk_id).values_list("run_id", flat=True).first()
    return run_id is not None and chunk_work(run_id=run_id, chunk_id=chunk_id)
