"""Risk disclosure acceptances are append-only in the database (see ``apps.investments.db_guards``),
and the staff who look at plans and positions (Operations, Finance) may look at them too."""

from django.db import migrations

from apps.accounts.roles import FINANCE, OPERATIONS, role_permissions_grant
from apps.investments.db_guards import guards_create, guards_drop

ACCEPTANCE_PERMISSIONS = {
    OPERATIONS: ("investments.view_riskdisclosureacceptance",),
    FINANCE: ("investments.view_riskdisclosureacceptance",),
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, ACCEPTANCE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("investments", "0004_risk_disclosure_acceptance"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [
        migrations.RunPython(guards_create, guards_drop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
