from celery import shared_task

from workers.services import heartbeat_record


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

    accrue_returns()
    mature_investments()


@shared_task
def grant_milestones_task() -> None:
    """Grant referral milestone rewards for every business date not yet done (and for today
    again when something became due since). Idempotent; cheap when nothing is due."""
    from apps.referrals.services.grants import grant_milestones

    grant_milestones()
