"""Grant the runtime settings permissions to the staff roles (see ``apps.accounts.roles``):
Operations changes them; Finance sees them and their change log."""

from django.db import migrations

from apps.accounts.roles import FINANCE, OPERATIONS, role_permissions_grant

CONTROLS_PERMISSIONS = {
    OPERATIONS: ("constance.view_config", "constance.change_config", "controls.view_settingchange"),
    FINANCE: ("constance.view_config", "controls.view_settingchange"),
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, CONTROLS_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("controls", "0001_setting_change"),
        ("constance", "0003_drop_pickle"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
