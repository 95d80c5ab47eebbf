"""Grant the referrals permissions to the staff roles (see ``apps.accounts.roles``): Support,
Finance and Operations look; Operations also add and change commission rules and milestones."""

from django.db import migrations

from apps.accounts.roles import FINANCE, OPERATIONS, SUPPORT, role_permissions_grant

VIEW = (
    "referrals.view_commissionrule",
    "referrals.view_commission",
    "referrals.view_milestone",
    "referrals.view_milestoneaward",
    "referrals.view_referrer",
)
REFERRALS_PERMISSIONS = {
    SUPPORT: VIEW,
    FINANCE: VIEW,
    OPERATIONS: (
        *VIEW,
        "referrals.add_commissionrule",
        "referrals.change_commissionrule",
        "referrals.add_milestone",
        "referrals.change_milestone",
    ),
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, REFERRALS_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_milestones"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
