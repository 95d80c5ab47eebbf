"""Grant the KYC permissions to the staff roles (see ``apps.accounts.roles``)."""

from django.db import migrations

from apps.accounts.roles import KYC_REVIEW, OPERATIONS, SUPPORT, role_permissions_grant

KYC_PERMISSIONS = {
    KYC_REVIEW: (
        "kyc.view_submission",
        "kyc.review_submission",
        "kyc.view_document",
        "kyc.view_documentaccess",
    ),
    SUPPORT: ("kyc.view_submission",),
    OPERATIONS: ("kyc.view_submission", "kyc.view_documentaccess"),
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, KYC_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("kyc", "0001_initial"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
