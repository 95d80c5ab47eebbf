"""Grant the Investor 360's permissions to the staff roles (see ``apps.accounts.roles``): every role
reads and writes staff notes; Support and Operations, who answer investors who cannot sign in,
unlock accounts locked out after failed sign-ins."""

from django.db import migrations

from apps.accounts.roles import FINANCE, KYC_REVIEW, OPERATIONS, SUPPORT, role_permissions_grant

NOTES = ("accounts.view_staffnote", "accounts.add_staffnote")
INVESTOR_360_PERMISSIONS = {
    FINANCE: NOTES,
    KYC_REVIEW: NOTES,
    SUPPORT: (*NOTES, "accounts.unlock_user"),
    OPERATIONS: (*NOTES, "accounts.unlock_user"),
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, INVESTOR_360_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_staff_notes_and_unlock"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
