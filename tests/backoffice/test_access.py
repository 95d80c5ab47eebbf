"""Who gets into the admin: investors never; staff see what their role allows; every page of
the back office renders under unfold."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from unfold.admin import ModelAdmin as UnfoldModelAdmin

from apps.accounts.models import User
from tests.backoffice.conftest import change_form_data, user_change_url
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from workers.schedule import schedule_sync

pytestmark = pytest.mark.django_db

LOGIN_REFUSED = "Please enter the correct email address and password for a staff account."


def test_signed_in_investor_is_sent_to_the_admin_login_with_a_notice(investor, admin_client_for):
    client = admin_client_for(investor)

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"

    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/accounts/user/"

    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert f"You are signed in as {investor.email}, which is not a staff account." in response.text


def test_investor_credentials_are_refused_at_the_admin_login(investor, unchanged_db):
    client = Client()
    with unchanged_db():
        response = client.post("/admin/login/", {"username": investor.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert LOGIN_REFUSED in response.text
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_staff_credentials_are_accepted_at_the_admin_login(staff):
    client = Client()
    page = client.get("/admin/login/")
    assert 'action="/admin/login/?next=/admin/"' in page.text
    response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_deactivated_staff_cannot_sign_in_to_the_admin(unchanged_db):
    former = StaffFactory(is_active=False)
    client = Client()
    with unchanged_db():
        response = client.post("/admin/login/", {"username": former.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "This account is inactive." in response.text
    assert "_auth_user_id" not in client.session


def test_staff_without_a_role_gets_a_working_but_empty_index(staff, admin_client_for):
    client = admin_client_for(staff)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Nothing to show yet" in response.text
    assert "user_counts" not in response.context
    assert "scheduler" not in response.context
    assert [section["title"] for section in response.context["sidebar_navigation"]] == [None]
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get(user_change_url(staff)).status_code == 403


def test_finance_sees_the_users_read_only(finance, investor, admin_client_for, unchanged_db):
    client = admin_client_for(finance)

    response = client.get("/admin/accounts/user/")
    assert response.status_code == 200
    assert response.context["has_add_permission"] is False
    assert "action_form" not in response.context or response.context["action_form"] is None
    assert response.context["cl"].model_admin.get_actions(response.wsgi_request) == {}

    response = client.get(user_change_url(investor))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    # Every role may write a staff note; Finance makes adjustments (the action opens their form).
    assert [action["title"] for action in response.context["actions_detail"]] == ["Add note", "Adjust balance"]
    assert [name for name, field in response.context["adminform"].form.fields.items() if not field.disabled] == []

    with unchanged_db():
        response = client.post(user_change_url(investor), {"first_name": "Changed", "_save": "Save"})
    assert response.status_code == 403


def test_kyc_reviewer_has_no_user_actions_and_a_link_to_the_kyc_queue(kyc_reviewer, investor, admin_client_for):
    client = admin_client_for(kyc_reviewer)
    response = client.get("/admin/accounts/user/")
    assert response.context["cl"].model_admin.get_actions(response.wsgi_request) == {}
    response = client.get(user_change_url(investor))
    assert [action["title"] for action in response.context["actions_detail"]] == ["Add note"]
    assert [name for name, field in response.context["adminform"].form.fields.items() if not field.disabled] == []
    assert f'href="/admin/kyc/submission/?user__id__exact={investor.pk}"' in response.text


def test_staff_without_the_kyc_queue_get_no_link_to_it(finance, investor, admin_client_for):
    response = admin_client_for(finance).get(user_change_url(investor))
    assert "/admin/kyc/submission/" not in response.text
    assert "Not submitted" in response.text


def test_support_edits_investors_but_not_other_staff(support, investor, finance, admin_client_for):
    client = admin_client_for(support)
    assert client.get(user_change_url(investor)).context["has_change_permission"] is True
    assert client.get(user_change_url(finance)).context["has_change_permission"] is False
    assert client.get(user_change_url(support)).context["has_change_permission"] is True


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/userevent/",
        "/admin/auth/group/",
        "/admin/workers/heartbeat/",
        "/admin/axes/accessattempt/",
        "/admin/axes/accesslog/",
        "/admin/axes/accessfailurelog/",
        "/admin/token_blacklist/outstandingtoken/",
        "/admin/token_blacklist/blacklistedtoken/",
    ],
)
def test_pages_render_for_a_superuser(url, superuser, admin_client_for):
    UserFactory(referred_by=superuser)
    response = admin_client_for(superuser).get(url)
    assert response.status_code == 200
    assert "unfold/layouts/skeleton.html" in [template.name for template in response.templates]


def test_user_change_page_renders_for_a_superuser(superuser, admin_client_for):
    user = UserFactory(referred_by=superuser)
    response = admin_client_for(superuser).get(user_change_url(user))
    assert response.status_code == 200
    assert response.context["original"] == user
    assert [title for title, _options in response.context["adminform"].fieldsets] == [
        "Identity",
        "Profile",
        "Referral",
        "Roles",
        "Status",
    ]  # an investor's balances are in the 360's header (apps.accounts.admin.investor360)
    assert superuser.email in response.text  # the referrer, shown read-only


def test_roles_are_listed_under_that_name(superuser, admin_client_for):
    response = admin_client_for(superuser).get("/admin/auth/group/")
    assert response.context["title"] == "Roles"
    assert sorted(group.name for group in response.context["cl"].result_list) == sorted(
        Group.objects.values_list("name", flat=True)
    )


def test_celery_beat_pages_render_under_unfold(superuser, admin_client_for):
    managed = schedule_sync()
    task = PeriodicTask.objects.get(name="bursar:scheduler-heartbeat")
    crontab = CrontabSchedule.objects.create(minute="5", hour="2")
    client = admin_client_for(superuser)
    urls = [
        "/admin/django_celery_beat/periodictask/",
        "/admin/django_celery_beat/periodictask/add/",
        reverse("admin:django_celery_beat_periodictask_change", args=(task.pk,)),
        "/admin/django_celery_beat/crontabschedule/",
        reverse("admin:django_celery_beat_crontabschedule_change", args=(crontab.pk,)),
        "/admin/django_celery_beat/intervalschedule/",
        reverse("admin:django_celery_beat_intervalschedule_change", args=(IntervalSchedule.objects.get().pk,)),
        "/admin/django_celery_beat/solarschedule/",
        "/admin/django_celery_beat/clockedschedule/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "unfold/layouts/skeleton.html" in [template.name for template in response.templates], url
    response = client.get("/admin/django_celery_beat/periodictask/")
    assert sorted(row.name for row in response.context["cl"].result_list) == sorted(managed)


def test_every_registered_admin_is_an_unfold_admin():
    plain = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, UnfoldModelAdmin)
    ]
    assert plain == []


def test_users_cannot_be_deleted_from_the_admin(superuser, investor, admin_client_for, unchanged_db):
    client = admin_client_for(superuser)
    with unchanged_db():
        response = client.post(reverse("admin:accounts_user_delete", args=(investor.pk,)), {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=investor.pk).exists()
    response = client.get("/admin/accounts/user/")
    assert "delete_selected" not in response.context["cl"].model_admin.get_actions(response.wsgi_request)


def test_read_only_admins_refuse_changes(superuser, admin_client_for, unchanged_db):
    user = UserFactory()
    client = admin_client_for(superuser)
    event = user.events.create(kind="signed_up")
    with unchanged_db():
        response = client.post(reverse("admin:accounts_userevent_change", args=(event.pk,)), {"kind": "deactivated"})
    assert response.status_code == 403
    assert client.get("/admin/accounts/userevent/add/").status_code == 403
    assert client.get("/admin/workers/heartbeat/add/").status_code == 403


def test_change_form_helper_round_trips(superuser, investor, admin_client_for):
    """The helper the other tests use posts back what the page shows: saving it changes nothing."""
    client = admin_client_for(superuser)
    before = User.objects.values().get(pk=investor.pk)
    response = client.post(user_change_url(investor), change_form_data(client, investor))
    assert response.status_code == 302
    after = User.objects.values().get(pk=investor.pk)
    assert after == before


def test_admin_login_locks_the_account_out_after_repeated_failures(staff, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": "wrong"})
    assert response.status_code == 429
    # Locked: even the right password is refused until the cool-off ends.
    response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
