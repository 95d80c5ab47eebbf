"""Input and output shapes of the auth and profile API. Parsing only: every rule is a service."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.accounts.models import KycStatus, Language, User
from apps.common.api.serializers import (
    IdField,
    MoneyField,
    OutputSerializer,
    StrictBooleanField,
    StrictCharField,
    StrictEmailField,
    StrictSerializer,
)

ROLE_CHOICES = [("customer", "customer"), ("admin", "admin")]


def _password_field(**kwargs) -> StrictCharField:
    return StrictCharField(
        write_only=True, trim_whitespace=False, max_length=128, style={"input_type": "password"}, **kwargs
    )


def _text_field(model_field: str, **kwargs) -> StrictCharField:
    max_length = User._meta.get_field(model_field).max_length
    return StrictCharField(required=False, allow_blank=True, max_length=max_length, **kwargs)


# --- Output ------------------------------------------------------------------------------------


class UsernameField(serializers.CharField):
    """The username, or "" when there is none (as the original system sent it; never null)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, help_text='The username, or "" when the account has none.', **kwargs)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        return "" if value is None else value


class _BalanceField(MoneyField):
    """One figure of ``selectors.user_balances_get``, handed in through the context."""

    def __init__(self, attribute: str, **kwargs):
        self.balance_attribute = attribute
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return super().to_representation(getattr(self.context["balances"], self.balance_attribute))


class ProfileSerializer(OutputSerializer):
    """The caller's profile. Money is a string with 2 decimals."""

    # Needs ``context={"balances": selectors.user_balances_get(user=…)}``.

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    username = UsernameField()
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    language = serializers.ChoiceField(choices=Language.choices, read_only=True)
    referral_code = serializers.CharField(read_only=True)
    balance = _BalanceField("available", help_text="Available to invest or withdraw.")
    balance_held = _BalanceField("held", help_text="Held for pending withdrawals.")
    balance_invested = _BalanceField("invested", help_text="Principal in running investments.")
    is_verified = serializers.BooleanField(source="is_email_verified", read_only=True, help_text="Email verified.")
    is_kyc_verified = serializers.BooleanField(read_only=True)
    kyc_status = serializers.ChoiceField(choices=KycStatus.choices, read_only=True)
    role = serializers.ChoiceField(choices=ROLE_CHOICES, read_only=True, help_text="`admin` for staff.")
    created_at = serializers.DateTimeField(source="date_joined", read_only=True)


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class SignupResponseSerializer(serializers.Serializer):
    message = serializers.CharField()
    user = ProfileSerializer()


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginResponseSerializer(TokenPairSerializer):
    user = ProfileSerializer()


# --- Input -------------------------------------------------------------------------------------


class SignupSerializer(StrictSerializer):
    email = StrictEmailField(max_length=User._meta.get_field("email").max_length)
    password = _password_field()
    password_confirm = _password_field()
    username = _text_field("username", allow_null=True)
    first_name = _text_field("first_name")
    last_name = _text_field("last_name")
    phone = _text_field("phone")
    country = _text_field("country")
    referral_code = StrictCharField(
        required=False, allow_blank=True, allow_null=True, max_length=32, help_text="The referrer's code (any case)."
    )

    def validate(self, attrs):
        if attrs["password"] != attrs["password_confirm"]:
            raise serializers.ValidationError({"password_confirm": [_("The two passwords do not match.")]})
        return attrs


class LoginSerializer(StrictSerializer):
    email = StrictCharField(max_length=254, help_text="The account's email or username (any case).")
    password = _password_field()
    otp = StrictCharField(
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=32,
        help_text=(
            "Two-factor code: the 6-digit TOTP code of the account's authenticator app, or one of its "
            "one-time recovery codes. Required for staff, and for investors who set up an authenticator app."
        ),
    )


class RefreshSerializer(StrictSerializer):
    refresh = StrictCharField()


class LogoutSerializer(StrictSerializer):
    refresh = StrictCharField(
        required=False, help_text="The refresh token to revoke; without it, every refresh token of the caller is."
    )


class TokenSerializer(StrictSerializer):
    token = StrictCharField(max_length=1024)


class PasswordForgotSerializer(StrictSerializer):
    email = StrictEmailField(max_length=254)


class PasswordResetSerializer(StrictSerializer):
    token = StrictCharField(max_length=1024)
    new_password = _password_field()


