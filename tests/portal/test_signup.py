import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from apps.accounts.models import User, UserEvent
from tests.factories import UserFactory
from tests.portal.conftest import NEW_PASSWORD, form_errors, messages_of

pytestmark = pytest.mark.django_db

SIGNUP = reverse("portal:signup")


def signup_data(**overrides) -> dict:
    data = {
        "email": "nour@example.com",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "first_name": "Nour",
        "last_name": "Haddad",
        "phone": "+961 3 123 456",
        "country": "Lebanon",
        "referral_code": "",
    }
    data.update(overrides)
    return data


def test_signup_without_referral_logs_in_and_sends_confirmation(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")  # the dashboard, which asks to confirm the email
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name, user.phone, user.country) == (
        "nour@example.com",
        "Nour",
        "Haddad",
        "+961 3 123 456",
        "Lebanon",
    )
    assert user.referred_by is None
    assert user.language == "en"
    assert user.is_email_verified is False
    assert user.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert [m.to for m in mail.outbox] == [["nour@example.com"]]
    assert mail.outbox[0].subject == "Confirm your email for Bursar"
    page = client.get(reverse("portal:home"))
    assert "portal/dashboard.html" in [t.name for t in page.templates]
    assert messages_of(page) == ["Welcome! We sent a link to nour@example.com: open it to confirm your email address."]
    assert page.context["user"] == user


