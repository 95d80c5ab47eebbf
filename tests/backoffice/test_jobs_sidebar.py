"""The sidebar's Investments and System items for plans, positions, job runs and locks, with the
failed-jobs badge; and the staff roles' permissions on them (granted by a migration)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import RequestFactory

from apps.accounts import roles
from apps.backoffice.navigation import sidebar_navigation
from workers.models import JobRun, JobStatus

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def section(user, title: str) -> dict:
    sections = {str(entry["title"]): entry for entry in sidebar_navigation(request_for(user))}
    return {str(item["title"]): item for item in sections[title]["items"]} if title in sections else {}


def test_superuser_sees_the_investments_and_job_items(superuser, admin_client_for):
    investments = section(superuser, "Investments")
    assert [(title, item["link"]) for title, item in investments.items()] == [
        ("Plans", "/admin/investments/plan/"),
        ("Positions", "/admin/investments/position/"),
        ("Risk acceptances", "/admin/investments/riskdisclosureacceptance/"),
    ]
    system = section(superuser, "System")
    assert system["Job runs"]["link"] == "/admin/workers/jobrun/"
    assert system["Job locks"]["link"] == "/admin/workers/joblock/"
    page = admin_client_for(superuser).get("/admin/workers/jobrun/")
    assert 'href="/admin/investments/plan/"' in page.text
    assert 'href="/admin/workers/jobrun/"' in page.text


def test_the_failed_jobs_badge_counts_failures_not_put_right(superuser):
    def at(hour: int):
        return time_machine.travel(datetime(2026, 3, 3, hour, tzinfo=ZoneInfo("UTC")), tick=False)

    assert "badge" not in section(superuser, "System")["Job runs"]
    with at(1):
        JobRun.objects.create(job="accrue_returns", business_date=date(2026, 3, 3), status=JobStatus.FAILED)
        JobRun.objects.create(job="ledger_check", business_date=date(2026, 3, 3), status=JobStatus.FAILED)
    item = section(superuser, "System")["Job runs"]
    assert (item["badge"], item["badge_variant"]) == (2, "danger")
    with at(2):
        JobRun.objects.create(job="accrue_returns", business_date=date(2026, 3, 3), status=JobStatus.SUCCEEDED)
    assert section(superuser, "System")["Job runs"]["badge"] == 1


def permissions_of(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.filter(
            content_type__app_label__in=("investments", "workers")
        ).values_list("content_type__app_label", "codename")
    }


def test_roles_hold_the_investment_and_job_permissions():
    assert permissions_of(roles.OPERATIONS) == {
        "investments.view_plan",
        "investments.add_plan",
        "investments.change_plan",
        "investments.view_position",
        "investments.view_accrual",
        "investments.view_riskdisclosureacceptance",
        "workers.view_heartbeat",
        "workers.view_jobrun",
        "workers.add_jobrun",
        "workers.view_joblock",
    }
    assert permissions_of(roles.FINANCE) == {
        "investments.view_plan",
        "investments.view_position",
        "investments.view_accrual",
        "investments.view_riskdisclosureacceptance",
        "workers.view_jobrun",
    }
    assert permissions_of(roles.SUPPORT) == set()
    assert permissions_of(roles.KYC_REVIEW) == set()
