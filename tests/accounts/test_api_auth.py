"""The auth API: sign-up, login with lock-out, tokens, email verification, passwords."""

import re

import pytest
from axes.utils import reset
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts import tokens
from apps.accounts.models import User, UserEvent
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/api/auth/signup/"
LOGIN = "/api/auth/login/"
LOGOUT = "/api/auth/logout/"
REFRESH = "/api/auth/token/refresh/"
VERIFY = "/api/auth/verify-email/"
FORGOT = "/api/auth/forgot-password/"
RESET = "/api/auth/reset-password/"
CHANGE = "/api/auth/change-password/"
PROFILE = "/api/users/profile/"
STRONG = "Sturdy-Pass-93"
NEW_PASSWORD = "Another-Strong-77"
SIGNUP_MESSAGE = "Account created. Check your inbox to confirm your email address."
FORGOT_MESSAGE = "If an account uses this address, we have sent it a link to reset the password."
INVALID_CREDENTIALS = {"detail": "Invalid credentials", "code": "invalid_credentials"}
LOCKED = {"detail": "Too many failed sign-in attempts. Try again in 15 minutes.", "code": "login_locked"}
PRIVILEGE_FIELDS = [
    "role",
    "is_staff",
    "is_superuser",
    "is_active",
    "is_kyc_verified",
    "is_verified",
    "is_email_verified",
    "kyc_status",
    "balance",
    "balance_held",
    "balance_invested",
    "referred_by",
    "id",
    "date_joined",
    "groups",
    "user_permissions",
    "last_login",
]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def signup_payload(**overrides) -> dict:
    data = {"email": "new@example.com", "password": STRONG, "password_confirm": STRONG, "first_name": "Nour"}
    data.update(overrides)
    return data


def login(client: APIClient, identifier: str, password: str = DEFAULT_PASSWORD):
    return client.post(LOGIN, {"email": identifier, "password": password}, format="json")


def emailed_token(route: str) -> str:
    """The token in the link of the only email sent."""
    assert len(mail.outbox) == 1
    prefix = settings.SITE_URL + reverse(route, kwargs={"token": "TOKEN"}).split("TOKEN")[0]
    match = re.search(re.escape(prefix) + r"([^/\s]+)/", mail.outbox[0].body)
    assert match is not None, mail.outbox[0].body
    return match.group(1)


# --- Sign-up -----------------------------------------------------------------------------------


