"""Canned replies: saved through ``canned_reply_save`` (unknown variables and a taken title are
errors on their field and save nothing), the variables listed on the form, switched off rather
than deleted; Support manages them, nobody else sees them."""

import pytest
from django.urls import reverse

from apps.messaging.models import CannedReply
from apps.messaging.services import canned as canned_services
from tests.messaging.helpers import finance_staff, operations_staff, support_staff

pytestmark = pytest.mark.django_db

LIST = "/admin/messaging/cannedreply/"
ADD = f"{LIST}add/"


def page_url(reply) -> str:
    return reverse("admin:messaging_cannedreply_change", args=(reply.pk,))


def form(**changes) -> dict:
    data = {
        "title": "Deposit received",
        "body_en": "Hello {first_name}.",
        "body_ar": "",
        "is_active": "on",
        "_save": "Save",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def sara(db):
    return support_staff(email="sara@bursar.example")


def test_support_adds_a_canned_reply(sara, admin_client_for):
    client = admin_client_for(sara)
    page = client.get(ADD)
    assert "Variables filled in for the thread: {first_name}, {platform_name}, {ticket_number}." in page.text
    assert 'dir="rtl"' in page.text
    response = client.post(ADD, form(body_ar="مرحبا {first_name}"))
    assert response["Location"] == LIST
    reply = CannedReply.objects.get()
    assert (reply.title, reply.body_en, reply.body_ar, reply.is_active, reply.created_by) == (
        "Deposit received",
        "Hello {first_name}.",
        "مرحبا {first_name}",
        True,
        sara,
    )
    assert [str(message) for message in client.get(LIST).context["messages"]] == [
        "The canned reply “Deposit received” was saved."
    ]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"title": "Welcome", "body_en": "Hi {name} and {amount}"},
            {"body_en": ["Unknown variables: {amount}, {name}. Use {first_name}, {platform_name}, {ticket_number}."]},
        ),
        (
            {"title": "Welcome", "body_ar": "مرحبا {اسم}"},
            {"body_ar": ["Unknown variables: {اسم}. Use {first_name}, {platform_name}, {ticket_number}."]},
        ),
        ({"title": "DEPOSIT RECEIVED"}, {"title": ["Another canned reply has this title."]}),
        ({"body_en": "  "}, {"body_en": ["This field is required."]}),
    ],
)
def test_refusals_are_errors_on_their_field(sara, admin_client_for, unchanged_db, changes, errors):
    canned_services.canned_reply_save(staff=sara, title="Deposit received", body_en="Hello.")
    client = admin_client_for(sara)
    with unchanged_db():
        response = client.post(ADD, form(**changes))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == errors


def test_a_reply_is_changed_and_switched_off_never_deleted(sara, admin_client_for, unchanged_db):
    reply = canned_services.canned_reply_save(staff=sara, title="Deposit received", body_en="Hello.")
    client = admin_client_for(sara)
    response = client.post(page_url(reply), form(body_en="Hello {first_name}, it is credited.", is_active=None))
    assert response["Location"] == LIST
    reply.refresh_from_db()
    assert (reply.body_en, reply.is_active) == ("Hello {first_name}, it is credited.", False)
    response = client.post(page_url(reply), form(body_en="Hi {who}"))
    assert response.context["adminform"].form.errors == {
        "body_en": ["Unknown variables: {who}. Use {first_name}, {platform_name}, {ticket_number}."]
    }
    reply.refresh_from_db()
    assert reply.body_en == "Hello {first_name}, it is credited."
    with unchanged_db():
        assert client.post(f"{LIST}{reply.pk}/delete/", {"post": "yes"}).status_code == 403
        response = client.post(LIST, {"action": "delete_selected", "_selected_action": [str(reply.pk)]})
        assert response.status_code == 200


def test_the_list(sara, admin_client_for):
    canned_services.canned_reply_save(staff=sara, title="B reply", body_en="x" * 200, body_ar="نعم")
    canned_services.canned_reply_save(staff=sara, title="A reply", body_en="Short.", is_active=False)
    response = admin_client_for(sara).get(LIST)
    rows = response.context["cl"].result_list
    assert [reply.title for reply in rows] == ["A reply", "B reply"]
    model_admin = response.context["cl"].model_admin
    assert model_admin.display_text(rows[1]) == '<span class="msg-cell">' + "x" * 59 + "…</span>"
    assert (model_admin.display_arabic(rows[0]), model_admin.display_arabic(rows[1])) == (False, True)
    assert [
        reply.title for reply in admin_client_for(sara).get(f"{LIST}?is_active__exact=1").context["cl"].result_list
    ] == ["B reply"]


def test_only_support_manages_canned_replies(sara, admin_client_for, unchanged_db):
    reply = canned_services.canned_reply_save(staff=sara, title="Deposit received", body_en="Hello.")
    clients = [admin_client_for(operations_staff()), admin_client_for(finance_staff())]
    with unchanged_db():
        for client in clients:
            assert client.get(LIST).status_code == 403
            assert client.post(ADD, form(title="Other")).status_code == 403
            assert client.post(page_url(reply), form(body_en="Changed.")).status_code == 403
