"""Buying a plan: one transaction that checks, records the investor's acceptance of the plan's
risk disclosure (once per disclosure version: ``services.risk``), freezes the terms onto a
position, moves available → invested and pays referral commissions."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from apps.controls.runtime import maintenance_check
from apps.investments.models import Accrual, PayoutSchedule, Plan, Position
from apps.investments.returns import cumulative_return, return_for_day
from apps.investments.services.accrual import JOB as ACCRUAL_JOB
from apps.investments.services.risk import risk_disclosure_settle
from apps.referrals.services import commissions_pay
from apps.wallet.models import AccountKind, EntryKind
from apps.wallet.services.common import amount_clean
from apps.wallet.services.ledger import entry_post, investor_account, transfer_legs
from workers.jobs import business_date_check, last_succeeded_date
from workers.models import JobRun


@dataclass(frozen=True)
class Quote:
    """What the investor sees before confirming."""

    plan: Plan
    amount: Decimal
    first_day_return: Decimal
    total_return: Decimal
    start_date: date
    first_accrual_date: date
    maturity_date: date
    payable_at_maturity: Decimal


def _plan_pk(plan_id) -> int | None:
    """``plan_id`` when it is an integer id (``True`` is an ``int`` in Python, not an id)."""
    return plan_id if isinstance(plan_id, int) and not isinstance(plan_id, bool) else None


def _plan_for_investing(plan_id) -> Plan:
    pk = _plan_pk(plan_id)
    plan = Plan.objects.filter(pk=pk, is_active=True).first() if pk is not None else None
    if plan is None:
        raise ApplicationError(
            _("This plan does not exist or is no longer offered."), code="invalid_pack", field="pack_id"
        )
    return plan


def investment_quote(*, plan_id, amount, start_date: date | None = None) -> Quote:
    plan = _plan_for_investing(plan_id)
    amount = amount_clean(amount)
    if not plan.min_amount <= amount <= plan.max_amount:
        raise ApplicationError(
            _("Invest between %(min)s and %(max)s in this plan.") % {"min": plan.min_amount, "max": plan.max_amount},
            code="amount_out_of_range",
            field="amount",
        )
    start = start_date or business_date_today()
    total = cumulative_return(principal=amount, daily_rate=plan.daily_rate, days=plan.term_days)
    at_maturity = (amount if plan.capital_back else Decimal("0.00")) + (
        total if plan.payout_schedule == PayoutSchedule.AT_MATURITY else Decimal("0.00")
    )
    return Quote(
        plan=plan,
        amount=amount,
        first_day_return=return_for_day(principal=amount, daily_rate=plan.daily_rate, day=1),
        total_return=total,
        start_date=start,
        first_accrual_date=start + timedelta(days=1),
        maturity_date=start + timedelta(days=plan.term_days),
        payable_at_maturity=at_maturity,
    )


def _start_date_check(start_date: date) -> None:
    """A purchase may be dated back (demo data, imports: no interface passes a date), never into
    the future nor before the last date returns were accrued for: the accrual job catches up from
    that date, so the position would never be paid the days in between."""
    business_date_check(start_date)
    accrued_through = last_succeeded_date(ACCRUAL_JOB)
    if accrued_through is not None and start_date < accrued_through:
        raise ApplicationError(
            _("Returns are already accrued through %(date)s: a purchase cannot be dated before it.")
            % {"date": accrued_through.isoformat()},
            code="accrual_done",
        )
    # A run for a later date that is still going, or stopped part-way, has paid some investors for
    # that date already: a position earning on it would give one of them a second day's posting.
    if (
        JobRun.objects.filter(job=ACCRUAL_JOB, business_date__gt=start_date).exists()
        or Accrual.objects.filter(business_date__gt=start_date).exists()
    ):
        raise ApplicationError(
            _("Returns for a later date are being accrued or were accrued in part: finish that run first."),
            code="accrual_started",
        )


@transaction.atomic(durable=True)
def investment_open(
    *,
    user,
    plan_id,
    amount,
    terms_accepted: bool | None = None,
    ip_address: str | None = None,
    start_date: date | None = None,
) -> Position:
    """Buy a plan today, or on ``start_date`` (an earlier business date: see ``_start_date_check``):
    the position, its investment entry and the referral commissions all carry that date.

    ``terms_accepted``: ``True`` accepts the plan's current risk disclosure (recorded with
    ``ip_address`` unless accepted before), ``None`` relies on an earlier acceptance (none is
    needed for a plan without a disclosure), ``False`` declines: always refused."""
    maintenance_check()
    if start_date is not None:
        _start_date_check(start_date)
    Plan.objects.select_for_update().filter(pk=_plan_pk(plan_id)).first()
    quote = investment_quote(plan_id=plan_id, amount=amount, start_date=start_date)
    plan = quote.plan
    risk_disclosure_settle(user=user, plan=plan, terms_accepted=terms_accepted, ip_address=ip_address)
    position = Position.objects.create(
        user=user,
        plan=plan,
        principal=quote.amount,
        daily_rate=plan.daily_rate,
        term_days=plan.term_days,
        payout_schedule=plan.payout_schedule,
        capital_back=plan.capital_back,
        start_date=quote.start_date,
        maturity_date=quote.maturity_date,
        terms_accepted_at=timezone.now(),
        terms_snapshot={
            "plan": plan.name,
            "daily_rate": str(plan.daily_rate),
            "term_days": plan.term_days,
            "payout_schedule": plan.payout_schedule,
            "capital_back": plan.capital_back,
            "risk_disclosure": plan.risk_disclosure,
            "total_return": str(quote.total_return),
        },
    )
    position.open_entry = entry_post(
        kind=EntryKind.INVESTMENT,
        natural_key=f"investment:{position.pk}",
        legs=transfer_legs(
            debit=investor_account(user=user, kind=AccountKind.AVAILABLE),
            credit=investor_account(user=user, kind=AccountKind.INVESTED),
            amount=quote.amount,
        ),
        actor=user,
        memo=f"{plan.name}, position #{position.pk}",
        business_date=position.start_date,
    )
    position.save(update_fields=["open_entry"])
    commissions_pay(position=position)
    return position
