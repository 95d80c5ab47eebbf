"""The support inbox (the Thread changelist): the queues with their counters and unread markers,
the most urgent first, filters, the search by ticket number, email or subject, a fixed number of
queries, no generic add/change/delete, the "New conversation" form, the sidebar badges and the
dashboard's support cards."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.backoffice.navigation import sidebar_navigation
from apps.messaging.models import Thread, ThreadEvent, ThreadKind, ThreadStatus
from apps.messaging.services import threads as thread_services
from tests.factories import UserFactory
from tests.messaging.helpers import finance_staff, operations_staff, support_staff, task_for, ticket_open, upload

pytestmark = pytest.mark.django_db

INBOX = "/admin/messaging/thread/"
NEW = "/admin/messaging/thread/new/"


def listed(client, query: str = "") -> list[int]:
    response = client.get(f"{INBOX}?{query}")
    assert response.status_code == 200
    return [thread.pk for thread in response.context["cl"].result_list]


def due_in(thread: Thread, **delta) -> Thread:
    Thread.objects.filter(pk=thread.pk).update(response_due_at=timezone.now() + timedelta(**delta))
    thread.refresh_from_db()
    return thread


def reply(thread: Thread, staff, body: str = "We are on it.") -> None:
    thread_services.thread_reply(thread_id=thread.pk, author=staff, body=body)


@pytest.fixture
def desk(db):
    """Sara (support) and Sam (support); tickets: breached (due 2 h ago), due in 5 h, due in 1 h,
    one Sara answered (waiting on the investor, hers), one resolved, and a task thread."""
    sara, sam = support_staff(email="sara@bursar.example"), support_staff(email="sam@bursar.example")
    amina = UserFactory(email="amina@example.com")
    omar = UserFactory(email="omar@example.com")
    breached = due_in(ticket_open(amina, subject="Deposit not credited", category="deposit"), hours=-2)
    later = due_in(ticket_open(omar, subject="Withdrawal pending", category="withdrawal"), hours=5)
    soon = due_in(ticket_open(omar, subject="KYC question", category="kyc"), hours=1)
    answered = ticket_open(amina, subject="Referral code", category="referral")
    reply(answered, sara)
    resolved = ticket_open(omar, subject="Old question", category="other")
    thread_services.thread_status_set(thread_id=resolved.pk, actor=sam, status="resolved")
    task = task_for(UserFactory(email="layla@example.com"), staff=sam)
    task_thread = Thread.objects.get(task_assignment__task=task)
    return {
        "sara": sara,
        "sam": sam,
        "amina": amina,
        "breached": breached,
        "later": later,
        "soon": soon,
        "answered": answered,
        "resolved": resolved,
        "task_thread": task_thread,
    }


# --- queues -----------------------------------------------------------------------------------------


def test_the_inbox_opens_on_the_threads_waiting_on_staff_most_urgent_first(desk, admin_client_for):
    client = admin_client_for(desk["sara"])
    response = client.get(INBOX)
    assert response.context["inbox_queue"] == "waiting_staff"
    assert [thread.pk for thread in response.context["cl"].result_list] == [
        desk["breached"].pk,
        desk["soon"].pk,
        desk["later"].pk,
    ]
    assert 'aria-current="page"' in response.text.split('data-queue="waiting_staff"')[1].split(">")[0]


def test_each_queue_lists_its_threads(desk, admin_client_for):
    client = admin_client_for(desk["sara"])
    breached, soon, later, answered = desk["breached"], desk["soon"], desk["later"], desk["answered"]
    assert listed(client, "queue=breached") == [breached.pk]
    assert listed(client, "queue=mine") == [answered.pk]
    # Unassigned: the open tickets nobody took, due soonest first; the task thread waiting on
    # its recipient is nobody's work.
    assert listed(client, "queue=unassigned") == [breached.pk, soon.pk, later.pk]
    # All: the latest activity first, the resolved and the task thread included.
    assert listed(client, "queue=all") == sorted(
        [breached.pk, later.pk, soon.pk, answered.pk, desk["resolved"].pk, desk["task_thread"].pk],
        key=lambda pk: (Thread.objects.get(pk=pk).last_message_at, pk),
        reverse=True,
    )
    assert listed(admin_client_for(desk["sam"]), "queue=mine") == []


def test_queue_counters_and_unread_markers(desk, admin_client_for):
    client = admin_client_for(desk["sara"])
    thread_services.thread_mark_read(thread_id=desk["soon"].pk, user=desk["sara"])
    response = client.get(INBOX)
    queues = {
        queue["key"]: (queue["total"], queue["unread"], queue["active"]) for queue in response.context["inbox_queues"]
    }
    assert queues == {
        "unassigned": (3, 2, False),
        "mine": (1, 0, False),
        "breached": (1, 1, False),
        "waiting_staff": (3, 2, True),
        "all": (6, 3, False),  # the resolved ticket too: Sara never read it
    }
    assert [str(queue["label"]) for queue in response.context["inbox_queues"]] == [
        "Unassigned",
        "Mine",
        "Breached SLA",
        "Waiting on staff",
        "All",
    ]
    unread = {thread.pk: thread.staff_unread for thread in response.context["cl"].result_list}
    assert unread == {desk["breached"].pk: True, desk["soon"].pk: False, desk["later"].pk: True}
    assert response.text.count("data-unread>New</span>") == 2
    assert f'href="{INBOX}?queue=breached"' in response.text


def test_the_breached_answer_due_is_red_and_the_others_count_down(desk, admin_client_for):
    response = admin_client_for(desk["sara"]).get(INBOX)
    model_admin = response.context["cl"].model_admin
    breached = model_admin.display_due(desk["breached"])
    assert "data-breached" in breached
    assert "text-red-600" in breached
    assert "overdue by 1\xa0hour" in breached or "overdue by 2\xa0hours" in breached
    assert "data-breached" not in model_admin.display_due(desk["later"])
    desk["answered"].refresh_from_db()
    assert model_admin.display_due(desk["answered"]) == "-"
    assert response.text.count("data-breached") == 1


def test_columns(desk, admin_client_for):
    response = admin_client_for(desk["sara"]).get(f"{INBOX}?queue=all")
    model_admin = response.context["cl"].model_admin
    answered = next(thread for thread in response.context["cl"].result_list if thread.pk == desk["answered"].pk)
    assert model_admin.display_ticket(answered) == f'<span class="font-medium whitespace-nowrap">#{answered.pk}</span>'
    assert model_admin.display_status(answered) == ("waiting_investor", "Waiting on the investor")
    assert model_admin.display_priority(answered) == ("normal", "Normal")
    assert "data-category>Referral</span>" in model_admin.display_subject(answered)
    assert 'title="sara@bursar.example"' in model_admin.display_assignee(answered)
    assert f'href="/admin/accounts/user/{desk["amina"].pk}/change/"' in response.text
    task_row = next(thread for thread in response.context["cl"].result_list if thread.pk == desk["task_thread"].pk)
    assert "data-category>Other · Task</span>" in model_admin.display_subject(task_row)


def test_filters(desk, admin_client_for):
    client = admin_client_for(desk["sara"])
    breached, answered, resolved = desk["breached"], desk["answered"], desk["resolved"]
    assert listed(client, "queue=all&status__exact=resolved") == [resolved.pk]
    assert listed(client, "queue=all&category__exact=deposit") == [breached.pk]
    thread_services.thread_priority_set(thread_id=breached.pk, actor=desk["sara"], priority="urgent")
    assert listed(client, "queue=all&priority__exact=urgent") == [breached.pk]
    assert listed(client, f"queue=all&assignee={desk['sara'].pk}") == [answered.pk]
    assert sorted(listed(client, "queue=all&assignee=none")) == sorted(
        [breached.pk, desk["later"].pk, desk["soon"].pk, resolved.pk, desk["task_thread"].pk]
    )
    assert sorted(listed(client, f"queue=all&investor__id__exact={desk['amina'].pk}")) == sorted(
        [breached.pk, answered.pk]
    )
    assert listed(client, "queue=all&kind__exact=task") == [desk["task_thread"].pk]
    # A filter without a queue looks through every thread; with one, inside that queue.
    assert listed(client, "status__exact=resolved") == [resolved.pk]
    assert listed(client, "queue=mine&status__exact=resolved") == []


def test_search_by_ticket_number_email_or_subject(desk, admin_client_for):
    client = admin_client_for(desk["sara"])
    breached, answered = desk["breached"], desk["answered"]
    assert listed(client, f"q=%23{breached.pk}") == [breached.pk]
    assert listed(client, f"q={breached.pk}") == [breached.pk]
    assert sorted(listed(client, "q=amina@")) == sorted([breached.pk, answered.pk])
    assert listed(client, "q=referral code") == [answered.pk]
    assert listed(client, "q=%23999999") == []
    assert listed(client, "q=%2399999999999999999999999") == []  # beyond any id: nothing, not an error
    # A search without a queue looks through every thread, and the "All" tab shows it.
    response = client.get(f"{INBOX}?q=old question")
    assert response.context["inbox_queue"] == "all"
    assert [thread.pk for thread in response.context["cl"].result_list] == [desk["resolved"].pk]
    # Inside a queue, the search stays in it (the search form keeps the queue).
    assert listed(client, "queue=mine&q=deposit") == []
    assert 'name="queue" value="mine"' in client.get(f"{INBOX}?queue=mine").text


def test_the_queue_stays_in_the_links_of_the_list(desk, admin_client_for):
    response = admin_client_for(desk["sara"]).get(f"{INBOX}?queue=all&o=2")
    cl = response.context["cl"]
    assert "queue=all" in cl.get_query_string({"p": 2})
    assert response.status_code == 200
    assert "?e=1" not in response.get("Location", "")


def test_the_inbox_takes_a_fixed_number_of_queries(admin_client_for, django_assert_num_queries):
    sara = support_staff()
    client = admin_client_for(sara)
    investors = [UserFactory() for _ in range(20)]
    first = ticket_open(investors[0], attachments=[upload()])
    reply(first, sara)
    client.get(INBOX)  # warm caches (content types, permissions)

    def queries(query: str) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"{INBOX}?{query}").status_code == 200
        return len(context.captured_queries)

    one = {query: queries(query) for query in ("", "queue=all", "queue=mine&q=deposit")}
    for investor in investors[1:]:
        thread = ticket_open(investor)
        thread_services.thread_assign(thread_id=thread.pk, actor=sara, assignee_id=sara.pk)
    assert Thread.objects.count() == 20
    assert {query: queries(query) for query in one} == one


def test_no_generic_add_change_or_delete(desk, admin_client_for, unchanged_db):
    client = admin_client_for(desk["sara"])
    thread = desk["breached"]
    response = client.get(INBOX)
    assert response.context["has_add_permission"] is False
    assert response.context["cl"].model_admin.get_actions(response.wsgi_request) == {}
    with unchanged_db():
        assert client.get(f"{INBOX}add/").status_code == 403
        assert client.post(f"{INBOX}{thread.pk}/change/", {"status": "closed"}).status_code == 405
        assert client.post(f"{INBOX}{thread.pk}/delete/", {"post": "yes"}).status_code == 403


# --- a new conversation -------------------------------------------------------------------------------


def test_staff_open_a_conversation_with_an_investor(desk, admin_client_for, kyc_storage):
    sara, amina = desk["sara"], desk["amina"]
    client = admin_client_for(sara)
    page = client.get(f"{NEW}?investor={amina.pk}")
    assert page.status_code == 200
    assert page.context["form"].initial["investor"] == str(amina.pk)
    assert f'<option value="{amina.pk}" selected>' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    response = client.post(
        NEW,
        {
            "investor": amina.pk,
            "subject": "Your withdrawal",
            "category": "withdrawal",
            "body": "Please confirm the address.",
            "attachments": [upload("note.png")],
        },
    )
    thread = Thread.objects.get(subject="Your withdrawal")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:messaging_thread_change", args=(thread.pk,))
    assert (thread.kind, thread.investor, thread.assignee, thread.status, thread.category) == (
        ThreadKind.DIRECT,
        amina,
        sara,
        ThreadStatus.WAITING_INVESTOR,
        "withdrawal",
    )
    message = thread.messages.get()
    assert (message.body, [attachment.name for attachment in message.attachments.all()]) == (
        "Please confirm the address.",
        ["note.png"],
    )
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert messages == [f"#{thread.pk} was opened and the investor was told."]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"subject": " ", "body": "Hi"}, {"subject": ["This field is required."]}),
        ({"subject": "Hi", "body": "\n\n"}, {"body": ["Write a message."]}),
        (
            {"subject": "Hi", "body": "Hi", "category": "nope"},
            {"category": ["Select a valid choice. nope is not one of the available choices."]},
        ),
    ],
)
def test_a_refused_conversation_is_a_form_error_and_opens_nothing(desk, admin_client_for, unchanged_db, data, errors):
    client = admin_client_for(desk["sara"])
    with unchanged_db():
        response = client.post(NEW, {"investor": desk["amina"].pk, "category": "other", **data})
    assert response.status_code == 200
    assert response.context["form"].errors == errors


def test_staff_cannot_open_a_conversation_with_a_colleague(desk, admin_client_for, unchanged_db):
    client = admin_client_for(desk["sara"])
    with unchanged_db():
        response = client.post(NEW, {"investor": desk["sam"].pk, "subject": "Hi", "category": "other", "body": "Hi"})
    assert response.context["form"].errors == {
        "investor": ["Messages go to investors; write to staff colleagues elsewhere."]
    }


def test_too_many_files_are_refused_by_name(desk, admin_client_for, unchanged_db, kyc_storage):
    client = admin_client_for(desk["sara"])
    files = [upload(f"{index}.png") for index in range(4)]
    with unchanged_db():
        response = client.post(
            NEW,
            {"investor": desk["amina"].pk, "subject": "Hi", "category": "other", "body": "Hi", "attachments": files},
        )
    assert response.context["form"].errors == {"attachments": ["Attach at most 3 files."]}
    assert list(kyc_storage.rglob("*.*")) == []


def test_only_support_opens_conversations(desk, admin_client_for, unchanged_db):
    data = {"investor": desk["amina"].pk, "subject": "Hi", "category": "other", "body": "Hi"}
    clients = [admin_client_for(operations_staff()), admin_client_for(finance_staff())]
    with unchanged_db():
        for client in clients:
            assert client.get(NEW).status_code == 403
            assert client.post(NEW, data).status_code == 403
    assert admin_client_for(operations_staff()).get(INBOX).context["new_conversation_url"] == ""
    assert admin_client_for(desk["sara"]).get(INBOX).context["new_conversation_url"] == NEW


# --- sidebar and dashboard -------------------------------------------------------------------------------


def sidebar_items(user) -> dict:
    request = RequestFactory().get("/admin/")
    request.user = user
    for section in sidebar_navigation(request):
        if str(section["title"]) == "Messages":
            return {str(item["title"]): item for item in section["items"]}
    return {}


def test_inbox_badge_is_the_breached_count_in_red_else_the_waiting_count(desk):
    item = sidebar_items(desk["sara"])["Inbox"]
    assert (item["badge"], item["badge_variant"], item["link"]) == (1, "danger", INBOX)
    Thread.objects.filter(pk=desk["breached"].pk).update(response_due_at=timezone.now() + timedelta(hours=1))
    item = sidebar_items(desk["sara"])["Inbox"]
    assert (item["badge"], item["badge_variant"]) == (3, "warning")
    for thread in (desk["breached"], desk["later"], desk["soon"]):
        reply(thread, desk["sara"])
    assert "badge" not in sidebar_items(desk["sara"])["Inbox"]


def test_dashboard_support_cards_link_to_the_queues(desk, admin_client_for, django_assert_max_num_queries):
    client = admin_client_for(desk["sara"])
    response = client.get("/admin/")
    cards = {card["id"]: (card["count"], card["link"], card["danger"]) for card in response.context["support_cards"]}
    assert cards == {
        "support-waiting": (3, f"{INBOX}?queue=waiting_staff", False),
        "support-breached": (1, f"{INBOX}?queue=breached", True),
        "task-proofs": (0, "/admin/messaging/taskassignment/", False),
    }
    assert 'id="support-breached"' in response.text
    for card_id, (count, link, _danger) in cards.items():
        if card_id.startswith("support"):
            assert client.get(link).context["cl"].result_count == count


def test_dashboard_support_cards_cost_the_same_queries_as_the_sidebar_badge(desk, admin_client_for):
    """The support figures are read once per page (one query) for the badge and the cards."""
    client = admin_client_for(desk["sara"])
    client.get("/admin/")
    with CaptureQueriesContext(connection) as context:
        client.get("/admin/")
    support_queries = [query for query in context.captured_queries if "response_due_at" in query["sql"]]
    assert len(support_queries) == 1
    assert ThreadEvent.objects.exists()


def test_finance_sees_task_proofs_but_no_support_cards(desk, admin_client_for):
    response = admin_client_for(finance_staff()).get("/admin/")
    assert [card["id"] for card in response.context["support_cards"]] == ["task-proofs"]


def test_the_dashboard_takes_a_fixed_number_of_queries(admin_client_for):
    sara = support_staff()
    client = admin_client_for(sara)
    ticket_open(UserFactory())
    client.get("/admin/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/admin/").status_code == 200
        return len(context.captured_queries)

    one = queries()
    for _ in range(19):
        due_in(ticket_open(UserFactory()), hours=-1)
    assert queries() == one


def test_the_investor_field_searches_through_the_admin_autocomplete(desk, admin_client_for):
    response = admin_client_for(desk["sara"]).get(
        "/admin/autocomplete/",
        {"app_label": "messaging", "model_name": "thread", "field_name": "investor", "term": "amina"},
    )
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(desk["amina"].pk)]
