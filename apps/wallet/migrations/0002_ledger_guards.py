"""Database guards for the ledger (DESIGN §5):

- I2 append-only: entries and postings refuse UPDATE and DELETE (PostgreSQL and SQLite);
- I1 balanced entries: on PostgreSQL a deferred constraint trigger checks, at commit, that the
  postings of every entry touched sum to zero;
- the platform accounts exist from the start.
"""

from django.conf import settings
from django.db import migrations

from apps.wallet.db_guards import guards_create, guards_drop


def platform_accounts_create(apps, schema_editor):
    account_model = apps.get_model("wallet", "Account")
    for kind in ("cash", "return_expense", "referral_expense", "reward_expense", "fee_income", "adjustments"):
        account_model.objects.get_or_create(owner=None, kind=kind, currency=settings.PLATFORM_CURRENCY)


class Migration(migrations.Migration):
    dependencies = [("wallet", "0001_initial")]

    operations = [
        migrations.RunPython(guards_create, guards_drop),
        migrations.RunPython(platform_accounts_create, migrations.RunPython.noop),
    ]
