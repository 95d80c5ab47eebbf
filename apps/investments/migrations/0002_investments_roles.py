"""Grant the investments and job permissions to the staff roles (see ``apps.accounts.roles``).

Operations runs the offer and the jobs: it manages plans, looks at positions and accruals, and
runs a job by hand ("Run now" on the job runs page needs ``workers.add_jobrun``: running a job is
what adds a run); it also sees the job locks. Finance looks at all of it."""

from django.db import migrations

from apps.accounts.roles import FINANCE, OPERATIONS, role_permissions_grant

INVESTMENTS_PERMISSIONS = {
    OPERATIONS: (
        "investments.view_plan",
        "investments.add_plan",
        "investments.change_plan",
        "investments.view_position",
        "investments.view_accrual",
        "workers.view_jobrun",
        "workers.add_jobrun",
        "workers.view_joblock",
    ),
    FINANCE: (
        "investments.view_plan",
        "investments.view_position",
        "investments.view_accrual",
        "workers.view_jobrun",
    ),
}


def grant(apps, schema_editor):
    role_permissions_grant(apps, INVESTMENTS_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("investments", "0001_initial"),
        ("workers", "0002_job_runs_and_locks"),
        ("accounts", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
