"""Who sees what of the messaging admin: the sidebar's Messages section per role (each entry only
with its permission, the badges), each page per role (403 otherwise), and the read-only logs
(attachment accesses, notices)."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.backoffice.navigation import NavItem, NavSection, sidebar_navigation
from apps.messaging.models import AttachmentAccess, Notification
from apps.messaging.services import announcements as announcement_services
from apps.messaging.services import canned as canned_services
from apps.messaging.services import threads as thread_services
from tests.factories import UserFactory
from tests.messaging.helpers import (
    assignment_submitted,
    finance_staff,
    operations_staff,
    support_staff,
    task_for,
    ticket_open,
    upload,
)

pytestmark = pytest.mark.django_db

PAGES = {
    "inbox": "/admin/messaging/thread/",
    "proofs": "/admin/messaging/taskassignment/",
    "tasks": "/admin/messaging/task/",
    "new_task": "/admin/messaging/task/add/",
    "announcements": "/admin/messaging/announcement/",
    "new_announcement": "/admin/messaging/announcement/add/",
    "canned": "/admin/messaging/cannedreply/",
    "new_canned": "/admin/messaging/cannedreply/add/",
    "new_conversation": "/admin/messaging/thread/new/",
    "accesses": "/admin/messaging/attachmentaccess/",
    "notices": "/admin/messaging/notification/",
}
ALLOWED = {
    "support": {
        "inbox",
        "proofs",
        "tasks",
        "new_task",
        "announcements",
        "new_announcement",
        "canned",
        "new_canned",
        "new_conversation",
        "accesses",
    },
    "finance": {"proofs", "tasks"},
    "operations": {"inbox", "proofs", "tasks", "announcements", "accesses"},
    "staff": set(),
}


def messages_section(user) -> dict:
    request = RequestFactory().get("/admin/")
    request.user = user
    for section in sidebar_navigation(request):
        if str(section["title"]) == "Messages":
            return {str(item["title"]): item for item in section["items"]}
    return {}


@pytest.fixture
def people(db, staff):
    return {
        "support": support_staff(),
        "finance": finance_staff(),
        "operations": operations_staff(),
        "staff": staff,
    }


def test_the_sidebar_shows_each_role_its_entries(people, superuser):
    assert list(messages_section(superuser)) == [
        "Inbox",
        "Task proofs",
        "Tasks",
        "Announcements",
        "Canned replies",
        "Attachment accesses",
    ]
    assert list(messages_section(people["support"])) == [
        "Inbox",
        "Task proofs",
        "Tasks",
        "Announcements",
        "Canned replies",
        "Attachment accesses",
    ]
    assert list(messages_section(people["finance"])) == ["Task proofs", "Tasks"]
    assert list(messages_section(people["operations"])) == [
        "Inbox",
        "Task proofs",
        "Tasks",
        "Announcements",
        "Attachment accesses",
    ]
    assert messages_section(people["staff"]) == {}
    links = {title: item["link"] for title, item in messages_section(superuser).items()}
    assert links == {
        "Inbox": PAGES["inbox"],
        "Task proofs": PAGES["proofs"],
        "Tasks": PAGES["tasks"],
        "Announcements": PAGES["announcements"],
        "Canned replies": PAGES["canned"],
        "Attachment accesses": PAGES["accesses"],
    }


@pytest.mark.parametrize("role", ["support", "finance", "operations", "staff"])
def test_each_role_opens_exactly_its_pages(people, admin_client_for, role):
    client = admin_client_for(people[role])
    opened = {name for name, url in PAGES.items() if client.get(url).status_code == 200}
    refused = {name for name, url in PAGES.items() if client.get(url).status_code == 403}
    assert opened == ALLOWED[role]
    assert refused == set(PAGES) - ALLOWED[role]


def test_the_proofs_badge_counts_submitted_proofs(people):
    assert "badge" not in messages_section(people["finance"])["Task proofs"]
    assignment_submitted(UserFactory())
    assignment_submitted(UserFactory())
    item = messages_section(people["finance"])["Task proofs"]
    assert (item["badge"], item["badge_variant"]) == (2, "warning")


def test_a_badge_may_choose_its_colour(staff):
    sidebar = (
        NavSection(
            "Queues",
            (
                NavItem("Red", "inbox", "admin:index", permission=lambda r: True, badge=lambda r: (4, "danger")),
                NavItem("Empty", "inbox", "admin:index", permission=lambda r: True, badge=lambda r: (0, "danger")),
            ),
        ),
    )
    request = RequestFactory().get("/admin/")
    request.user = staff
    items = sidebar_navigation(request, sidebar)[0]["items"]
    assert [(item["title"], item.get("badge"), item.get("badge_variant")) for item in items] == [
        ("Red", 4, "danger"),
        ("Empty", None, None),
    ]


# --- the read-only logs ----------------------------------------------------------------------------------


def test_the_attachment_access_log_is_read_only(people, admin_client_for, kyc_storage, unchanged_db, superuser):
    investor = UserFactory(email="amina@example.com")
    thread = ticket_open(investor, attachments=[upload("a.png"), upload("b.png")])
    support = admin_client_for(people["support"])
    for attachment in thread.messages.get().attachments.all():
        support.get(reverse("admin:messaging_attachment_view", args=(attachment.pk,)), REMOTE_ADDR="198.51.100.4")
    response = admin_client_for(people["operations"]).get(PAGES["accesses"])
    rows = response.context["cl"].result_list
    assert [(access.user_id, access.attachment.name, access.via) for access in rows] == [
        (people["support"].pk, "b.png", "admin"),
        (people["support"].pk, "a.png", "admin"),
    ]
    assert f'href="/admin/messaging/thread/{thread.pk}/change/"' in response.text
    searched = admin_client_for(superuser).get(f"{PAGES['accesses']}?q=198.51.100.4").context["cl"].result_list
    assert sorted(row.pk for row in searched) == sorted(access.pk for access in rows)
    assert response.context["has_add_permission"] is False
    access = AttachmentAccess.objects.first()
    superuser_client = admin_client_for(superuser)
    with unchanged_db():
        assert support.post(f"{PAGES['accesses']}{access.pk}/change/", {"via": "api"}).status_code == 403
        assert superuser_client.post(f"{PAGES['accesses']}{access.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_access_log_takes_a_fixed_number_of_queries(people, admin_client_for, kyc_storage):
    support = admin_client_for(people["support"])
    thread = ticket_open(UserFactory(), attachments=[upload()])
    attachment = thread.messages.get().attachments.get()
    url = reverse("admin:messaging_attachment_view", args=(attachment.pk,))
    support.get(url)
    support.get(PAGES["accesses"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert support.get(PAGES["accesses"]).status_code == 200
        return len(context.captured_queries)

    one = queries()
    for _ in range(5):
        other = ticket_open(UserFactory(), attachments=[upload()])
        support.get(reverse("admin:messaging_attachment_view", args=(other.messages.get().attachments.get().pk,)))
    assert AttachmentAccess.objects.count() == 6
    assert queries() == one


def test_notices_are_for_superusers_to_read(people, admin_client_for, superuser, unchanged_db):
    investor = UserFactory(email="amina@example.com")
    thread_services.thread_open_by_staff(
        staff=people["support"], investor_id=investor.pk, subject="Your deposit", body="It arrived."
    )
    client = admin_client_for(superuser)
    response = client.get(f"{PAGES['notices']}?q=amina@")
    assert [(notice.user_id, notice.kind, notice.title) for notice in response.context["cl"].result_list] == [
        (investor.pk, "support_reply", "New message: Your deposit")
    ]
    assert response.context["has_add_permission"] is False
    notice = Notification.objects.get(user=investor)
    assert client.get(reverse("admin:messaging_notification_change", args=(notice.pk,))).status_code == 200
    with unchanged_db():
        assert (
            client.post(reverse("admin:messaging_notification_change", args=(notice.pk,)), {"title": "x"}).status_code
            == 403
        )


# --- every list in a fixed number of queries; junk in a URL is never a server error --------------------------


def test_the_task_announcement_and_canned_lists_take_a_fixed_number_of_queries(people, admin_client_for):
    support = people["support"]
    client = admin_client_for(support)

    def make(index: int) -> None:
        task_for(UserFactory(), staff=support, title=f"Task {index}")
        announcement_services.announcement_create(
            staff=support, title_en=f"News {index}", body_en="Text.", segment="all"
        )
        canned_services.canned_reply_save(staff=support, title=f"Reply {index}", body_en="Hello {first_name}.")

    urls = (PAGES["tasks"], PAGES["announcements"], PAGES["canned"])
    make(0)
    for url in urls:
        client.get(url)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    one = {url: queries(url) for url in urls}
    for index in range(1, 12):
        make(index)
    assert {url: queries(url) for url in urls} == one


@pytest.mark.parametrize(
    "url",
    [
        "/admin/messaging/thread/abc/change/",
        "/admin/messaging/thread/99999999999999999999999/change/",
        "/admin/messaging/thread/?queue=nope&assignee=abc&o=zz",
        "/admin/messaging/thread/?q=%23abc",
        "/admin/messaging/thread/99999999999999999999999/canned/1/",
        "/admin/messaging/thread/attachment/99999999999999999999999/",
        "/admin/messaging/taskassignment/?status=nope",
        "/admin/messaging/taskassignment/abc/approve/",
        "/admin/messaging/taskassignment/99999999999999999999999/change/",
        "/admin/messaging/announcement/abc/send_now/",
        "/admin/messaging/task/99999999999999999999999/change/",
    ],
)
def test_junk_in_a_url_is_never_a_server_error(superuser, admin_client_for, url):
    assert admin_client_for(superuser).get(url).status_code in (200, 302, 404)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/messaging/thread/99999999999999999999999/reply/",
        "/admin/messaging/thread/99999999999999999999999/properties/",
        "/admin/messaging/taskassignment/abc/approve/",
        "/admin/messaging/taskassignment/99999999999999999999999/reject/",
        "/admin/messaging/announcement/99999999999999999999999/send_now/",
    ],
)
def test_junk_posted_is_never_a_server_error(superuser, admin_client_for, unchanged_db, url):
    client = admin_client_for(superuser)
    with unchanged_db():
        response = client.post(url, {"_form_submitted": "True", "admin_note": "x", "body": "x", "status": "zz"})
    assert response.status_code in (200, 302, 404)
