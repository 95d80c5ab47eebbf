"""Security notices: a changed password and a lock-out are always told to the account holder, in
the app and by email, whatever their email preferences."""

from datetime import timedelta

import pytest

from apps.accounts.services import password_change, security_lockout_notify, user_password_set
from apps.messaging.models import Notification
from apps.messaging.services import notification_preferences_update
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _all_optional_emails_off(user):
    notification_preferences_update(
        user=user, email_support=False, email_tasks=False, email_announcements=False, email_money=False
    )


def test_a_password_change_is_told_even_with_every_optional_email_off(
    investor, mailoutbox, django_capture_on_commit_callbacks
):
    _all_optional_emails_off(investor)
    with django_capture_on_commit_callbacks(execute=True):
        password_change(user=investor, old_password=DEFAULT_PASSWORD, new_password="Another-Horse-43")
    assert list(Notification.objects.values_list("user", "kind", "category", "title")) == [
        (investor.pk, "security_password_changed", "security", "Your password was changed")
    ]
    (email,) = mailoutbox
    assert (email.to, email.subject) == ([investor.email], "Bursar: Your password was changed")
    assert "If it was not you" in email.body
    assert email.alternatives[0][1] == "text/html"


def test_a_password_set_by_a_superuser_is_told_to_the_account_holder(investor, superuser):
    user_password_set(user=investor, password="Another-Horse-43", actor=superuser)
    assert list(Notification.objects.values_list("user", "kind")) == [(investor.pk, "security_password_changed")]


def test_a_lock_out_is_told_once_per_lock_out_period(investor, settings, time_machine):
    time_machine.move_to("2026-12-01 10:00:00+00:00", tick=False)
    assert security_lockout_notify(user=investor) is True
    assert security_lockout_notify(user=investor) is False
    time_machine.shift(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
    assert security_lockout_notify(user=investor) is True
    assert list(Notification.objects.values_list("kind", "category")) == [("security_locked_out", "security")] * 2


def test_an_arabic_investor_gets_the_security_email_right_to_left(
    investor, mailoutbox, django_capture_on_commit_callbacks
):
    investor.language = "ar"
    investor.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        password_change(user=investor, old_password=DEFAULT_PASSWORD, new_password="Another-Horse-43")
    html = mailoutbox[0].alternatives[0][0]
    assert '<html lang="ar" dir="rtl">' in html
