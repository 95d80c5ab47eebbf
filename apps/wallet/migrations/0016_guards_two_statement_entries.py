"""PostgreSQL: an entry's postings may come in more than one statement of its transaction (the
daily returns' chunk entry), checked at commit for every entry; a later insert into an entry that
already has postings must still leave it balanced (apps.wallet.db_guards.PG_GUARDS_V3)."""

from django.db import migrations

from apps.wallet.db_guards import guards_v3_create, guards_v3_drop


class Migration(migrations.Migration):
    dependencies = [("wallet", "0015_account_hot_updates")]

    operations = [migrations.RunPython(guards_v3_create, guards_v3_drop)]
