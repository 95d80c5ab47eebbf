"""A hand-built investor history for the Investor 360 tests and screenshots, made through the
services (and the portal's sign-in form for django-axes' records).

Grace referred Farid, who referred Amina. Amina signed up 90 days ago; her first KYC submission was
rejected, the second approved. She deposited 10,000.00 (500.00 more waiting), bought a 5,000.00
position ten days ago (1% a day: 9 days of 50.00 paid), earned a 30.00 commission when Bilal (whom
she referred, like Chen) invested 1,000.00, got a 25.00 goodwill credit, had 1,000.00 paid out and
asks for 300.00 more. She changed her password, signed in once, then failed five sign-ins and is
locked out. She opened a support ticket; Support and Finance wrote notes about her.

Her balances: available 4,205.00, held 300.00, invested 5,000.00 (total 9,505.00)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.services import password_change, staff_note_add, user_create
from apps.common.dates import business_date_today
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.positions import investment_open
from apps.kyc.services import kyc_submission_approve, kyc_submission_reject
from apps.messaging.services.threads import thread_open_by_investor
from apps.referrals.models import CommissionRule
from apps.referrals.services.rules import commission_rule_create
from apps.wallet.services.adjustments import adjustment_create
from apps.wallet.services.deposits import deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_request_create
from tests.factories import DEFAULT_PASSWORD
from tests.investments.helpers import make_plan
from tests.kyc.helpers import submit
from tests.wallet.helpers import fund

NEW_PASSWORD = "Another-Horse-43"
AVAILABLE, HELD, INVESTED = Decimal("4205.00"), Decimal("300.00"), Decimal("5000.00")
COMMISSION_RATE = Decimal("3.0000")  # level 1, as the referrals migration sets it


@dataclass
class History:
    amina: User
    farid: User
    grace: User
    bilal: User
    chen: User
    submissions: list
    position: object
    paid: object
    pending: object
    pending_deposit: object
    thread: object
    notes: list


def investor(email: str, *, first_name: str, last_name: str, referred_by=None, days_ago: int = 0) -> User:
    user = user_create(
        email=email,
        password=DEFAULT_PASSWORD,
        referred_by=referred_by,
        is_email_verified=True,
        first_name=first_name,
        last_name=last_name,
        country="Jordan",
    )
    if days_ago:
        User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=days_ago))
        user.refresh_from_db()
    return user


def failed_sign_ins(email: str, count: int, *, client: Client | None = None) -> None:
    client = client or Client()
    for _attempt in range(count):
        client.post("/login/", {"username": email, "password": "wrong-password"})


def build_history(*, finance, second_finance, support, kyc_reviewer, superuser) -> History:
    """The whole story above (``kyc_storage`` must be in use for the KYC documents)."""
    if not CommissionRule.objects.filter(level=1).exists():  # a transactional test's flush removed it
        commission_rule_create(actor=superuser, level=1, rate=COMMISSION_RATE)
    grace = investor("grace@example.com", first_name="Grace", last_name="Okafor", days_ago=400)
    farid = investor("farid@example.com", first_name="Farid", last_name="Haddad", referred_by=grace, days_ago=200)
    amina = investor("amina@example.com", first_name="Amina", last_name="Haddad", referred_by=farid, days_ago=90)
    bilal = investor("bilal@example.com", first_name="Bilal", last_name="Saleh", referred_by=amina, days_ago=30)
    chen = investor("chen@example.com", first_name="Chen", last_name="Wei", referred_by=amina, days_ago=20)

    first = submit(amina)
    kyc_submission_reject(submission_id=first.pk, actor=kyc_reviewer, reason="unreadable")
    second = kyc_submission_approve(submission_id=submit(amina).pk, actor=kyc_reviewer)

    plan = make_plan(actor=superuser, name="Steady", min_amount="100.00", daily_rate=Decimal("1.0000"), term_days=30)
    today = business_date_today()
    fund(amina, "10000.00", approver=finance)
    position = investment_open(
        user=amina, plan_id=plan.pk, amount="5000.00", terms_accepted=True, start_date=today - timedelta(days=10)
    )
    fund(bilal, "1000.00", approver=finance)
    investment_open(
        user=bilal, plan_id=plan.pk, amount="1000.00", terms_accepted=True, start_date=today - timedelta(days=10)
    )
    accrue_returns(through=today - timedelta(days=1))
    adjustment_create(user_id=amina.pk, amount="25.00", direction="credit", reason="Goodwill", maker=finance)
    paid = withdrawal_request_create(user=amina, amount="1000.00", address="TAminaPayout0001")
    withdrawal_approve(withdrawal_id=paid.pk, actor=second_finance, payout_hash="0xpaid0001")
    pending = withdrawal_request_create(user=amina, amount="300.00", address="TAminaPayout0002")
    pending_deposit = deposit_request_create(user=amina, amount="500.00", sender_address="TAminaSender01")

    password_change(user=amina, old_password=DEFAULT_PASSWORD, new_password=NEW_PASSWORD)
    Client().post("/login/", {"username": amina.email, "password": NEW_PASSWORD})
    failed_sign_ins(amina.email, 5)

    thread = thread_open_by_investor(
        investor=amina, subject="Where is my second withdrawal?", category="withdrawal", body="It is still pending."
    )
    notes = [
        staff_note_add(user=amina, author=support, body="Called her about the pending withdrawal."),
        staff_note_add(user=amina, author=finance, body="Payout address changed: confirmed by phone."),
    ]
    amina.refresh_from_db()
    return History(
        amina=amina,
        farid=farid,
        grace=grace,
        bilal=bilal,
        chen=chen,
        submissions=[second, first],
        position=position,
        paid=paid,
        pending=pending,
        pending_deposit=pending_deposit,
        thread=thread,
        notes=notes,
    )


def roles_restore() -> None:
    """Put every staff role back with the permissions the roles migrations grant. A transactional
    test ends by emptying every table, groups included (and, after some flushes, permissions), so
    a browser test makes them again (idempotent)."""
    import importlib
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.management import create_contenttypes

    from apps.accounts.roles import FOUNDATION_PERMISSIONS, ROLES

    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
    grants = [FOUNDATION_PERMISSIONS]
    for path in sorted(Path(settings.BASE_DIR).glob("apps/*/migrations/*roles*.py")):
        module = importlib.import_module(f"apps.{path.parts[-3]}.migrations.{path.stem}")
        grants += [
            value for value in vars(module).values() if isinstance(value, dict) and value and set(value) <= set(ROLES)
        ]
    for grant in grants:
        for role, names in grant.items():
            group, _created = Group.objects.get_or_create(name=role)
            for name in names:
                app_label, codename = name.split(".")
                group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
