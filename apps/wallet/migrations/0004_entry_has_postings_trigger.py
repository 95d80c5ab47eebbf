"""On PostgreSQL, refuse at commit an entry that has no postings (I1, with the balance trigger)."""

from django.db import migrations

from apps.wallet.db_guards import entry_has_postings_create, entry_has_postings_drop


class Migration(migrations.Migration):
    dependencies = [("wallet", "0003_request_numbers")]

    operations = [migrations.RunPython(entry_has_postings_create, entry_has_postings_drop)]
