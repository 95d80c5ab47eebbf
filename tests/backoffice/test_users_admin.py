"""The users admin: list, search, filters, the change and add forms, and the actions. Every write
goes through a service and leaves an account event; every refusal changes nothing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts import roles
from apps.accounts.models import KycStatus, Language, User, UserEvent
from tests.backoffice.conftest import change_form_data, staff_with_role, user_change_url
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"


def listed(client, query: str = "") -> list[str]:
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    return sorted(user.email for user in response.context["cl"].result_list)


def events(user, *kinds: str) -> list[tuple]:
    rows = UserEvent.objects.filter(user=user).order_by("id")
    if kinds:
        rows = rows.filter(kind__in=kinds)
    return list(rows.values_list("kind", "actor_id", "data"))


def action_post(client, action: str, users, **extra):
    data = {"action": action, "_selected_action": [str(user.pk) for user in users], "index": "0", **extra}
    return client.post(CHANGELIST, data)


# --- list -----------------------------------------------------------------------------------------


def make_users(count: int) -> None:
    referrer = UserFactory()
    finance = Group.objects.get(name=roles.FINANCE)
    for index in range(count):
        if index % 3 == 0:
            StaffFactory().groups.add(finance)
        else:
            UserFactory(referred_by=referrer)


def changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_changelist_query_count_does_not_grow_with_users(superuser, admin_client_for):
    client = admin_client_for(superuser)
    client.get(CHANGELIST)  # warm caches (content types, permissions)
    make_users(3)
    few = changelist_queries(client)
    make_users(27)
    many = changelist_queries(client)
    assert User.objects.count() == 1 + 4 + 28
    assert many == few


def test_changelist_columns(superuser, admin_client_for):
    from django.contrib import admin

    referrer = UserFactory(email="ref@example.com")
    kid = UserFactory(email="kid@example.com", first_name="Ali", last_name="Hassan", referred_by=referrer)
    support = staff_with_role(roles.SUPPORT)
    model_admin = admin.site._registry[User]
    assert model_admin.display_user(kid) == ["Ali Hassan", "kid@example.com", "AH"]
    assert model_admin.display_role(kid) == ("investor", "Investor")
    assert model_admin.display_role(support) == ("staff", "Support")
    assert model_admin.display_role(superuser) == ("superuser", "Superuser")
    assert model_admin.display_kyc_status(kid) == ("not_submitted", "Not submitted")
    assert model_admin.display_referrer(referrer) == "-"
    link = f'<a href="/admin/accounts/user/{referrer.pk}/change/" class="text-primary-600 dark:text-primary-500">'
    assert model_admin.display_referrer(kid) == f"{link}ref@example.com</a>"

    text = admin_client_for(superuser).get(CHANGELIST).text
    assert "Ali Hassan" in text
    assert f"{link}ref@example.com</a>" in text


def test_search_by_email_username_name_phone_and_referral_code(superuser, admin_client_for):
    one = UserFactory(email="nour@example.com", username="nour_k", first_name="Nour", phone="+971 50 111 2222")
    two = UserFactory(email="sam@example.com", last_name="Qasim", phone="+44 20 7946 0000")
    client = admin_client_for(superuser)
    assert listed(client, "q=NOUR@example") == [one.email]
    assert listed(client, "q=nour_k") == [one.email]
    assert listed(client, "q=qasim") == [two.email]
    assert listed(client, "q=7946") == [two.email]
    assert listed(client, f"q={two.referral_code.lower()}") == [two.email]
    assert listed(client, f"q={two.referral_code[:4]}") == []


def test_each_filter(superuser, admin_client_for):
    now = timezone.now()
    a = UserFactory(email="a@example.com", kyc_status=KycStatus.PENDING, country="Oman", language=Language.ARABIC)
    b = UserFactory(email="b@example.com", is_active=False, is_email_verified=False, country="Egypt")
    c = UserFactory(email="c@example.com", date_joined=now - timedelta(days=40))
    finance = staff_with_role(roles.FINANCE)
    client = admin_client_for(superuser)

    staff = sorted([superuser.email, finance.email])
    assert listed(client, "is_staff__exact=1") == staff
    assert listed(client, "is_staff__exact=0") == [a.email, b.email, c.email]
    assert listed(client, "is_active__exact=0") == [b.email]
    assert listed(client, "kyc_status__exact=pending") == [a.email]
    assert listed(client, "is_email_verified__exact=0") == [b.email]
    assert listed(client, "language__exact=ar") == [a.email]
    assert listed(client, "country__icontains=oma") == [a.email]
    group = Group.objects.get(name=roles.FINANCE)
    assert listed(client, f"groups__id__exact={group.pk}") == [finance.email]
    old = (now - timedelta(days=40)).date().isoformat()
    assert listed(client, f"date_joined_to={old}") == [c.email]
    assert listed(client, f"date_joined_from={old}&date_joined_to={old}") == [c.email]
    recent = (now - timedelta(days=1)).date().isoformat()
    assert c.email not in listed(client, f"date_joined_from={recent}")
    assert listed(client, "date_joined_from=not-a-date") == []


# --- change form ------------------------------------------------------------------------------------


def test_profile_edit_goes_through_the_service(superuser, admin_client_for):
    user = UserFactory(first_name="Old")
    client = admin_client_for(superuser)
    response = client.post(
        user_change_url(user), change_form_data(client, user, first_name="New", phone="+968 9123 4567")
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.phone) == ("New", "+968 9123 4567")
    assert events(user, "profile_updated") == [("profile_updated", superuser.pk, {"fields": ["first_name", "phone"]})]


def test_referral_fields_cannot_be_changed_by_posting_them(superuser, admin_client_for):
    referrer, other = UserFactory(), UserFactory()
    user = UserFactory(referred_by=referrer)
    code = user.referral_code
    client = admin_client_for(superuser)
    data = change_form_data(client, user, referral_code="ZZZZ2345", referred_by=str(other.pk), email="x@example.com")
    response = client.post(user_change_url(user), data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.referral_code, user.referred_by_id, user.email) == (code, referrer.pk, user.email)
    assert user.email != "x@example.com"
    assert events(user) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "TAKEN_name", "This username is taken."),
        ("phone", "call me maybe", "Enter a phone number: digits, spaces, dashes, optional leading +."),
        ("username", "a b", "3 to 150 letters, digits and . + - _ only."),
        ("language", "fr", "Select a valid choice. fr is not one of the available choices."),
    ],
)
def test_bad_input_on_the_change_form_shows_an_error(field, value, message, superuser, admin_client_for, unchanged_db):
    UserFactory(username="taken_name")
    user = UserFactory()
    client = admin_client_for(superuser)
    data = change_form_data(client, user, **{field: value})
    with unchanged_db():
        response = client.post(user_change_url(user), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {field: [message]}


def test_a_refusing_service_becomes_a_message_not_a_server_error(superuser, admin_client_for, unchanged_db):
    client = admin_client_for(superuser)
    data = change_form_data(client, superuser, is_active=None, first_name="Changed too")
    with unchanged_db():
        response = client.post(user_change_url(superuser), data)
    assert response.status_code == 302
    assert response["Location"] == user_change_url(superuser)
    page = client.get(response["Location"])
    assert [str(message) for message in page.context["messages"]] == ["You cannot deactivate yourself."]


def test_status_fields_go_through_their_services(superuser, admin_client_for):
    user = UserFactory()
    client = admin_client_for(superuser)
    data = change_form_data(client, user, is_active=None)
    assert client.post(user_change_url(user), data).status_code == 302
    user.refresh_from_db()
    assert user.is_active is False
    assert events(user) == [("deactivated", superuser.pk, {})]


def test_kyc_status_is_not_editable_on_the_change_page(superuser, admin_client_for):
    """The status follows the current KYC submission: a posted value is ignored."""
    user = UserFactory()
    client = admin_client_for(superuser)
    response = client.get(user_change_url(user))
    assert "kyc_status" not in response.context["adminform"].form.fields
    assert f'href="/admin/kyc/submission/?user__id__exact={user.pk}"' in response.text
    data = change_form_data(client, user, first_name="Noura", kyc_status=KycStatus.APPROVED)
    assert client.post(user_change_url(user), data).status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.kyc_status) == ("Noura", KycStatus.NOT_SUBMITTED)
    assert events(user, "kyc_status_set") == []


def test_superuser_grants_a_role_through_the_service(superuser, admin_client_for):
    user = UserFactory()
    finance = Group.objects.get(name=roles.FINANCE)
    client = admin_client_for(superuser)
    data = change_form_data(client, user, is_staff="on", groups=[str(finance.pk)])
    assert client.post(user_change_url(user), data).status_code == 302
    user.refresh_from_db()
    assert user.is_staff is True
    assert list(user.groups.values_list("name", flat=True)) == ["Finance"]
    assert events(user) == [
        (
            "roles_changed",
            superuser.pk,
            {
                "from": {"is_staff": False, "is_superuser": False, "groups": []},
                "to": {"is_staff": True, "is_superuser": False, "groups": ["Finance"]},
            },
        )
    ]


def test_roles_for_a_non_staff_user_are_refused_with_a_message(superuser, admin_client_for, unchanged_db):
    user = UserFactory()
    finance = Group.objects.get(name=roles.FINANCE)
    client = admin_client_for(superuser)
    data = change_form_data(client, user, groups=[str(finance.pk)])
    with unchanged_db():
        response = client.post(user_change_url(user), data)
    assert response.status_code == 302
    assert [str(m) for m in client.get(response["Location"]).context["messages"]] == ["Only staff can hold roles."]


def test_roles_are_read_only_for_non_superusers(operations, admin_client_for):
    user = UserFactory()
    finance = Group.objects.get(name=roles.FINANCE)
    client = admin_client_for(operations)
    data = change_form_data(client, user)
    assert {"is_staff", "is_superuser", "groups"} & set(data) == set()
    data.update(is_staff="on", is_superuser="on", groups=[str(finance.pk)])
    before = User.objects.values().get(pk=user.pk)
    response = client.post(user_change_url(user), data)
    assert response.status_code == 302
    assert User.objects.values().get(pk=user.pk) == before
    assert user.groups.count() == 0
    assert events(user) == []


def test_user_events_show_on_the_change_page(superuser, admin_client_for):
    user = UserFactory()
    client = admin_client_for(superuser)
    action_post(client, "deactivate_users", [user])
    response = client.get(user_change_url(user))
    # An investor's page is their 360: the events are in its activity timeline, not an inline.
    assert response.context["inline_admin_formsets"] == []
    assert [row["kind"] for row in response.context["investor360"]["activity"]["rows"]] == ["deactivated"]
    assert 'data-activity="deactivated"' in response.text
    assert superuser.email in response.text


def test_staff_pages_keep_the_events_tab(superuser, admin_client_for):
    staff = StaffFactory()
    client = admin_client_for(superuser)
    action_post(client, "deactivate_users", [staff])
    response = client.get(user_change_url(staff))
    assert "investor360" not in response.context
    inline = response.context["inline_admin_formsets"][0]
    assert [form.instance.kind for form in inline.formset.forms] == ["deactivated"]


# --- add form ---------------------------------------------------------------------------------------


def add_data(**overrides) -> dict:
    data = {
        "email": "New.Person@Example.com",
        "first_name": "New",
        "last_name": "Person",
        "phone": "",
        "country": "Oman",
        "language": "ar",
        "usable_password": "true",
        "password1": "Sturdy-Pass-93",
        "password2": "Sturdy-Pass-93",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_adding_a_user_goes_through_the_service(superuser, admin_client_for):
    client = admin_client_for(superuser)
    response = client.post("/admin/accounts/user/add/", add_data())
    created = User.objects.get(email="New.Person@example.com")
    assert response.status_code == 302
    assert response["Location"] == user_change_url(created)
    assert (created.first_name, created.language, created.country, created.is_staff) == ("New", "ar", "Oman", False)
    assert created.check_password("Sturdy-Pass-93")
    assert len(created.referral_code) == 8
    assert events(created) == [("signed_up", superuser.pk, {"referred_by": None})]


def test_adding_a_user_without_a_password(superuser, admin_client_for):
    client = admin_client_for(superuser)
    data = add_data(usable_password="false", password1="", password2="")
    assert client.post("/admin/accounts/user/add/", data).status_code == 302
    assert User.objects.get(email="New.Person@example.com").has_usable_password() is False


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"email": "TAKEN@example.com"}, {"email": ["An account with this email already exists."]}),
        ({"password2": "Other-Pass-93"}, {"password2": ["The two password fields didn’t match."]}),
        (
            {"password1": "12345", "password2": "12345"},
            {
                "password2": [
                    "This password is too short. It must contain at least 8 characters.",
                    "This password is too common.",
                    "This password is entirely numeric.",
                ]
            },
        ),
    ],
)
def test_bad_input_on_the_add_form_shows_an_error(overrides, errors, superuser, admin_client_for, unchanged_db):
    UserFactory(email="taken@example.com")
    client = admin_client_for(superuser)
    with unchanged_db():
        response = client.post("/admin/accounts/user/add/", add_data(**overrides))
    assert response.status_code == 200
    form_errors = {name: list(messages) for name, messages in response.context["adminform"].form.errors.items()}
    assert form_errors == errors


# --- password ---------------------------------------------------------------------------------------


def test_superuser_sets_a_password_through_the_service(superuser, admin_client_for):
    user = UserFactory()
    client = admin_client_for(superuser)
    url = reverse("admin:auth_user_password_change", args=(user.pk,))
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"usable_password": "true", "password1": "Brand-New-Pass-7", "password2": "Brand-New-Pass-7"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Brand-New-Pass-7")
    assert events(user) == [("password_changed", superuser.pk, {"usable": True})]


def test_weak_password_is_refused_on_the_password_page(superuser, admin_client_for, unchanged_db):
    # fixed names: a random Faker surname like "Passos" would also trip the similarity validator
    user = UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    client = admin_client_for(superuser)
    url = reverse("admin:auth_user_password_change", args=(user.pk,))
    with unchanged_db():
        response = client.post(url, {"usable_password": "true", "password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"password2": ["This password is too common."]}


def test_only_superusers_set_passwords(operations, admin_client_for, unchanged_db):
    user = UserFactory()
    client = admin_client_for(operations)
    url = reverse("admin:auth_user_password_change", args=(user.pk,))
    with unchanged_db():
        assert client.get(url).status_code == 403
        response = client.post(
            url, {"usable_password": "true", "password1": "Xx-Pass-9931", "password2": "Xx-Pass-9931"}
        )
    assert response.status_code == 403
    identity = client.get(user_change_url(user)).context["adminform"].fieldsets[0]
    assert identity == ("Identity", {"fields": ("email", "username")})


# --- bulk actions -------------------------------------------------------------------------------------


def test_deactivate_and_reactivate_selected_users(operations, admin_client_for):
    one, two, already = UserFactory(), UserFactory(), UserFactory(is_active=False)
    client = admin_client_for(operations)

    response = action_post(client, "deactivate_users", [one, two, already])
    assert response.status_code == 302
    assert [str(m) for m in client.get(CHANGELIST).context["messages"]] == ["Deactivated 2 users."]
    assert list(User.objects.filter(pk__in=[one.pk, two.pk, already.pk]).values_list("is_active", flat=True)) == [
        False,
        False,
        False,
    ]
    assert events(one) == [("deactivated", operations.pk, {})]
    assert events(already) == []

    action_post(client, "reactivate_users", [one])
    one.refresh_from_db()
    assert one.is_active is True
    assert events(one, "reactivated") == [("reactivated", operations.pk, {})]


def test_deactivation_refusals_are_reported_per_user(superuser, admin_client_for):
    investor = UserFactory()
    client = admin_client_for(superuser)
    action_post(client, "deactivate_users", [superuser, investor])
    messages = [str(m) for m in client.get(CHANGELIST).context["messages"]]
    assert messages == [f"{superuser.email}: You cannot deactivate yourself.", "Deactivated 1 user."]
    superuser.refresh_from_db()
    assert superuser.is_active is True


def test_deactivate_is_refused_without_the_permission(support, admin_client_for, unchanged_db):
    user = UserFactory()
    client = admin_client_for(support)
    with unchanged_db():
        response = action_post(client, "deactivate_users", [user])
    assert response.status_code == 302
    assert [str(m) for m in client.get(CHANGELIST).context["messages"]] == ["No action selected."]
    user.refresh_from_db()
    assert user.is_active is True


def test_there_is_no_action_to_set_the_kyc_status(superuser, admin_client_for, unchanged_db):
    user = UserFactory()
    client = admin_client_for(superuser)
    response = client.get(CHANGELIST)
    assert list(response.context["cl"].model_admin.get_actions(response.wsgi_request)) == [
        "deactivate_users",
        "reactivate_users",
        "send_password_reset",
    ]
    with unchanged_db():
        response = action_post(client, "set_kyc_status", [user], apply="1", status=KycStatus.APPROVED)
        assert response.status_code == 302
        # No such detail URL any more: the admin's catch-all takes it for an object id.
        response = client.post(f"/admin/accounts/user/{user.pk}/kyc_status_detail/", {"_form_submitted": "True"})
        assert response["Location"] == f"/admin/accounts/user/{user.pk}/kyc_status_detail/change/"
    assert [str(m) for m in client.get(CHANGELIST).context["messages"]] == ["No action selected."]


def test_send_password_reset_link(support, admin_client_for, django_capture_on_commit_callbacks):
    user = UserFactory()
    client = admin_client_for(support)
    with django_capture_on_commit_callbacks(execute=True):
        action_post(client, "send_password_reset", [user])
    assert [message.to for message in mail.outbox] == [[user.email]]


# --- detail actions (change page dialogs) -------------------------------------------------------------


def detail_url(user, action: str) -> str:
    return reverse(f"admin:accounts_user_{action}", args=(user.pk,))


def test_detail_actions_offered_follow_state_and_permissions(operations, admin_client_for):
    active, inactive = UserFactory(), UserFactory(is_active=False)
    client = admin_client_for(operations)
    titles = [action["title"] for action in client.get(user_change_url(active)).context["actions_detail"]]
    assert titles == ["Add note", "Reset password", "Deactivate"]
    titles = [action["title"] for action in client.get(user_change_url(inactive)).context["actions_detail"]]
    assert titles == ["Add note", "Reset password", "Reactivate"]


def test_deactivate_from_the_change_page(operations, admin_client_for):
    user = UserFactory()
    client = admin_client_for(operations)
    url = detail_url(user, "deactivate_detail")
    dialog = client.get(url)
    assert dialog.status_code == 200
    assert "Deactivate this user?" in dialog.text
    response = client.post(url, {"_form_submitted": "True"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == user_change_url(user)
    user.refresh_from_db()
    assert user.is_active is False
    assert events(user) == [("deactivated", operations.pk, {})]


def test_detail_deactivate_is_refused_without_the_permission(support, admin_client_for, unchanged_db):
    user = UserFactory()
    client = admin_client_for(support)
    with unchanged_db():
        response = client.post(detail_url(user, "deactivate_detail"), {"_form_submitted": "True"})
    assert response.status_code == 403


def test_detail_action_on_a_missing_user_is_refused(operations, admin_client_for, unchanged_db):
    """As the change page does: back to the admin with the "doesn't exist" message."""
    client = admin_client_for(operations)
    with unchanged_db():
        for object_id in ("999999", "nonsense"):
            response = client.post(f"/admin/accounts/user/{object_id}/deactivate_detail/", {"_form_submitted": "True"})
            assert (response.status_code, response["Location"]) == (302, "/admin/")
            messages = [str(m) for m in client.get("/admin/").context["messages"]]
            assert messages == [f"user with ID “{object_id}” doesn’t exist. Perhaps it was deleted?"]


def test_detail_action_refused_by_the_service_reports_it(superuser, admin_client_for):
    other_superuser = UserFactory(is_staff=True, is_superuser=True)
    client = admin_client_for(superuser)
    response = client.post(detail_url(superuser, "deactivate_detail"), {"_form_submitted": "True"})
    assert response["HX-Redirect"] == user_change_url(superuser)
    messages = [str(m) for m in client.get(user_change_url(superuser)).context["messages"]]
    assert messages == ["You cannot deactivate yourself."]
    superuser.refresh_from_db()
    assert superuser.is_active is True
    assert other_superuser.is_active is True


def test_non_superuser_cannot_deactivate_a_superuser(operations, superuser, admin_client_for, unchanged_db):
    client = admin_client_for(operations)
    with unchanged_db():
        action_post(client, "deactivate_users", [superuser])
    messages = [str(m) for m in client.get(CHANGELIST).context["messages"]]
    assert messages == [f"{superuser.email}: Only a superuser can change a superuser.", "Nothing to change."]


def test_login_as_deactivated_user_is_refused_after_admin_deactivation(operations, admin_client_for):
    user = UserFactory()
    action_post(admin_client_for(operations), "deactivate_users", [user])
    from django.test import Client

    client = Client()
    client.post("/login/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" not in client.session
