"""Grant the messaging center's permissions to the staff roles (see ``apps.accounts.roles``):
Support runs the desk (threads, notes, canned replies, announcements, tasks); Finance pays task
rewards; Operations looks."""

from django.db import migrations

from apps.accounts.roles import FINANCE, OPERATIONS, SUPPORT, role_permissions_grant

MESSAGING_PERMISSIONS = {
    SUPPORT: (
        "messaging.view_thread",
        "messaging.add_thread",
        "messaging.handle_thread",
        "messaging.view_attachment_file",
        "messaging.view_attachmentaccess",
        "messaging.view_cannedreply",
        "messaging.add_cannedreply",
        "messaging.change_cannedreply",
        "messaging.delete_cannedreply",
        "messaging.view_announcement",
        "messaging.add_announcement",
        "messaging.change_announcement",
        "messaging.send_announcement",
        "messaging.view_task",
        "messaging.add_task",
        "messaging.view_taskassignment",
    ),
    FINANCE: (
        "messaging.view_task",
        "messaging.view_taskassignment",
        "messaging.review_task_proof",
    ),
    OPERATIONS: (
        "messaging.view_thread",
        "messaging.view_announcement",
        "messaging.view_task",
        "messaging.view_taskassignment",
        "messaging.view_attachmentaccess",
    ),
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, MESSAGING_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_messaging_center"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
