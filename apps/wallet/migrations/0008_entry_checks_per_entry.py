"""PostgreSQL: check each entry once at commit (balanced, not empty) and each insert of postings
set-based, instead of one deferred trigger call per posting (bulk jobs write millions)."""

from django.db import migrations

from apps.wallet.db_guards import guards_v2_create, guards_v2_drop


class Migration(migrations.Migration):
    dependencies = [("wallet", "0007_request_queue_indexes")]

    operations = [migrations.RunPython(guards_v2_create, guards_v2_drop)]
