"""The document access log is append-only in the database (see ``apps.kyc.db_guards``)."""

from django.db import migrations

from apps.kyc.db_guards import guards_create, guards_drop


class Migration(migrations.Migration):
    dependencies = [("kyc", "0002_kyc_roles")]

    operations = [migrations.RunPython(guards_create, guards_drop)]
