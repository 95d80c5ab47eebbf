import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts import tokens
from apps.accounts.models import User, UserEvent
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.portal.conftest import NEW_PASSWORD, form_errors, link_path_from_last_email, messages_of

pytestmark = pytest.mark.django_db

PROFILE = reverse("portal:profile")
LOGIN = reverse("portal:login")
FORGOT = reverse("portal:password_forgot")
CHANGE = reverse("portal:password_change")


# --- email verification -----------------------------------------------------------------------


def test_verify_email_with_the_link_from_the_signup_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal:signup"),
            {"email": "nour@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    path = link_path_from_last_email()
    assert path.startswith("/verify-email/")
    response = client.get(path)
    assert response.status_code == 200
    assert "<h1>Email confirmed</h1>" in response.content.decode()
    user = User.objects.get(email="nour@example.com")
    assert user.is_email_verified is True
    assert list(user.events.values_list("kind", flat=True)) == ["email_verified", "signed_up"]
    # the profile now shows the address as confirmed and offers no resend button
    profile = client.get(PROFILE).content.decode()
    assert '<span class="badge badge-ok">Confirmed</span>' in profile
    assert reverse("portal:verify_email_resend") not in profile


@pytest.mark.parametrize("token", ["garbage", "x" * 400, ".eJyrVipVsjI0MNBRSlWyUkrNTczMUaoFADxeBfs:1u:bad"])
def test_tampered_verification_link_shows_an_error_and_changes_nothing(client, unchanged_db, token):
    UserFactory(is_email_verified=False)
    with unchanged_db():
        response = client.get(reverse("portal:verify_email", kwargs={"token": token}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>This link does not work</h1>" in html
    assert "This verification link is invalid or has expired." in html


def test_verification_link_dies_when_the_email_changes(client, unchanged_db):
    user = UserFactory(email="old@example.com", is_email_verified=False)
    token = tokens.email_verification_token_make(user=user)
    User.objects.filter(pk=user.pk).update(email="new@example.com")
    with unchanged_db():
        response = client.get(reverse("portal:verify_email", kwargs={"token": token}))
    assert response.status_code == 400


def test_resend_verification_sends_a_new_link(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="late@example.com", is_email_verified=False)
    client.force_login(user)
    assert "Send a new link" in client.get(PROFILE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:verify_email_resend"))
    assert response["Location"] == PROFILE
    assert [m.to for m in mail.outbox] == [["late@example.com"]]
    assert messages_of(client.get(PROFILE)) == ["We sent a new confirmation link to late@example.com."]
    assert client.get(link_path_from_last_email()).status_code == 200
    user.refresh_from_db()
    assert user.is_email_verified is True


def test_resend_when_already_verified_sends_nothing(investor_client, django_capture_on_commit_callbacks, unchanged_db):
    with unchanged_db(), django_capture_on_commit_callbacks(execute=True):
        investor_client.post(reverse("portal:verify_email_resend"))
    assert mail.outbox == []
    assert messages_of(investor_client.get(PROFILE)) == ["Your email address is already confirmed."]


def test_resend_needs_post_and_a_session(client, investor_client):
    assert investor_client.get(reverse("portal:verify_email_resend")).status_code == 405
    investor_client.logout()
    response = client.post(reverse("portal:verify_email_resend"))
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/verify-email/"


# --- forgotten password -----------------------------------------------------------------------

FORGOT_SENT = "If an account exists for {}, we sent it a link to choose a new password."


def test_forgot_password_says_the_same_whether_or_not_the_account_exists(client, django_capture_on_commit_callbacks):
    UserFactory(email="mona@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(FORGOT, {"email": "MONA@example.com"}, follow=True)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(FORGOT, {"email": "nobody@example.com"}, follow=True)
    assert len(mail.outbox) == 1
    assert messages_of(known) == [FORGOT_SENT.format("MONA@example.com")]
    assert messages_of(unknown) == [FORGOT_SENT.format("nobody@example.com")]
    assert known.redirect_chain == unknown.redirect_chain == [(FORGOT, 302)]


def test_forgot_password_with_a_malformed_email_shows_the_error(client, unchanged_db):
    with unchanged_db():
        response = client.post(FORGOT, {"email": "mona@"})
    assert form_errors(response) == {"email": ["Enter a valid email address."]}
    assert mail.outbox == []


def test_reset_password_end_to_end(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="mona@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(FORGOT, {"email": "mona@example.com"})
    path = link_path_from_last_email()
    assert path.startswith("/password/reset/")
    assert client.get(path).status_code == 200

    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == LOGIN
    assert messages_of(client.get(LOGIN)) == ["Your password was changed. Log in with the new one."]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert list(user.events.values_list("kind", flat=True)) == ["password_reset"]

    # the link works once
    assert client.get(path).status_code == 400
    assert client.post(LOGIN, {"username": "mona@example.com", "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("password1", "password2", "errors"),
    [
        (NEW_PASSWORD, "Other-Pass-11", {"password2": ["The two passwords do not match."]}),
        ("short", "short", {"password1": ["This password is too short. It must contain at least 8 characters."]}),
        ("", "", {"password1": ["This field is required."], "password2": ["This field is required."]}),
    ],
)
def test_refused_reset_shows_the_error_and_changes_nothing(client, unchanged_db, password1, password2, errors):
    # Fixed names: a random surname such as "Short" would add a similarity error to "short".
    user = UserFactory(email="mona@example.com", first_name="Mona", last_name="Haddad")
    path = reverse("portal:password_reset_confirm", kwargs={"token": tokens.password_reset_token_make(user=user)})
    with unchanged_db():
        response = client.post(path, {"password1": password1, "password2": password2})
    assert response.status_code == 200
    assert form_errors(response) == errors


@pytest.mark.parametrize("method", ["get", "post"])
def test_tampered_reset_link_is_refused_and_changes_nothing(client, unchanged_db, method):
    user = UserFactory(email="mona@example.com")
    token = tokens.password_reset_token_make(user=user)
    path = reverse("portal:password_reset_confirm", kwargs={"token": token[:-2] + "xx"})
    with unchanged_db():
        response = getattr(client, method)(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 400
    assert "This reset link is invalid or has expired." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


# --- password change --------------------------------------------------------------------------


def test_change_password_keeps_the_session(investor_client):
    user = investor_client.user
    response = investor_client.post(
        CHANGE, {"old_password": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response["Location"] == PROFILE
    page = investor_client.get(PROFILE)
    assert page.status_code == 200
    assert messages_of(page) == ["Your password was changed."]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert list(UserEvent.objects.filter(user=user).values_list("kind", flat=True)) == ["password_changed"]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"old_password": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            {"old_password": ["Your current password is wrong."]},
        ),
        (
            {"old_password": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": "Other-Pass-11"},
            {"password2": ["The two passwords do not match."]},
        ),
        (
            {"old_password": DEFAULT_PASSWORD, "password1": "12345678", "password2": "12345678"},
            {"password1": ["This password is too common. This password is entirely numeric."]},
        ),
        (
            {"old_password": DEFAULT_PASSWORD, "password1": "p" * 129, "password2": "p" * 129},
            {
                "password1": ["Ensure this value has at most 128 characters (it has 129)."],
                "password2": ["Ensure this value has at most 128 characters (it has 129)."],
            },
        ),
    ],
)
def test_refused_password_change_shows_the_error_and_changes_nothing(investor_client, unchanged_db, data, errors):
    with unchanged_db():
        response = investor_client.post(CHANGE, data)
    assert response.status_code == 200
    assert form_errors(response) == errors
    assert investor_client.get(PROFILE).status_code == 200


def test_password_change_needs_a_session(client):
    response = client.get(CHANGE)
    assert response["Location"] == f"{LOGIN}?next={CHANGE}"
