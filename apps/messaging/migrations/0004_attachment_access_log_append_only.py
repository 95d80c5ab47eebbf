"""The attachment access log is append-only in the database (see ``apps.messaging.db_guards``)."""

from django.db import migrations

from apps.messaging.db_guards import ACCESS_LOG


class Migration(migrations.Migration):
    dependencies = [("messaging", "0003_messaging_roles")]

    operations = [migrations.RunPython(ACCESS_LOG.guards_create, ACCESS_LOG.guards_drop)]
