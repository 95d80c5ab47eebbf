"""The sidebar: declared for every domain, shown only where an admin page exists and the staff
member may open it."""

import pytest
from django.test import RequestFactory

from apps.backoffice import navigation
from apps.backoffice.navigation import NavItem, NavSection, sidebar_navigation
from workers.services import heartbeat_record

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def titles(sections) -> dict:
    return {str(section["title"]): [str(item["title"]) for item in section["items"]] for section in sections}


def test_unresolvable_items_are_dropped_and_empty_sections_hidden(superuser):
    sidebar = (
        NavSection("Later", (NavItem("Deposits", "south_west", "admin:nowhere_deposit_changelist"),)),
        NavSection("Bad namespace", (NavItem("Ghost", "help", "nonexistent:thing"),)),
        NavSection(
            "People",
            (
                NavItem("Users", "group", "admin:accounts_user_changelist"),
                NavItem("Not yet", "help", "admin:accounts_nothing_changelist"),
            ),
        ),
    )
    sections = sidebar_navigation(request_for(superuser), sidebar)
    assert titles(sections) == {"People": ["Users"]}
    assert sections[0]["items"][0]["link"] == "/admin/accounts/user/"
    assert sections[0]["separator"] is False


def test_superuser_sees_every_built_item(superuser):
    sections = titles(sidebar_navigation(request_for(superuser)))
    assert sections["None"] == ["Dashboard"]
    assert sections["People"] == ["Users", "Roles", "Account events"]
    assert sections["System"][:4] == ["Scheduler heartbeat", "Periodic tasks", "Crontabs", "Intervals"]
    assert "Failed logins" in sections["System"]
    assert "Sign-in log" in sections["System"]


def test_items_follow_the_staff_members_permissions(finance, operations, staff):
    assert titles(sidebar_navigation(request_for(staff))) == {"None": ["Dashboard"]}

    finance_sections = titles(sidebar_navigation(request_for(finance)))
    assert finance_sections["People"] == ["Users", "Account events"]
    assert finance_sections["Investments"] == ["Plans", "Positions", "Risk acceptances"]
    assert finance_sections["System"] == ["Job runs", "Runtime settings", "Setting changes"]

    operations_sections = titles(sidebar_navigation(request_for(operations)))
    assert operations_sections["People"] == ["Users", "Account events"]
    assert operations_sections["Investments"] == ["Plans", "Positions", "Risk acceptances"]
    assert operations_sections["System"] == [
        "Scheduler heartbeat",
        "Periodic tasks",
        "Crontabs",
        "Intervals",
        "Job runs",
        "Job locks",
        "Runtime settings",
        "Setting changes",
    ]


def test_investors_get_no_navigation(investor):
    assert sidebar_navigation(request_for(investor)) == []


def test_explicit_permissions_and_badges(staff, superuser):
    sidebar = (
        NavSection(
            "Queues",
            (
                NavItem("Counted", "inbox", "admin:index", permission=lambda request: True, badge=lambda request: 3),
                NavItem("Empty queue", "inbox", "admin:index", permission=lambda request: True, badge=lambda r: 0),
                NavItem("Later badge", "inbox", "admin:index", permission=lambda r: True, badge="apps.nope.count"),
                NavItem("Perm", "lock", "admin:index", permission="accounts.view_user"),
            ),
        ),
    )
    items = sidebar_navigation(request_for(staff), sidebar)[0]["items"]
    assert [(item["title"], item.get("badge")) for item in items] == [
        ("Counted", 3),
        ("Empty queue", None),
        ("Later badge", None),
    ]
    assert items[0]["badge_variant"] == "warning"
    assert len(sidebar_navigation(request_for(superuser), sidebar)[0]["items"]) == 4


def test_scheduler_badge_says_stale_until_the_heartbeat_runs(superuser):
    def scheduler_item():
        system = next(s for s in sidebar_navigation(request_for(superuser)) if s["title"] == "System")
        return system["items"][0]

    assert scheduler_item()["badge"] == "stale"
    assert scheduler_item()["badge_variant"] == "danger"
    heartbeat_record()
    assert "badge" not in scheduler_item()


def test_sidebar_is_rendered_on_admin_pages(superuser, admin_client_for):
    response = admin_client_for(superuser).get("/admin/accounts/user/")
    assert titles(response.context["sidebar_navigation"]) == titles(sidebar_navigation(response.wsgi_request))
    assert 'href="/admin/accounts/user/"' in response.text
    users = next(
        item
        for section in response.context["sidebar_navigation"]
        for item in section["items"]
        if item["title"] == "Users"
    )
    assert users["active"] is True


def test_declared_sidebar_never_raises_for_any_user(superuser, staff, investor):
    for user in (superuser, staff, investor):
        sidebar_navigation(request_for(user), navigation.SIDEBAR)


def test_failed_logins_badge_counts_locked_out_accounts(superuser, staff, settings):
    from django.test import Client

    def failed_logins_item():
        system = next(s for s in sidebar_navigation(request_for(superuser)) if s["title"] == "System")
        return next(item for item in system["items"] if item["title"] == "Failed logins")

    client = Client()
    client.post("/admin/login/", {"username": staff.email, "password": "wrong"})
    assert "badge" not in failed_logins_item()  # one failure is not a lock-out
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/admin/login/", {"username": staff.email, "password": "wrong"})
    assert failed_logins_item()["badge"] == 1
