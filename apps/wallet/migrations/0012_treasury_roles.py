"""Treasury balances: Finance records them; Finance and Operations see them (and the coverage
panel they feed). See ``apps.accounts.roles``."""

from django.db import migrations

from apps.accounts.roles import FINANCE, OPERATIONS, role_permissions_grant

TREASURY_PERMISSIONS = {
    FINANCE: ("wallet.view_treasurybalance", "wallet.add_treasurybalance"),
    OPERATIONS: ("wallet.view_treasurybalance",),
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, TREASURY_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("wallet", "0011_treasury_balance"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
