import pytest
from django.conf import settings
from django.urls import reverse

from apps.messaging.models import Notification
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.portal.conftest import form_errors, messages_of

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:login")
PROFILE = reverse("portal:profile")
DASHBOARD = reverse("portal:home")  # where signing in lands
WRONG = "The email, username or password is wrong. Check them and try again."
LOCKED = "Too many failed sign-in attempts. Try again in 15 minutes."


def login(client, identifier, password=DEFAULT_PASSWORD, **extra):
    return client.post(LOGIN, {"username": identifier, "password": password, **extra})


@pytest.mark.parametrize("identifier", ["mona@example.com", "MONA@Example.COM", "  mona@EXAMPLE.com  ", "Mona.K"])
def test_login_by_email_in_any_case_or_by_username(client, identifier):
    user = UserFactory(email="mona@example.com", username="mona.k")
    response = login(client, identifier)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert client.session["_auth_user_id"] == str(user.pk)
    assert messages_of(client.get(DASHBOARD)) == ["Welcome back."]


def test_login_switches_to_the_saved_language(client):
    UserFactory(email="salma@example.com", language="ar")
    response = login(client, "salma@example.com")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    page = client.get(PROFILE)
    assert 'dir="rtl"' in page.content.decode()
    assert messages_of(page) == ["مرحبًا بعودتك."]


def test_login_follows_a_safe_next(client):
    UserFactory(email="mona@example.com")
    response = login(client, "mona@example.com", next="/password/change/")
    assert response["Location"] == "/password/change/"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_login_ignores_an_unsafe_next(client, next_url):
    UserFactory(email="mona@example.com")
    response = login(client, "mona@example.com", next=next_url)
    assert response["Location"] == DASHBOARD


def test_login_page_keeps_next_from_the_query(client):
    response = client.get(PROFILE)
    assert response["Location"] == f"{LOGIN}?next={PROFILE}"
    page = client.get(response["Location"])
    assert '<input type="hidden" name="next" value="/profile/">' in page.content.decode()


@pytest.mark.parametrize(
    ("identifier", "password"),
    [("mona@example.com", "wrong-password"), ("nobody@example.com", DEFAULT_PASSWORD), ("", ""), ("x" * 300, "p")],
)
def test_failed_login_shows_an_error_and_changes_nothing(client, unchanged_db, identifier, password):
    UserFactory(email="mona@example.com")
    with unchanged_db():
        response = login(client, identifier, password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    expected = {
        "": {"username": ["This field is required."], "password": ["This field is required."]},
        "x" * 300: {"username": ["Ensure this value has at most 254 characters (it has 300)."]},
    }.get(identifier, {"__all__": [WRONG]})
    assert form_errors(response) == expected


def test_deactivated_account_gets_a_clear_message(client, unchanged_db):
    UserFactory(email="gone@example.com", is_active=False)
    with unchanged_db():
        response = login(client, "gone@example.com")
    assert response.status_code == 200
    assert form_errors(response) == {
        "__all__": ["This account has been deactivated. Please contact support if you think this is a mistake."]
    }
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_out_with_the_429_page(
    client, unchanged_db, mailoutbox, django_capture_on_commit_callbacks
):
    mona = UserFactory(email="mona@example.com", username="mona")
    with unchanged_db():
        for attempt in range(4):
            response = login(client, "MONA@example.com" if attempt % 2 else "mona", "wrong-password")
            assert response.status_code == 200
            assert form_errors(response) == {"__all__": [WRONG]}
    with django_capture_on_commit_callbacks(execute=True):
        locked = login(client, "mona@example.com", "wrong-password")
    assert locked.status_code == 429
    assert "portal/locked_out.html" in [t.name for t in locked.templates]
    assert "<h1>Too many attempts</h1>" in locked.content.decode()
    assert LOCKED in locked.content.decode()
    # The account holder is told once (a security notice, always emailed); nothing else changed.
    notices = list(Notification.objects.values_list("user", "kind", "category"))
    assert notices == [(mona.pk, "security_locked_out", "security")]
    assert [message.subject for message in mailoutbox] == ["Bursar: Sign-ins to your account are paused"]
    with unchanged_db():
        # even the right password is refused while the lock lasts, and no second notice is sent
        with django_capture_on_commit_callbacks(execute=True):
            again = login(client, "Mona@Example.com")
        assert again.status_code == 429
    assert len(mailoutbox) == 1
    assert "_auth_user_id" not in client.session


def test_locked_out_page_in_arabic(client_ar):
    UserFactory(email="mona@example.com")
    for _attempt in range(5):
        response = login(client_ar, "mona@example.com", "wrong-password")
    assert response.status_code == 429
    html = response.content.decode()
    assert 'dir="rtl"' in html
    assert "محاولات فاشلة كثيرة لتسجيل الدخول. حاول مرة أخرى بعد 15 دقيقة." in html


def test_success_before_the_limit_resets_the_count(client):
    UserFactory(email="mona@example.com")
    for _attempt in range(4):
        login(client, "mona@example.com", "wrong-password")
    assert login(client, "mona@example.com").status_code == 302
    client.post(reverse("portal:logout"))
    for _attempt in range(4):
        assert login(client, "mona@example.com", "wrong-password").status_code == 200
    assert login(client, "mona@example.com").status_code == 302


def test_signed_in_user_skips_the_login_page(investor_client):
    response = investor_client.get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD


def test_logout_by_post(investor_client):
    response = investor_client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in investor_client.session
    assert messages_of(investor_client.get(LOGIN)) == ["You are logged out."]


def test_logout_by_get_is_refused_and_keeps_the_session(investor_client):
    response = investor_client.get(reverse("portal:logout"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "To log out, press the button." in response.content.decode()
    assert investor_client.session["_auth_user_id"] == str(investor_client.user.pk)
