"""Email copies of notices (``apps.messaging.emails``): a plain-text and an HTML part, in the
recipient's language, right to left for Arabic; links made absolute; what people typed is escaped
in the HTML part; the footer says whether the email can be switched off."""

import pytest
from django.utils import translation

from apps.messaging.emails import absolute_link, email_message_build, notification_email_build
from apps.messaging.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notice(user, **fields) -> Notification:
    values = {"kind": "support_reply", "category": "support", "title": "New message", "body": "We answered."}
    return Notification.objects.create(user=user, **{**values, **fields})


def html_of(message) -> str:
    [(html, content_type)] = message.alternatives
    assert content_type == "text/html"
    return html


def test_an_english_email_has_a_text_and_an_html_part(investor, settings):
    settings.SITE_URL = "https://bursar.example"
    message = notification_email_build(notice(investor, link="/messages/7/"))
    assert (message.subject, message.to, message.from_email) == (
        "Bursar: New message",
        [investor.email],
        settings.DEFAULT_FROM_EMAIL,
    )
    assert message.body == (
        "Hello Amina,\n\n"
        "New message\n\n"
        "We answered.\n\n"
        "https://bursar.example/messages/7/\n\n"
        "You can choose which emails you get on your notifications page: https://bursar.example/notifications/\n"
    )
    html = html_of(message)
    assert '<html lang="en" dir="ltr">' in html
    assert "text-align:left" in html
    assert '<a href="https://bursar.example/messages/7/"' in html
    assert '<a href="https://bursar.example/notifications/"' in html
    assert ">New message</h1>" in html
    assert "Hello Amina," in html


def test_an_arabic_email_is_right_to_left(arabic_investor):
    message = notification_email_build(notice(arabic_investor, title="رسالة جديدة", body="أجبنا."))
    html = html_of(message)
    assert '<html lang="ar" dir="rtl">' in html
    assert 'dir="rtl" style="max-width:560px' in html
    assert "text-align:right" in html
    assert "رسالة جديدة" in html and "أجبنا." in message.body
    with translation.override("ar"):
        greeting = translation.gettext("Hello %(name)s,") % {"name": "ليلى"}
    assert message.body.startswith(greeting)
    assert translation.get_language() == "en"  # the recipient's language is not left active


def test_what_people_typed_is_escaped_in_html_and_kept_as_is_in_text(investor):
    typed = '<script>alert("x")</script> & <b>bold</b>'
    message = notification_email_build(notice(investor, title="Re: <b>hi</b>", body=typed))
    html = html_of(message)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert typed in message.body
    assert "Re: <b>hi</b>" in message.body


@pytest.mark.parametrize("category", ["security", "account"])
def test_security_and_account_emails_say_they_always_go(investor, category):
    message = notification_email_build(notice(investor, category=category, kind="password_changed"))
    assert message.body.endswith("\n\nThis email about your account is always sent.\n")
    assert "This email about your account is always sent." in html_of(message)
    assert "/notifications/" not in html_of(message)


def test_a_notice_without_body_or_link_leaves_them_out(investor):
    message = notification_email_build(notice(investor, body="", link=""))
    assert message.body.startswith("Hello Amina,\n\nNew message\n\nYou can choose")
    assert (">Open</a>" in html_of(message), "white-space:pre-line" in html_of(message)) == (False, False)


def test_names_and_links_reach_the_text_part_unescaped(settings):
    settings.SITE_URL = "https://bursar.example"
    user = UserFactory(first_name="O'Brien & <Sons>")
    message = notification_email_build(notice(user, link="/messages/?page=2&sort=new"))
    assert message.body.startswith("Hello O'Brien & <Sons>,\n")
    assert "https://bursar.example/messages/?page=2&sort=new\n" in message.body
    html = html_of(message)
    assert "Hello O&#x27;Brien &amp; &lt;Sons&gt;," in html
    assert 'href="https://bursar.example/messages/?page=2&amp;sort=new"' in html


def test_a_user_without_a_first_name_is_greeted_by_email():
    user = UserFactory(first_name="", email="z.user@example.com")
    assert notification_email_build(notice(user)).body.startswith("Hello z.user@example.com,")


@pytest.mark.parametrize(
    ("link", "absolute"),
    [
        ("", ""),
        ("/wallet/", "http://127.0.0.1:8000/wallet/"),
        ("https://example.com/x", "https://example.com/x"),
        ("http://example.com/x", "http://example.com/x"),
    ],
)
def test_links_are_made_absolute(link, absolute, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert absolute_link(link) == absolute


def test_any_template_pair_builds_in_the_given_language(investor):
    message = email_message_build(
        to="someone@example.com",
        language="",
        subject="Subject",
        template="notification",
        context={"notice": notice(investor), "user": investor, "link": ""},
    )
    assert (message.to, message.subject, '<html lang="en" dir="ltr">' in html_of(message)) == (
        ["someone@example.com"],
        "Subject",
        True,
    )
