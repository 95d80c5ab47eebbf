"""A hand-built history for the staff dashboard's tests, made through the services and the jobs
(deposits approved, positions bought with a referral commission, a withdrawal paid and one
rejected, three accrual runs, two maturities, a treasury count, requests left waiting), dated
around ``TODAY`` with time-machine.

- DAY0 − 40 (2026-01-21): C signs up and deposits 1,000.00 (outside the 30-day charts, inside 90).
- DAY0 (2026-03-02): R, A (referred by R) and B sign up; A deposits 10,000.00, B 2,000.00; C
  buys 500.00 of "Long" (0.5 % a day, 80 days, paid daily: 2.50 a day) and 200.00 of "Month"
  (1 % a day, 20 days, paid at maturity); A buys 5,000.00 of "Daily" (1 % a day, 3 days: 50.00 a
  day), which pays R a 150.00 commission; B buys 1,000.00 of "Lump" (2 % a day, 2 days, at
  maturity) and asks for two withdrawals (500.00 and 100.00, fee 2.50 each).
- DAY1: returns accrued (52.50); the 500.00 withdrawal paid, the 100.00 one rejected; A deposits
  300.00 more (not a first deposit).
- DAY2: returns accrued (52.50); Lump matures (40.00 of returns with its 1,000.00).
- DAY3: returns accrued (52.50); Daily matures (5,000.00 back); B asks for 100.00 at 09:00 (waits);
  finance counts 1,000.00 in the treasury at 18:00.
- TODAY = DAY4 (2026-03-06), the dashboard is looked at 12:00 UTC: C asked to deposit 250.00 at
  10:30, A sent identity documents at 11:50, A opened a support ticket at 11:58."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from apps.investments.services.accrual import accrue_returns
from apps.investments.services.maturity import mature_investments
from apps.investments.services.positions import investment_open
from apps.wallet.services.deposits import deposit_request_create
from apps.wallet.services.treasury import treasury_balance_record
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_reject, withdrawal_request_create
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.kyc.helpers import submit
from tests.messaging.helpers import ticket_open
from tests.runtime import runtime_values_set
from tests.wallet.helpers import fund, kyc_approve

D = Decimal
DAY0 = date(2026, 3, 2)
DAY1, DAY2, DAY3, DAY4 = (DAY0 + timedelta(days=n) for n in range(1, 5))
TODAY = DAY4
C_JOINED = DAY0 - timedelta(days=40)


def at(day: date, hour: int = 12, minute: int = 0):
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("UTC"))
    return time_machine.travel(moment, tick=False)


def moment(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("UTC"))


def plans(actor):
    wide = {"min_amount": "100.00", "max_amount": "100000.00"}
    return {
        "daily": make_plan(actor=actor, name="Daily", daily_rate=D("1"), term_days=3, **wide),
        "lump": make_plan(
            actor=actor, name="Lump", daily_rate=D("2"), term_days=2, payout_schedule="at_maturity", **wide
        ),
        "long": make_plan(actor=actor, name="Long", daily_rate=D("0.5"), term_days=80, **wide),
        "month": make_plan(
            actor=actor, name="Month", daily_rate=D("1"), term_days=20, payout_schedule="at_maturity", **wide
        ),
    }


def history_build(*, superuser, finance, day0: date = DAY0) -> dict:
    """The history above, starting on ``day0``; returns the investors by letter."""
    day1, day2, day3, today = (day0 + timedelta(days=n) for n in range(1, 5))
    runtime_values_set(WITHDRAWAL_FEE_FIXED=D("2.50"))
    c_joined = day0 - timedelta(days=40)
    c = UserFactory(email="c@example.com", first_name="Chadi", date_joined=moment(c_joined, 9))
    with at(c_joined):
        fund(c, "1000.00", approver=superuser)
    r = UserFactory(email="r@example.com", date_joined=moment(day0, 8))
    a = UserFactory(email="a@example.com", first_name="Amina", referred_by=r, date_joined=moment(day0, 9))
    b = UserFactory(email="b@example.com", date_joined=moment(day0, 10))
    kyc_approve(b)
    with at(day0):
        fund(a, "10000.00", approver=superuser)
        fund(b, "2000.00", approver=superuser)
        plan = plans(superuser)
        investment_open(user=c, plan_id=plan["long"].pk, amount="500.00", terms_accepted=True)
        investment_open(user=c, plan_id=plan["month"].pk, amount="200.00", terms_accepted=True)
        investment_open(user=a, plan_id=plan["daily"].pk, amount="5000.00", terms_accepted=True)
        investment_open(user=b, plan_id=plan["lump"].pk, amount="1000.00", terms_accepted=True)
        paid = withdrawal_request_create(user=b, amount="500.00", address="T-address-1")
        rejected = withdrawal_request_create(user=b, amount="100.00", address="T-address-2")
    with at(day1):
        accrue_returns()
        mature_investments()
        withdrawal_approve(withdrawal_id=paid.pk, actor=superuser, payout_hash="0xpaid")
        withdrawal_reject(withdrawal_id=rejected.pk, actor=superuser, note="Wrong address")
        fund(a, "300.00", approver=superuser)
    for day in (day2, day3):
        with at(day):
            accrue_returns()
            mature_investments()
    with at(day3, 9):
        withdrawal_request_create(user=b, amount="100.00", address="T-address-1")
    with at(day3, 18):
        treasury_balance_record(amount="1000.00", actor=finance, note="Cold wallet")
    with at(today, 10, 30):
        deposit_request_create(user=c, amount="250.00")
    with at(today, 11, 50):
        submit(a)
    with at(today, 11, 58):
        ticket_open(a)
    return {"a": a, "b": b, "c": c, "r": r}