def test_signup_without_referral_code_creates_user_and_sends_one_email(api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(SIGNUP, signup_payload(last_name="Haddad", phone="+971 50 123 4567"), format="json")

    assert response.status_code == 201
    user = User.objects.get(email="new@example.com")
    assert response.json() == {
        "message": SIGNUP_MESSAGE,
        "user": {
            "id": user.pk,
            "email": "new@example.com",
            "username": "",
            "first_name": "Nour",
            "last_name": "Haddad",
            "phone": "+971 50 123 4567",
            "country": "",
            "language": "en",
            "referral_code": user.referral_code,
            "balance": "0.00",
            "balance_held": "0.00",
            "balance_invested": "0.00",
            "is_verified": False,
            "is_kyc_verified": False,
            "kyc_status": "not_submitted",
            "role": "customer",
            "created_at": user.date_joined.isoformat().replace("+00:00", "Z"),
        },
    }
    assert user.check_password(STRONG)
    assert user.referred_by is None
    assert user.is_staff is False
    assert user.is_superuser is False
    assert list(user.events.values_list("kind", flat=True)) == [UserEvent.Kind.SIGNED_UP]
    assert [message.to for message in mail.outbox] == [["new@example.com"]]


def test_signup_with_referral_code_in_lower_case_links_referrer(api_client):
    referrer = UserFactory()

    response = api_client.post(SIGNUP, signup_payload(referral_code=referrer.referral_code.lower()), format="json")

    assert response.status_code == 201
    assert User.objects.get(email="new@example.com").referred_by == referrer


def test_signup_with_username_and_blank_referral_code(api_client):
    response = api_client.post(SIGNUP, signup_payload(username="nour.h", referral_code=""), format="json")

    assert response.status_code == 201
    assert response.json()["user"]["username"] == "nour.h"
    assert User.objects.get(email="new@example.com").referred_by is None


def test_signup_with_unknown_referral_code_is_refused(api_client, unchanged_db):
    UserFactory(referral_code="ABCDEFGH")
    with unchanged_db():
        response = api_client.post(SIGNUP, signup_payload(referral_code="ZZZZZZZZ"), format="json")

    assert response.status_code == 400
    message = "This referral code does not exist."
    assert response.json() == {"detail": message, "code": "referral_code_invalid", "referral_code": [message]}


def test_signup_with_own_referral_code_is_refused(api_client, unchanged_db):
    referrer = UserFactory(email="self@example.com")
    with unchanged_db():
        response = api_client.post(
            SIGNUP, signup_payload(email="SELF@example.com", referral_code=referrer.referral_code), format="json"
        )

    assert response.status_code == 400
    message = "You cannot use your own referral code."
    assert response.json() == {"detail": message, "code": "referral_code_invalid", "referral_code": [message]}


def test_signup_with_email_taken_in_another_case_is_refused(api_client, unchanged_db):
    UserFactory(email="taken@example.com")
    with unchanged_db():
        response = api_client.post(SIGNUP, signup_payload(email="TAKEN@Example.COM"), format="json")

    assert response.status_code == 400
    message = "An account with this email already exists."
    assert response.json() == {"detail": message, "code": "email_taken", "email": [message]}


def test_signup_with_username_taken_in_another_case_is_refused(api_client, unchanged_db):
    UserFactory(username="nour.h")
    with unchanged_db():
        response = api_client.post(SIGNUP, signup_payload(username="NOUR.H"), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "This username is taken.",
        "code": "username_taken",
        "username": ["This username is taken."],
    }


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (
            "1",
            "This password is too short. It must contain at least 8 characters. This password is too common. "
            "This password is entirely numeric.",
        ),
        ("password", "This password is too common."),
        ("new@example.com", "The password is too similar to the email address."),
    ],
)
def test_signup_with_weak_password_is_refused(api_client, unchanged_db, password, message):
    with unchanged_db():
        response = api_client.post(SIGNUP, signup_payload(password=password, password_confirm=password), format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": message, "code": "password_invalid", "password": [message]}


def test_signup_with_mismatched_passwords_is_refused(api_client, unchanged_db):
    with unchanged_db():
        response = api_client.post(SIGNUP, signup_payload(password_confirm="Sturdy-Pass-94"), format="json")

    assert response.status_code == 400
    assert response.json() == {"password_confirm": ["The two passwords do not match."]}


@pytest.mark.parametrize("field", PRIVILEGE_FIELDS)
@pytest.mark.parametrize("value", [True, "admin", "1000.00", 1])
def test_signup_refuses_every_privilege_field(api_client, unchanged_db, field, value):
    with unchanged_db():
        response = api_client.post(SIGNUP, signup_payload(**{field: value}), format="json")

    assert response.status_code == 400
    assert response.json() == {field: ["This field is not allowed."]}


def test_signup_refuses_several_unknown_fields_by_name(api_client, unchanged_db):
    with unchanged_db():
        response = api_client.post(SIGNUP, signup_payload(is_staff=True, balance="9999.00"), format="json")

    assert response.status_code == 400
    assert response.json() == {"balance": ["This field is not allowed."], "is_staff": ["This field is not allowed."]}


def test_signup_with_malformed_json_is_refused(api_client, unchanged_db):
    with unchanged_db():
        response = api_client.post(SIGNUP, '{"email": "new@example.com",', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["detail"].startswith("JSON parse error")


def test_signup_with_form_encoding_is_refused(api_client, unchanged_db):
    with unchanged_db():
        response = api_client.post(SIGNUP, signup_payload())

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_signup_with_no_fields_names_the_required_ones(api_client, unchanged_db):
    with unchanged_db():
        response = api_client.post(SIGNUP, {}, format="json")

    assert response.status_code == 400
    required = ["This field is required."]
    assert response.json() == {"email": required, "password": required, "password_confirm": required}


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"email": 12345}, {"email": ["Enter a valid email address."]}),
        ({"email": ["new@example.com"]}, {"email": ["Enter a valid email address."]}),
        ({"email": {"address": "new@example.com"}}, {"email": ["Enter a valid email address."]}),
        ({"email": None}, {"email": ["This field may not be null."]}),
        ({"email": "not-an-email"}, {"email": ["Enter a valid email address."]}),
        (
            {"password": 12345678, "password_confirm": 12345678},
            {"password": ["Not a valid string."], "password_confirm": ["Not a valid string."]},
        ),
        ({"first_name": 5}, {"first_name": ["Not a valid string."]}),
        ({"username": True}, {"username": ["Not a valid string."]}),
        ({"referral_code": 12345678}, {"referral_code": ["Not a valid string."]}),
        ({"first_name": "x" * 151}, {"first_name": ["Ensure this field has no more than 150 characters."]}),
    ],
)
def test_signup_with_wrong_types_is_refused(api_client, unchanged_db, overrides, errors):
    with unchanged_db():
        response = api_client.post(SIGNUP, signup_payload(**overrides), format="json")

    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.parametrize("body", ["[]", '"new@example.com"', "42", "null"])
