from decimal import Decimal

from django.db import migrations


def default_rule(apps, schema_editor):
    apps.get_model("referrals", "CommissionRule").objects.get_or_create(level=1, defaults={"rate": Decimal("3.0000")})


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(default_rule, migrations.RunPython.noop)]
