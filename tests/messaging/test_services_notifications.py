"""Notices (``apps.messaging.services.notifications``): one in-app notice per event with its
category, written in the recipient's language; its email copy goes after commit, only when the
recipient allows that category (security and account notices always go); read and dismiss."""

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.messaging import services
from apps.messaging.models import Notification, NotificationPreference
from apps.messaging.selectors import (
    notification_banner_for_user,
    notification_list_for_user,
    notification_preferences_get,
    notification_unread_count,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("support_reply", "support"),
        ("support_closed", "support"),
        ("task_offered", "tasks"),
        ("task_reward_paid", "tasks"),
        ("announcement", "announcements"),
        ("password_changed", "security"),
        ("security_lockout", "security"),
        ("kyc_approved", "account"),
        ("ledger_check_failed", "account"),
        ("deposit_approved", "money"),
        ("withdrawal_paid", "money"),
        ("adjustment_posted", "money"),
        ("commission_earned", "money"),
        ("milestone_reached", "money"),
        ("reversal", "money"),
        ("investment_matured", "money"),
        ("something_new", "account"),
    ],
)
def test_each_kind_of_notice_has_its_category(kind, category):
    assert services.notification_category_for(kind) == category


def test_a_notice_is_written_in_the_recipients_language_and_emailed_after_commit(
    arabic_investor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = services.notification_send(
            user=arabic_investor,
            kind="deposit_approved",
            title=lambda: _("Deposit approved"),
            body="x" * 10,
            link="/wallet/",
        )
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    notice.refresh_from_db()
    with translation.override("ar"):
        title = _("Deposit approved")
    assert (notice.user, notice.kind, notice.category, notice.title, notice.body, notice.link, notice.is_read) == (
        arabic_investor,
        "deposit_approved",
        "money",
        title,
        "xxxxxxxxxx",
        "/wallet/",
        False,
    )
    callbacks[0]()
    [email] = mail.outbox
    assert (email.to, email.subject) == ([arabic_investor.email], f"Bursar: {title}")
    assert Notification.objects.get(pk=notice.pk).emailed_at is not None


def test_a_title_is_cut_to_200_characters_and_a_category_can_be_given(investor):
    notice = services.notification_send(user=investor, kind="custom", title="t" * 250, category="security", email=False)
    assert (len(notice.title), notice.category) == (200, "security")


def test_a_notice_without_email_queues_nothing(investor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notification_send(user=investor, kind="support_assigned", title="Assigned", email=False)
    assert (callbacks, mail.outbox) == ([], [])


def test_staff_notices_go_to_each_staff_member(support, support2):
    notices = services.notification_send_to_staff(users=[support, support2], kind="ledger_check_failed", title="Alert")
    assert [(n.user, n.category, n.title) for n in notices] == [
        (support, "account", "Alert"),
        (support2, "account", "Alert"),
    ]


# --- preferences -------------------------------------------------------------------------------------


def test_preferences_default_to_every_email(investor):
    preference = notification_preferences_get(user=investor)
    assert (preference.pk, preference.email_support, preference.email_tasks) == (None, True, True)
    assert (preference.email_announcements, preference.email_money) == (True, True)
    assert all(preference.allows(category) for category in ("support", "tasks", "announcements", "money"))
    assert preference.allows("security") and preference.allows("account")


def test_preferences_switch_optional_categories(investor):
    services.notification_preferences_update(user=investor, email_announcements=False, email_money=False)
    services.notification_preferences_update(user=investor, email_money=True)
    preference = NotificationPreference.objects.get(user=investor)
    assert (
        preference.email_support,
        preference.email_tasks,
        preference.email_announcements,
        preference.email_money,
    ) == (True, True, False, True)
    assert (preference.allows("announcements"), preference.allows("security")) == (False, True)


@pytest.mark.parametrize(
    ("choices", "field"),
    [
        ({"email_security": False}, "email_security"),
        ({"email_account": False, "email_tasks": False}, "email_account"),
        ({"email_tasks": "no"}, "email_tasks"),
        ({"email_support": 0}, "email_support"),
    ],
)
def test_security_and_account_emails_cannot_be_switched_off(investor, unchanged_db, choices, field):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.notification_preferences_update(user=investor, **choices)
    assert (error.value.code, error.value.field) == ("invalid", field)


# --- reading and dismissing ------------------------------------------------------------------------------


def test_marking_notices_read(investor, other_investor, unchanged_db):
    mine = [services.notification_send(user=investor, kind="deposit_approved", title=f"n{i}") for i in range(3)]
    theirs = services.notification_send(user=other_investor, kind="deposit_approved", title="theirs")
    assert notification_unread_count(user=investor) == 3
    assert services.notifications_mark_read(user=investor, ids=[mine[0].pk, str(mine[1].pk), theirs.pk]) == 2
    assert notification_unread_count(user=investor) == 1
    assert Notification.objects.get(pk=theirs.pk).is_read is False
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.notifications_mark_read(user=investor, ids=[mine[2].pk, "abc"])
    assert (error.value.code, error.value.field) == ("invalid", "ids")
    assert services.notifications_mark_read(user=investor) == 1
    assert services.notifications_mark_read(user=investor) == 0
    assert [n.title for n in notification_list_for_user(user=investor)] == ["n2", "n1", "n0"]


def test_marking_one_notice_read_and_another_users_is_a_404(investor, other_investor, unchanged_db):
    notice = services.notification_send(user=investor, kind="deposit_approved", title="n")
    assert services.notification_mark_read(user=investor, notification_id=str(notice.pk)).is_read is True
    with unchanged_db():
        for user, notification_id in ((other_investor, notice.pk), (investor, "x"), (investor, None)):
            with pytest.raises(ApplicationError) as error:
                services.notification_mark_read(user=user, notification_id=notification_id)
            assert (error.value.code, error.value.status_code) == ("not_found", 404)


def test_only_an_announcement_can_be_dismissed(investor, unchanged_db):
    notice = services.notification_send(user=investor, kind="deposit_approved", title="n")
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.notification_dismiss(user=investor, notification_id=notice.pk)
    assert error.value.code == "not_dismissible"
    assert notification_banner_for_user(user=investor) is None


def test_unread_counts_are_per_user():
    first, second = UserFactory(), UserFactory()
    services.notification_send(user=first, kind="deposit_approved", title="a")
    assert (notification_unread_count(user=first), notification_unread_count(user=second)) == (1, 0)
