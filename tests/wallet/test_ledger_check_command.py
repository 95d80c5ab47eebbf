from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from apps.accounts.roles import FINANCE
from apps.messaging.models import Notification
from apps.wallet.models import Account, AccountKind
from apps.wallet.services.ledger import investor_account
from tests.factories import StaffFactory
from tests.wallet.helpers import fund
from workers.services import ledger_check_run

pytestmark = pytest.mark.django_db


def test_command_reports_ok(investor, staff):
    fund(investor, "25.00", approver=staff)
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert out.getvalue() == "Ledger OK: 8 accounts, 1 entries, 2 postings.\n"


def test_command_exits_1_with_a_readable_report(investor, staff):
    fund(investor, "25.00", approver=staff)
    available = investor_account(user=investor, kind=AccountKind.AVAILABLE)
    Account.objects.filter(pk=available.pk).update(balance=Decimal("30.00"))
    err = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("ledger_check", stderr=err)
    assert error.value.returncode == 1
    assert err.getvalue().splitlines() == [
        "Ledger BROKEN: 8 accounts, 1 entries, 2 postings; 2 problem(s):",
        "  - I11 money is not conserved: the accounts sum to 5.00, not 0",
        f"  - I4 cached balance differs from the sum of postings: id {available.pk} (30.00 vs 25.00)",
    ]


def test_nightly_job_alerts_finance_staff_and_superusers(
    investor, staff, superuser, settings, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    settings.LEDGER_ALERT_EMAILS = ["ops@bursar.example"]
    finance = StaffFactory()
    finance.groups.add(Group.objects.get(name=FINANCE))
    fund(investor, "25.00", approver=staff)
    assert ledger_check_run() is True
    assert Notification.objects.filter(kind="ledger_check_failed").count() == 0
    available = investor_account(user=investor, kind=AccountKind.AVAILABLE)
    Account.objects.filter(pk=available.pk).update(balance=Decimal("1.00"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert ledger_check_run() is False
    alerted = set(Notification.objects.filter(kind="ledger_check_failed").values_list("user__email", flat=True))
    assert alerted == {finance.email, superuser.email}
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([finance.email, superuser.email, "ops@bursar.example"])
