"""The KYC status now follows the user's current KYC submission (``apps.kyc``): the interim
permission to set it by hand goes, with its row (and so its grants to roles)."""

from django.db import migrations


def delete_permission(apps, schema_editor):
    permission_model = apps.get_model("auth", "Permission")
    permission_model.objects.filter(
        content_type__app_label="accounts", content_type__model="user", codename="set_kyc_status"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_staff_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "ordering": ["-date_joined", "-id"],
                "permissions": [("deactivate_user", "Can deactivate and reactivate users")],
                "verbose_name": "user",
                "verbose_name_plural": "users",
            },
        ),
        migrations.RunPython(delete_permission, migrations.RunPython.noop),
    ]
