import pytest
from django.core import mail

from apps.accounts import services, tokens
from apps.accounts.models import REFERRAL_CODE_ALPHABET, KycStatus, User, UserEvent
from apps.common.errors import ApplicationError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signup(**overrides):
    data = {"email": "new@example.com", "password": "Sturdy-Pass-93", "first_name": "Nour"}
    data.update(overrides)
    return services.user_signup(**data)


def test_signup_without_code_creates_user_with_fresh_code(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = signup()
    assert user.referred_by is None
    assert len(user.referral_code) == 8
    assert set(user.referral_code) <= set(REFERRAL_CODE_ALPHABET)
    assert user.is_email_verified is False
    assert user.kyc_status == KycStatus.NOT_SUBMITTED
    assert list(UserEvent.objects.filter(user=user).values_list("kind", flat=True)) == ["signed_up"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.com"]


def test_signup_with_code_any_case_links_referrer():
    referrer = UserFactory()
    user = signup(referral_code=f"  {referrer.referral_code.lower()} ")
    assert user.referred_by == referrer


@pytest.mark.parametrize("code", ["NOPE2345", "ZZZZZZZZ"])
def test_signup_with_unknown_code_is_refused_and_changes_nothing(code, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        signup(referral_code=code)
    assert error.value.code == "referral_code_invalid"
    assert error.value.field == "referral_code"


def test_duplicate_email_in_other_case_is_refused(unchanged_db):
    UserFactory(email="taken@example.com")
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        signup(email="TAKEN@Example.COM")
    assert error.value.code == "email_taken"


def test_weak_password_is_refused(unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        signup(password="1")
    assert error.value.code == "password_invalid"


def test_verify_email_token_roundtrip():
    user = UserFactory(is_email_verified=False)
    token = tokens.email_verification_token_make(user=user)
    services.user_email_verify(token=token)
    user.refresh_from_db()
    assert user.is_email_verified is True


def test_verify_email_bad_token_changes_nothing(unchanged_db):
    UserFactory(is_email_verified=False)
    with unchanged_db(), pytest.raises(ApplicationError):
        services.user_email_verify(token="garbage")


def test_password_reset_token_is_single_use(password):
    user = UserFactory()
    token = tokens.password_reset_token_make(user=user)
    services.password_reset_confirm(token=token, new_password="Another-Strong-77")
    user.refresh_from_db()
    assert user.check_password("Another-Strong-77")
    with pytest.raises(ApplicationError) as error:
        services.password_reset_confirm(token=token, new_password="Third-Strong-pass-88")
    assert error.value.code == "token_invalid"


def test_profile_update_refuses_privileged_fields(unchanged_db):
    user = UserFactory()
    for field in ("email", "is_staff", "referral_code", "kyc_status", "balance", "role"):
        with unchanged_db(), pytest.raises(ApplicationError) as error:
            services.user_profile_update(user=user, fields={field: "x"})
        assert error.value.code == "field_not_editable"


def test_username_unique_case_insensitively(unchanged_db):
    UserFactory(username="Layla")
    other = UserFactory()
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.user_profile_update(user=other, fields={"username": "layla"})
    assert error.value.code == "username_taken"


def test_deactivate_records_event_and_revokes_tokens(superuser):
    user = UserFactory()
    issued = services.auth_tokens_issue(user=user)
    services.user_active_set(user=user, is_active=False, actor=superuser)
    user.refresh_from_db()
    assert user.is_active is False
    assert UserEvent.objects.filter(user=user, kind="deactivated", actor=superuser).count() == 1
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

    assert BlacklistedToken.objects.filter(token__jti__isnull=False, token__user=user).count() == 1
    assert issued["refresh"]


def test_createsuperuser_manager_path():
    admin = User.objects.create_superuser(email="Boss@Example.com", password="Sturdy-Pass-93")
    assert admin.is_staff and admin.is_superuser
    assert admin.email == "Boss@example.com"


def test_password_reset_revokes_api_refresh_tokens():
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

    user = UserFactory()
    services.auth_tokens_issue(user=user)
    services.auth_tokens_issue(user=user)
    services.password_reset_confirm(token=tokens.password_reset_token_make(user=user), new_password="Another-Strong-77")
    assert BlacklistedToken.objects.filter(token__user=user).count() == 2
