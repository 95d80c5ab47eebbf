"""Jobs staff may run by hand from the admin ("Run now" on the job runs page).

They are the services the schedule runs, called synchronously with ``trigger="staff"`` and the
staff member as actor, so each run is recorded like any other (``JobRun``) and refused the same
way: a future date, a job already running (``job_locked``), maturity before accrual. The ledger
check is recorded as a ``ledger_check`` run, by staff here as by the nightly task
(``workers.services.ledger_check_run``).
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from workers.jobs import ChunkResult, job_lock, run_add_chunk, run_for_date
from workers.models import JobRun

ACCRUE_RETURNS = "accrue_returns"
MATURE_INVESTMENTS = "mature_investments"
LEDGER_CHECK = "ledger_check"
STAFF_JOBS = (
    (ACCRUE_RETURNS, _("Accrue returns")),
    (MATURE_INVESTMENTS, _("Mature investments")),
    (LEDGER_CHECK, _("Ledger check")),
)


class LedgerBroken(ApplicationError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        summary = "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else "")
        super().__init__(f"The ledger check found {len(problems)} problem(s): {summary}", code="ledger_broken")


def job_run_by_staff(*, job: str, through: date | None, actor) -> list[JobRun]:
    """Run ``job`` now, up to ``through`` (default: today), and return the runs it recorded."""
    from apps.investments.services.accrual import accrue_returns
    from apps.investments.services.maturity import mature_investments

    if job == ACCRUE_RETURNS:
        return accrue_returns(through=through, trigger="staff", actor=actor)
    if job == MATURE_INVESTMENTS:
        return [mature_investments(through=through, trigger="staff", actor=actor)]
    if job == LEDGER_CHECK:
        return [ledger_check_recorded(trigger="staff", actor=actor)]
    raise ApplicationError(_("Choose a job."), code="unknown_job", field="job")


def ledger_check_recorded(*, trigger: str, actor) -> JobRun:
    """The ledger check as a recorded run for today: ``processed`` is the postings read; a broken
    ledger fails the run with the problems as its error (and raises ``LedgerBroken``)."""
    from apps.wallet.ledger_check import ledger_check

    def work(run: JobRun) -> None:
        report = ledger_check()
        run_add_chunk(run, ChunkResult(processed=report.postings, created=0, amount=0))
        if not report.ok:
            raise LedgerBroken(report.problems)

    with job_lock(LEDGER_CHECK):
        return run_for_date(
            job=LEDGER_CHECK, business_date=business_date_today(), work=work, trigger=trigger, actor=actor
        )
