import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.models import KycStatus, User, UserEvent
from tests.factories import StaffFactory, UserFactory
from tests.portal.conftest import form_errors, messages_of

pytestmark = pytest.mark.django_db

PROFILE = reverse("portal:profile")
LANGUAGE = reverse("portal:language_set")
COOKIE = settings.LANGUAGE_COOKIE_NAME


def profile_data(user, **overrides) -> dict:
    data = {
        "username": user.username or "",
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "country": user.country,
        "language": user.language,
    }
    data.update(overrides)
    return data


def test_profile_shows_email_verification_referral_and_kyc(client):
    user = UserFactory(email="mona@example.com", is_email_verified=False, kyc_status=KycStatus.PENDING)
    client.force_login(user)
    response = client.get(PROFILE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span dir="ltr" class="email">mona@example.com</span>' in html
    assert '<span class="badge badge-warn">Not confirmed</span>' in html
    assert f'<code class="referral-code" dir="ltr">{user.referral_code}</code>' in html
    assert response.context["referral_link"] == f"{settings.SITE_URL}/r/{user.referral_code}/"
    assert f'value="{settings.SITE_URL}/r/{user.referral_code}/"' in html
    assert '<span class="badge badge-kyc-pending">Pending review</span>' in html
    assert 'data-copy-target="referral-link"' in html


def test_profile_needs_a_session(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={PROFILE}"


def test_staff_see_no_admin_link(client):
    client.force_login(StaffFactory())
    html = client.get(PROFILE).content.decode()
    assert "/admin/" not in html


def test_profile_edit_saves_and_records_an_event(investor_client):
    user = investor_client.user
    data = profile_data(user, username="Mona.K", first_name="Mona", phone="+20 100 555 0101", country="Egypt")
    response = investor_client.post(PROFILE, data)
    assert response["Location"] == PROFILE
    user.refresh_from_db()
    assert (user.username, user.first_name, user.phone, user.country) == ("Mona.K", "Mona", "+20 100 555 0101", "Egypt")
    event = UserEvent.objects.get(user=user)
    assert (event.kind, event.actor, event.data) == (
        "profile_updated",
        user,
        {"fields": ["country", "first_name", "phone", "username"]},
    )
    assert messages_of(investor_client.get(PROFILE)) == ["Your profile was saved."]


def test_profile_language_change_sets_the_cookie(investor_client):
    response = investor_client.post(PROFILE, profile_data(investor_client.user, language="ar"))
    assert response.cookies[COOKIE].value == "ar"
    page = investor_client.get(PROFILE)
    assert messages_of(page) == ["تم حفظ ملفك الشخصي."]
    assert 'dir="rtl"' in page.content.decode()


REFUSED = [
    pytest.param({"username": "TAKEN.one"}, {"username": ["This username is taken."]}, id="taken-username"),
    pytest.param(
        {"username": "no spaces"}, {"username": ["3 to 150 letters, digits and . + - _ only."]}, id="bad-username"
    ),
    pytest.param(
        {"phone": "12"}, {"phone": ["Enter a phone number: digits, spaces, dashes, optional leading +."]}, id="phone"
    ),
    pytest.param(
        {"language": "fr"},
        {"language": ["Select a valid choice. fr is not one of the available choices."]},
        id="unknown-language",
    ),
    pytest.param(
        {"last_name": "L" * 151},
        {"last_name": ["Ensure this value has at most 150 characters (it has 151)."]},
        id="long-last-name",
    ),
    pytest.param(
        {"phone": "1" * 33}, {"phone": ["Ensure this value has at most 32 characters (it has 33)."]}, id="long-phone"
    ),
]


@pytest.mark.parametrize(("overrides", "errors"), REFUSED)
def test_refused_profile_edit_shows_the_error_and_changes_nothing(investor_client, unchanged_db, overrides, errors):
    UserFactory(username="taken.ONE")
    user = investor_client.user
    with unchanged_db():
        response = investor_client.post(PROFILE, profile_data(user, first_name="Changed", **overrides))
    assert response.status_code == 200
    assert form_errors(response) == errors
    assert response.context["user"].first_name == User.objects.get(pk=user.pk).first_name
    assert COOKIE not in response.cookies


def test_profile_ignores_fields_it_does_not_offer(investor_client):
    user = investor_client.user
    email, code = user.email, user.referral_code
    investor_client.post(PROFILE, profile_data(user, email="evil@example.com", referral_code="ZZZZ2222", is_staff="on"))
    user.refresh_from_db()
    assert (user.email, user.referral_code, user.is_staff) == (email, code, False)


# --- language switch --------------------------------------------------------------------------


def test_language_switch_for_a_visitor_sets_the_cookie_and_goes_back(client):
    response = client.post(LANGUAGE, {"language": "ar", "next": "/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert response.cookies[COOKIE].value == "ar"
    html = client.get("/login/").content.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_language_switch_persists_to_the_user(investor_client):
    response = investor_client.post(LANGUAGE, {"language": "ar", "next": PROFILE})
    assert response["Location"] == PROFILE
    user = User.objects.get(pk=investor_client.user.pk)
    assert user.language == "ar"
    assert list(user.events.values_list("kind", "data")) == [("profile_updated", {"fields": ["language"]})]
    response = investor_client.post(LANGUAGE, {"language": "en", "next": PROFILE})
    assert response.cookies[COOKIE].value == "en"
    assert User.objects.get(pk=user.pk).language == "en"


@pytest.mark.parametrize("language", ["fr", "", "a" * 50])
def test_unknown_language_is_refused_and_changes_nothing(investor_client, unchanged_db, language):
    with unchanged_db():
        response = investor_client.post(LANGUAGE, {"language": language, "next": PROFILE})
    assert response["Location"] == PROFILE
    assert COOKIE not in response.cookies
    assert messages_of(investor_client.get(PROFILE)) == ["Choose English or Arabic."]


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "http:///evil.example", "javascript:alert(1)", "", "x" * 3000],
)
def test_language_switch_never_redirects_off_site(client, next_url):
    response = client.post(LANGUAGE, {"language": "ar", "next": next_url})
    assert response["Location"] == "/"
    assert response.cookies[COOKIE].value == "ar"


def test_language_switch_needs_post(client):
    assert client.get(LANGUAGE).status_code == 405
