"""Accruals point to the posting that paid them (issue 13: daily returns are posted once per
investor and date). Accruals already paid point to their entry's posting on the investor's
available account: the old per-position ``accrual:<position>:<date>`` entry, or the maturity
entry for at-maturity plans."""

import django.db.models.deletion
from django.db import migrations, models

LINK_PAID_ACCRUALS = """
UPDATE investments_accrual SET posting_id = (
    SELECT p.id FROM wallet_posting p
    JOIN wallet_account a ON a.id = p.account_id
    JOIN investments_position pos ON pos.user_id = a.owner_id
    WHERE p.entry_id = investments_accrual.entry_id AND a.kind = 'available'
      AND pos.id = investments_accrual.position_id
)
WHERE entry_id IS NOT NULL
"""

RELINK_ENTRIES = """
UPDATE investments_accrual SET entry_id = (SELECT entry_id FROM wallet_posting WHERE id = investments_accrual.posting_id)
WHERE posting_id IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("investments", "0005_risk_acceptance_append_only_and_roles"),
        ("wallet", "0014_deposit_confirmed_hash"),
    ]

    operations = [
        migrations.AddField(
            model_name="accrual",
            name="posting",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="accruals",
                to="wallet.posting",
            ),
        ),
        # Backwards, the entry link is filled again from the postings.
        migrations.RunSQL(LINK_PAID_ACCRUALS, RELINK_ENTRIES),
        migrations.RemoveField(model_name="accrual", name="entry"),
    ]
