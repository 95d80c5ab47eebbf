"""Grant the wallet permissions to the staff roles (see ``apps.accounts.roles``)."""

from django.db import migrations

from apps.accounts.roles import FINANCE, OPERATIONS, SUPPORT, role_permissions_grant

WALLET_PERMISSIONS = {
    FINANCE: (
        "wallet.view_deposit",
        "wallet.change_deposit",
        "wallet.view_withdrawal",
        "wallet.change_withdrawal",
        "wallet.view_adjustment",
        "wallet.add_adjustment",
        "wallet.check_adjustment",
        "wallet.view_entry",
        "wallet.view_posting",
        "wallet.view_account",
        "wallet.view_depositaddress",
        "wallet.add_depositaddress",
        "wallet.change_depositaddress",
    ),
    OPERATIONS: (
        "wallet.view_deposit",
        "wallet.view_withdrawal",
        "wallet.view_entry",
        "wallet.view_account",
    ),
    SUPPORT: (
        "wallet.view_deposit",
        "wallet.view_withdrawal",
    ),
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, WALLET_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("wallet", "0004_entry_has_postings_trigger"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
