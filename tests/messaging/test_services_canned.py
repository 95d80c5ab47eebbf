"""Canned replies (``apps.messaging.services.canned``): staff keep texts in English and Arabic with
``{first_name}``, ``{platform_name}`` and ``{ticket_number}``; they are filled in for the thread,
in the investor's language, before sending."""

import pytest

from apps.common.errors import ApplicationError
from apps.messaging.models import CannedReply
from apps.messaging.services import canned as services
from apps.messaging.services import threads as thread_services
from tests.factories import UserFactory
from tests.messaging.helpers import ticket_open

pytestmark = pytest.mark.django_db
EN = "Hello {first_name}, {platform_name} support here about {ticket_number}."
AR = "مرحبا {first_name}، فريق {platform_name} بخصوص {ticket_number}."


@pytest.fixture
def canned(support):
    return services.canned_reply_save(staff=support, title="Greeting", body_en=EN, body_ar=AR)


def test_a_canned_reply_is_saved_with_its_texts(support):
    reply = services.canned_reply_save(
        staff=support, title="  Deposit \n received ", body_en=" Thanks!\r\nWe got it. ", body_ar="  "
    )
    reply.refresh_from_db()
    assert (reply.title, reply.body_en, reply.body_ar, reply.is_active, reply.created_by) == (
        "Deposit received",
        "Thanks!\nWe got it.",
        "",
        True,
        support,
    )
    services.canned_reply_save(
        staff=support, canned_reply=reply, title="Deposit received", body_en="New text", is_active=False
    )
    reply.refresh_from_db()
    assert (reply.body_en, reply.is_active, CannedReply.objects.count()) == ("New text", False, 1)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"body_en": "Dear {first_name}, your {balance} is {amount}."}, "unknown_variable", "body_en"),
        ({"body_ar": "رصيدك {balance}"}, "unknown_variable", "body_ar"),
        ({"body_en": "  "}, "text_required", "body_en"),
        ({"body_en": "x" * 5001}, "text_too_long", "body_en"),
        ({"title": ""}, "invalid", "title"),
        ({"title": "t" * 101}, "invalid", "title"),
        ({"title": "GREETING"}, "duplicate_title", "title"),
    ],
)
def test_a_wrong_canned_reply_is_refused(support, canned, unchanged_db, fields, code, field):
    values = {"title": "Other", "body_en": "Hello", **fields}
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.canned_reply_save(staff=support, **values)
    assert (error.value.code, error.value.field) == (code, field)


def test_unknown_variables_are_named(support, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.canned_reply_save(staff=support, title="T", body_en="{b} {a} {first_name} {a}")
    assert error.value.message == "Unknown variables: {a}, {b}. Use {first_name}, {platform_name}, {ticket_number}."


def test_only_staff_with_the_permission_manage_canned_replies(finance, investor, canned, unchanged_db):
    with unchanged_db():
        for user in (finance, investor):
            with pytest.raises(ApplicationError) as error:
                services.canned_reply_save(staff=user, title="Mine", body_en="Hello")
            assert (error.value.code, error.value.status_code) == ("permission_denied", 403)
            with pytest.raises(ApplicationError):
                services.canned_reply_save(staff=user, canned_reply=canned, title="Greeting", body_en="Changed")


def test_variables_are_filled_in_english(investor, canned, settings):
    settings.PLATFORM_NAME = "Bursar Capital"
    thread = ticket_open(investor)
    assert services.canned_reply_render(canned_reply=canned, thread=thread) == (
        f"Hello Amina, Bursar Capital support here about #{thread.pk}."
    )


def test_an_arabic_investor_gets_the_arabic_text(arabic_investor, canned):
    thread = ticket_open(arabic_investor)
    assert services.canned_reply_render(canned_reply=canned, thread=thread) == (
        f"مرحبا ليلى، فريق Bursar بخصوص #{thread.pk}."
    )


def test_an_arabic_investor_gets_english_when_there_is_no_arabic_text(arabic_investor, support):
    reply = services.canned_reply_save(staff=support, title="EN only", body_en=EN)
    thread = ticket_open(arabic_investor)
    assert services.canned_reply_render(canned_reply=reply, thread=thread) == (
        f"Hello ليلى, Bursar support here about #{thread.pk}."
    )


def test_without_a_first_name_the_username_then_the_email_name_is_used(canned):
    named = UserFactory(first_name="", username="amina.h")
    anonymous = UserFactory(first_name="", email="z.user@example.com")
    for user, shown in ((named, "amina.h"), (anonymous, "z.user")):
        thread = ticket_open(user)
        assert services.canned_reply_render(canned_reply=canned, thread=thread).startswith(f"Hello {shown}, ")


def test_a_filled_canned_reply_is_sent_as_a_normal_reply(investor, support, canned):
    thread = ticket_open(investor)
    text = services.canned_reply_render(canned_reply=canned, thread=thread)
    message = thread_services.thread_reply(thread_id=thread.pk, author=support, body=text)
    assert message.body == f"Hello Amina, Bursar support here about #{thread.pk}."


def test_an_unknown_variable_in_an_old_text_is_left_as_it_is(investor, canned):
    CannedReply.objects.filter(pk=canned.pk).update(body_en="Hi {first_name}, {nickname}!")
    canned.refresh_from_db()
    assert services.canned_reply_render(canned_reply=canned, thread=ticket_open(investor)) == "Hi Amina, {nickname}!"