def test_signup_in_arabic_saves_arabic_and_sends_arabic_email(client_ar, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_ar.post(SIGNUP, signup_data())
    assert response.status_code == 302
    assert User.objects.get().language == "ar"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert mail.outbox[0].subject == "أكّد بريدك الإلكتروني في Bursar"


def test_referral_link_prefills_the_code(client):
    referrer = UserFactory()
    response = client.get(reverse("portal:signup_referral", kwargs={"code": referrer.referral_code}))
    assert response.status_code == 200
    assert response.context["form"]["referral_code"].value() == referrer.referral_code
    assert f'value="{referrer.referral_code}"' in response.content.decode()


def test_ref_query_parameter_prefills_the_code(client):
    response = client.get(SIGNUP, {"ref": "ABCD2345"})
    assert response.context["form"]["referral_code"].value() == "ABCD2345"


def test_signup_through_referral_link_sets_referred_by(client):
    referrer = UserFactory()
    url = reverse("portal:signup_referral", kwargs={"code": referrer.referral_code})
    response = client.post(url, signup_data(referral_code=referrer.referral_code))
    assert response.status_code == 302
    assert User.objects.get(email="nour@example.com").referred_by == referrer


def test_referral_code_is_case_insensitive(client):
    referrer = UserFactory()
    response = client.post(SIGNUP, signup_data(referral_code=f" {referrer.referral_code.lower()} "))
    assert response.status_code == 302
    assert User.objects.get(email="nour@example.com").referred_by == referrer


def test_signup_records_one_event(client):
    client.post(SIGNUP, signup_data())
    user = User.objects.get()
    assert list(UserEvent.objects.values_list("user", "kind", "data")) == [
        (user.pk, "signed_up", {"referred_by": None})
    ]


PASSWORD_TOO_WEAK = (
    "This password is too short. It must contain at least 8 characters. "
    "This password is too common. This password is entirely numeric."
)
REFUSED = [
    pytest.param(
        {"referral_code": "NOPE2345"}, {"referral_code": ["This referral code does not exist."]}, id="unknown-code"
    ),
    pytest.param(
        {"email": "TAKEN@Example.COM"}, {"email": ["An account with this email already exists."]}, id="duplicate-email"
    ),
    pytest.param({"password1": "1234", "password2": "1234"}, {"password1": [PASSWORD_TOO_WEAK]}, id="weak-password"),
    pytest.param(
        {"password1": "nour@example.com", "password2": "nour@example.com"},
        {"password1": ["The password is too similar to the email address."]},
        id="password-like-email",
    ),
    pytest.param({"password2": "Sturdy-Pass-94"}, {"password2": ["The two passwords do not match."]}, id="mismatch"),
    pytest.param(
        {"phone": "call me"},
        {"phone": ["Enter a phone number: digits, spaces, dashes, optional leading +."]},
        id="phone",
    ),
    pytest.param({"email": "not-an-email"}, {"email": ["Enter a valid email address."]}, id="email-format"),
    pytest.param({"email": ""}, {"email": ["This field is required."]}, id="email-missing"),
    pytest.param({"password1": ""}, {"password1": ["This field is required."]}, id="password-missing"),
    pytest.param(
        {"first_name": "N" * 151},
        {"first_name": ["Ensure this value has at most 150 characters (it has 151)."]},
        id="long-first-name",
    ),
    pytest.param(
        {"country": "C" * 101},
        {"country": ["Ensure this value has at most 100 characters (it has 101)."]},
        id="long-country",
    ),
    pytest.param(
        {"referral_code": "A" * 33},
        {"referral_code": ["Ensure this value has at most 32 characters (it has 33)."]},
        id="long-code",
    ),
    pytest.param(
        {"email": "a" * 250 + "@example.com"},
        {"email": ["Ensure this value has at most 254 characters (it has 262)."]},
        id="long-email",
    ),
]


@pytest.mark.parametrize(("overrides", "errors"), REFUSED)
def test_refused_signup_shows_the_error_and_changes_nothing(client, unchanged_db, overrides, errors):
    UserFactory(email="taken@example.com")
    with unchanged_db():
        response = client.post(SIGNUP, signup_data(**overrides))
    assert response.status_code == 200
    assert form_errors(response) == errors
    assert "_auth_user_id" not in client.session
    assert mail.outbox == []


def test_own_referral_code_is_refused(client, unchanged_db):
    referrer = UserFactory(email="self@example.com")
    with unchanged_db():
        response = client.post(SIGNUP, signup_data(email="SELF@example.com", referral_code=referrer.referral_code))
    assert response.status_code == 200
    assert form_errors(response) == {"referral_code": ["You cannot use your own referral code."]}


def test_code_of_deactivated_user_is_refused(client, unchanged_db):
    referrer = UserFactory(is_active=False)
    with unchanged_db():
        response = client.post(SIGNUP, signup_data(referral_code=referrer.referral_code))
    assert form_errors(response) == {"referral_code": ["This referral code does not exist."]}


def test_refused_signup_in_arabic_shows_arabic_error(client_ar, unchanged_db):
    with unchanged_db():
        response = client_ar.post(SIGNUP, signup_data(referral_code="NOPE2345"))
    assert form_errors(response) == {"referral_code": ["رمز الإحالة هذا غير موجود."]}
    assert "رمز الإحالة هذا غير موجود." in response.content.decode()


def test_error_message_is_rendered_on_the_field(client, unchanged_db):
    with unchanged_db():
        response = client.post(SIGNUP, signup_data(password2="Other-Pass-11"))
    html = response.content.decode()
    assert '<ul class="field-errors" id="id_password2_error">' in html
    assert 'aria-invalid="true"' in html
    assert "The two passwords do not match." in html


def test_signed_in_user_is_sent_to_the_dashboard(investor_client):
    response = investor_client.get(SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_referral_link_with_a_known_code_says_so(client):
    referrer = UserFactory()
    response = client.get(reverse("portal:signup_referral", kwargs={"code": referrer.referral_code.lower()}))
    assert (
        f'You were invited with the referral code <strong dir="ltr">{referrer.referral_code}</strong>.'
        in response.content.decode()
    )


def test_referral_link_with_an_unknown_code_prefills_but_claims_nothing(client):
    response = client.get(reverse("portal:signup_referral", kwargs={"code": "NOPE2345"}))
    assert response.status_code == 200
    assert response.context["form"]["referral_code"].value() == "NOPE2345"
    assert "You were invited" not in response.content.decode()


def test_referral_code_from_the_url_is_escaped(client):
    response = client.get(SIGNUP, {"ref": '"><script>alert(1)</script>'})
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