def test_signup_with_a_body_that_is_not_an_object_is_refused(api_client, unchanged_db, body):
    with unchanged_db():
        response = api_client.post(SIGNUP, body, content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_signup_with_invalid_phone_is_refused_on_phone(api_client, unchanged_db):
    with unchanged_db():
        response = api_client.post(SIGNUP, signup_payload(phone="call me"), format="json")

    assert response.status_code == 400
    message = "Enter a phone number: digits, spaces, dashes, optional leading +."
    assert response.json() == {"detail": message, "code": "invalid", "phone": [message]}


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.bad", "Basic Zm9vOmJhcg=="])
def test_signup_ignores_a_stale_authorization_header(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.post(SIGNUP, signup_payload(), format="json")

    assert response.status_code == 201


def test_signup_is_throttled_per_client(api_client):
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth_signup": "2/minute"}}
    ):
        statuses = [
            api_client.post(SIGNUP, signup_payload(email=f"new{n}@example.com"), format="json").status_code
            for n in range(3)
        ]
        response = api_client.post(SIGNUP, signup_payload(email="late@example.com"), format="json")

    assert statuses == [201, 201, 429]
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert User.objects.filter(email="late@example.com").exists() is False


# --- Login -------------------------------------------------------------------------------------


def test_login_by_email_in_any_case_returns_tokens_and_profile(api_client, investor):
    assert investor.last_login is None

    response = login(api_client, f"  {investor.email.upper()} ")

    assert response.status_code == 200
    body = response.json()
    assert sorted(body) == ["access", "refresh", "user"]
    assert body["user"]["id"] == investor.pk
    assert body["user"]["email"] == investor.email
    investor.refresh_from_db()
    assert investor.last_login is not None
    profile = APIClient().get(PROFILE, HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert profile.status_code == 200
    assert profile.json()["id"] == investor.pk


def test_login_by_username_in_any_case(api_client):
    user = UserFactory(username="nour.h")

    response = login(api_client, "NOUR.H")

    assert response.status_code == 200
    assert response.json()["user"]["id"] == user.pk


@pytest.mark.parametrize("identifier", ["investor", "nobody@example.com", "ghost"])
def test_login_with_wrong_password_or_unknown_account_is_401(api_client, investor, unchanged_db, identifier):
    identifier = investor.email if identifier == "investor" else identifier
    with unchanged_db():
        response = login(api_client, identifier, "Wrong-Password-1")

    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS


def test_login_of_deactivated_account_with_right_password_is_403(api_client, unchanged_db):
    user = UserFactory(is_active=False)
    with unchanged_db():
        response = login(api_client, user.email)

    assert response.status_code == 403
    assert response.json() == {"detail": "This account is deactivated.", "code": "account_inactive"}


def test_login_locks_the_account_out_after_five_failures(api_client, investor, unchanged_db):
    statuses = [login(api_client, investor.email, f"Wrong-{n}").status_code for n in range(5)]

    with unchanged_db():
        right = login(api_client, investor.email)
        by_username_case = login(api_client, investor.email.upper())

    assert statuses == [401, 401, 401, 401, 429]
    assert right.status_code == 429
    assert right.json() == LOCKED
    assert by_username_case.status_code == 429
    investor.refresh_from_db()
    assert investor.last_login is None

    assert reset(username=investor.email) == 1
    assert login(api_client, investor.email).status_code == 200


def test_login_lock_out_counts_per_account_whatever_identifier_is_typed(api_client):
    user = UserFactory(username="nour.h")
    for identifier in ["nour.h", "NOUR.H", user.email, user.email.upper(), "Nour.H"]:
        login(api_client, identifier, "Wrong-password")

    response = login(api_client, user.email)

    assert response.status_code == 429
    assert response.json() == LOCKED


def test_login_success_resets_the_failure_count(api_client, investor):
    for _ in range(4):
        login(api_client, investor.email, "Wrong-password")
    assert login(api_client, investor.email).status_code == 200

    statuses = [login(api_client, investor.email, "Wrong-password").status_code for _ in range(4)]

    assert statuses == [401, 401, 401, 401]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"email": 12345, "password": DEFAULT_PASSWORD}, {"email": ["Not a valid string."]}),
        ({"email": ["a@example.com"], "password": DEFAULT_PASSWORD}, {"email": ["Not a valid string."]}),
        ({"email": "a@example.com", "password": None}, {"password": ["This field may not be null."]}),
        ({"email": "a@example.com"}, {"password": ["This field is required."]}),
        ({"email": "  ", "password": "x"}, {"email": ["This field may not be blank."]}),
        ({}, {"email": ["This field is required."], "password": ["This field is required."]}),
        ({"email": "a@example.com", "password": "x", "remember": True}, {"remember": ["This field is not allowed."]}),
    ],
)
def test_login_with_bad_input_is_400(api_client, unchanged_db, payload, errors):
    with unchanged_db():
        response = api_client.post(LOGIN, payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors


def test_login_with_malformed_json_is_400(api_client, unchanged_db):
    with unchanged_db():
        response = api_client.post(LOGIN, "{'email': 'x'}", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer "])
def test_login_ignores_a_stale_authorization_header(api_client, investor, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    assert login(api_client, investor.email).status_code == 200


def test_login_ignores_the_bearer_token_of_a_deactivated_user(api_client, investor):
    old = login(APIClient(), investor.email).json()["access"]
    investor.is_active = False
    investor.save(update_fields=["is_active"])
    other = UserFactory()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {old}")

    assert login(api_client, other.email).status_code == 200


def test_login_is_throttled_per_client(api_client, investor):
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth_login": "2/minute"}}
    ):
        statuses = [login(api_client, investor.email).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


# --- Tokens ------------------------------------------------------------------------------------


def test_token_refresh_rotates_the_pair(api_client, investor):
    tokens_ = login(api_client, investor.email).json()

    response = api_client.post(REFRESH, {"refresh": tokens_["refresh"]}, format="json")

    assert response.status_code == 200
    assert sorted(response.json()) == ["access", "refresh"]
    assert response.json()["refresh"] != tokens_["refresh"]
    profile = APIClient().get(PROFILE, HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert profile.status_code == 200


def test_reusing_a_rotated_refresh_token_is_401(api_client, investor):
    old = login(api_client, investor.email).json()["refresh"]
    assert api_client.post(REFRESH, {"refresh": old}, format="json").status_code == 200

    response = api_client.post(REFRESH, {"refresh": old}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Token is blacklisted", "code": "token_not_valid"}


@pytest.mark.parametrize(
    ("payload", "status"), [({"refresh": "garbage"}, 401), ({"refresh": 42}, 401), ({}, 400), ({"refresh": ["x"]}, 400)]
)
def test_token_refresh_with_bad_input_is_refused(api_client, unchanged_db, payload, status):
    with unchanged_db():
        response = api_client.post(REFRESH, payload, format="json")

    assert response.status_code == status


def test_token_refresh_for_a_deactivated_account_is_401(api_client, investor):
    refresh = login(api_client, investor.email).json()["refresh"]
    investor.is_active = False
    investor.save(update_fields=["is_active"])

    response = api_client.post(REFRESH, {"refresh": refresh}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "No active account found for the given token.", "code": "no_active_account"}


def test_token_refresh_ignores_a_stale_authorization_header(api_client, investor):
    refresh = login(api_client, investor.email).json()["refresh"]
    api_client.credentials(HTTP_AUTHORIZATION="Bearer garbage")

    assert api_client.post(REFRESH, {"refresh": refresh}, format="json").status_code == 200


def test_logout_revokes_the_refresh_token(api_client, investor):
    pair = login(api_client, investor.email).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")

    response = api_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": "Signed out."}
    refused = APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_not_valid"


@pytest.mark.parametrize("body", [None, {}])
def test_logout_without_a_refresh_token_revokes_every_one_of_the_callers(api_client, investor, body):
    """The original client logs out with no body: every session of the caller ends."""
    phone, laptop = login(APIClient(), investor.email).json(), login(APIClient(), investor.email).json()
    someone_else = login(APIClient(), UserFactory().email).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {phone['access']}")

    response = api_client.post(LOGOUT, body, format="json") if body is not None else api_client.post(LOGOUT)

    assert (response.status_code, response.json()) == (200, {"message": "Signed out."})
    for pair in (phone, laptop):
        refused = APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json")
        assert (refused.status_code, refused.json()["code"]) == (401, "token_not_valid")
    assert APIClient().post(REFRESH, {"refresh": someone_else["refresh"]}, format="json").status_code == 200


def test_logout_with_another_users_refresh_token_is_refused(investor_api, unchanged_db):
    other_refresh = login(APIClient(), UserFactory().email).json()["refresh"]
    with unchanged_db():
        response = investor_api.post(LOGOUT, {"refresh": other_refresh}, format="json")

    assert response.status_code == 400
    message = "This refresh token is invalid or expired."
    assert response.json() == {"detail": message, "code": "token_invalid", "refresh": [message]}
    assert APIClient().post(REFRESH, {"refresh": other_refresh}, format="json").status_code == 200


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"refresh": 7}, {"refresh": ["Not a valid string."]}),
        ({"refresh": None}, {"refresh": ["This field may not be null."]}),
    ],
)
def test_logout_with_bad_input_is_400(investor_api, unchanged_db, payload, errors):
    with unchanged_db():
        response = investor_api.post(LOGOUT, payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors


def test_logout_needs_authentication(api_client, investor, unchanged_db):
    refresh = login(APIClient(), investor.email).json()["refresh"]
    with unchanged_db():
        response = api_client.post(LOGOUT, {"refresh": refresh}, format="json")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}


# --- Email verification ------------------------------------------------------------------------


def test_verify_email_with_the_emailed_token(api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(SIGNUP, signup_payload(), format="json")
    token = emailed_token("portal:verify_email")

    response = api_client.post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": "Your email address is confirmed."}
    assert User.objects.get(email="new@example.com").is_email_verified is True


@pytest.mark.parametrize("token", ["garbage", "", "user"])
def test_verify_email_with_a_bad_token_is_refused(api_client, unchanged_db, token):
    user = UserFactory(is_email_verified=False)
    if token == "user":  # a reset token is not a verification token
        token = tokens.password_reset_token_make(user=user)
    with unchanged_db():
        response = api_client.post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 400
    if token == "":
        assert response.json() == {"token": ["This field may not be blank."]}
    else:
        message = "This verification link is invalid or has expired."
        assert response.json() == {"detail": message, "code": "token_invalid", "token": [message]}


# --- Passwords ---------------------------------------------------------------------------------


def test_forgot_password_for_unknown_email_answers_the_same_and_sends_nothing(
    api_client, investor, unchanged_db, django_capture_on_commit_callbacks
):
    with unchanged_db(), django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(FORGOT, {"email": "nobody@example.com"}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": FORGOT_MESSAGE}
    assert mail.outbox == []


def test_forgot_password_sends_one_email_and_the_token_resets_once(
    api_client, investor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(FORGOT, {"email": investor.email.upper()}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": FORGOT_MESSAGE}
    assert [message.to for message in mail.outbox] == [[investor.email]]
    token = emailed_token("portal:password_reset_confirm")

    reset_response = api_client.post(RESET, {"token": token, "new_password": NEW_PASSWORD}, format="json")

    assert reset_response.status_code == 200
    assert reset_response.json() == {"message": "Your password has been changed. You can sign in with it now."}
    assert login(api_client, investor.email, NEW_PASSWORD).status_code == 200
    assert login(api_client, investor.email).status_code == 401
    again = api_client.post(RESET, {"token": token, "new_password": "Third-Strong-88"}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "token_invalid"
    investor.refresh_from_db()
    assert investor.check_password(NEW_PASSWORD)


def test_forgot_password_for_deactivated_account_sends_nothing(api_client, django_capture_on_commit_callbacks):
    user = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(FORGOT, {"email": user.email}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": FORGOT_MESSAGE}
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"email": ["This field is required."]}),
        ({"email": 5}, {"email": ["Enter a valid email address."]}),
        ({"email": "x", "username": "x"}, {"username": ["This field is not allowed."]}),
    ],
)
def test_forgot_password_with_bad_input_is_400(api_client, unchanged_db, payload, errors):
    with unchanged_db():
        response = api_client.post(FORGOT, payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors


def test_forgot_password_is_throttled(api_client, investor):
    statuses = [api_client.post(FORGOT, {"email": investor.email}, format="json").status_code for _ in range(6)]

    assert statuses == [200, 200, 200, 200, 200, 429]


def test_reset_password_with_weak_password_is_refused(api_client, investor, unchanged_db):
    token = tokens.password_reset_token_make(user=investor)
    with unchanged_db():
        response = api_client.post(RESET, {"token": token, "new_password": "12345678"}, format="json")

    assert response.status_code == 400
    message = "This password is too common. This password is entirely numeric."
    assert response.json() == {"detail": message, "code": "password_invalid", "new_password": [message]}


def test_reset_password_with_garbage_token_is_refused(api_client, unchanged_db):
    with unchanged_db():
        response = api_client.post(RESET, {"token": "garbage", "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 400
    message = "This reset link is invalid or has expired."
    assert response.json() == {"detail": message, "code": "token_invalid", "token": [message]}


def test_change_password(investor_api, investor):
    response = investor_api.post(
        CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"message": "Your password has been changed."}
    investor.refresh_from_db()
    assert investor.check_password(NEW_PASSWORD)
    assert list(investor.events.values_list("kind", flat=True)) == [UserEvent.Kind.PASSWORD_CHANGED]


def test_change_password_with_wrong_old_password_is_refused(investor_api, unchanged_db):
    with unchanged_db():
        response = investor_api.post(CHANGE, {"old_password": "Wrong-1", "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 400
    message = "Your current password is wrong."
    assert response.json() == {"detail": message, "code": "password_wrong", "old_password": [message]}


def test_change_password_to_a_weak_one_is_refused(investor_api, unchanged_db):
    with unchanged_db():
        response = investor_api.post(CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": "abc"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "password_invalid"
    assert list(response.json()) == ["detail", "code", "new_password"]


def test_change_password_needs_authentication(api_client, unchanged_db):
    with unchanged_db():
        response = api_client.post(
            CHANGE, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
        )

    assert response.status_code == 401
