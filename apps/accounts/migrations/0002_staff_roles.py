from django.db import migrations

from apps.accounts.roles import FOUNDATION_PERMISSIONS, role_permissions_grant


def grant(apps, schema_editor):
    role_permissions_grant(apps, FOUNDATION_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("workers", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