class PasswordChangeSerializer(StrictSerializer):
    old_password = _password_field()
    new_password = _password_field()


class ProfileUpdateSerializer(StrictSerializer):
    """Only these six fields; email, codes, balances, KYC and staff flags are refused by name."""

    unknown_field_message = _("This field cannot be changed.")
    unknown_field_code = "field_not_editable"

    username = _text_field("username", allow_null=True)
    first_name = _text_field("first_name")
    last_name = _text_field("last_name")
    phone = _text_field("phone")
    country = _text_field("country")
    language = serializers.ChoiceField(choices=Language.choices, required=False)


# --- Staff: the users list and its changes -----------------------------------------------------


class AdminUserSerializer(serializers.Serializer):
    """A user as staff see them: the original API's user fields, the balances, KYC status and
    the account's flags. Needs a queryset from ``selectors.user_list_for_staff`` (balances)."""

    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    username = UsernameField()
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True, help_text="First and last name, or empty.")
    phone = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    language = serializers.ChoiceField(choices=Language.choices, read_only=True)
    referral_code = serializers.CharField(read_only=True)
    referred_by = serializers.IntegerField(
        source="referred_by_id", read_only=True, allow_null=True, help_text="The referrer's id."
    )
    balance = MoneyField(source="balance_available", read_only=True, help_text="Available to invest or withdraw.")
    balance_held = MoneyField(read_only=True, help_text="Held for pending withdrawals.")
    balance_invested = MoneyField(read_only=True, help_text="Principal in running investments.")
    is_verified = serializers.BooleanField(source="is_email_verified", read_only=True, help_text="Email verified.")
    is_kyc_verified = serializers.BooleanField(read_only=True)
    kyc_status = serializers.ChoiceField(choices=KycStatus.choices, read_only=True)
    is_active = serializers.BooleanField(read_only=True, help_text="False once deactivated (never deleted).")
    is_staff = serializers.BooleanField(read_only=True)
    is_superuser = serializers.BooleanField(read_only=True)
    role = serializers.ChoiceField(choices=ROLE_CHOICES, read_only=True, help_text="`admin` for staff.")
    created_at = serializers.DateTimeField(source="date_joined", read_only=True)
    last_login = serializers.DateTimeField(read_only=True, allow_null=True)


class AdminUserMessageSerializer(serializers.Serializer):
    message = serializers.CharField()
    user = AdminUserSerializer()


class QueryBooleanField(serializers.BooleanField):
    """A boolean in a query string, as OpenAPI writes one: ``true`` or ``false`` (not DRF's ``1``,
    ``yes``, ``on`` or ``True``, which the schema does not admit); left out or empty means
    "either" (DRF reads a missing box as false)."""

    default_empty_html = serializers.empty

    def to_internal_value(self, data):
        if data not in ("true", "false"):
            self.fail("invalid", input=data)
        return data == "true"


class AdminUserFilterSerializer(serializers.Serializer):
    search = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=254,
        help_text="Part of the email, username, first or last name or phone; the exact referral code; or the id.",
    )
    is_active = QueryBooleanField(required=False, help_text="`true`: active users only; `false`: deactivated only.")
    role = serializers.ChoiceField(
        choices=ROLE_CHOICES, required=False, help_text="`customer`: investors only; `admin`: staff only."
    )


def _user_id_field() -> IdField:
    return IdField(help_text="The user's id.")


class AdminUserChangeSerializer(StrictSerializer):
    """The changes staff may make: profile fields and ``is_active``. Anything else (email,
    balances, KYC, referral code, roles and staff flags) is refused by name and nothing changes."""

    unknown_field_message = _("This field cannot be changed.")
    unknown_field_code = "field_not_editable"

    username = _text_field("username", allow_null=True)
    first_name = _text_field("first_name")
    last_name = _text_field("last_name")
    phone = _text_field("phone")
    country = _text_field("country")
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    is_active = StrictBooleanField(
        required=False, help_text="`false` deactivates (needs `accounts.deactivate_user`), `true` reactivates."
    )


class AdminUserUpdateSerializer(AdminUserChangeSerializer):
    user_id = _user_id_field()


class AdminUserDeleteSerializer(StrictSerializer):
    user_id = _user_id_field()


class EmptySerializer(StrictSerializer):
    """No body (any key is refused)."""
