"""Account forms of the portal: they parse and shape input; every rule with meaning is checked by a service."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.portal.forms.common import ServiceErrorFormMixin
from apps.portal.forms.common import ltr as _ltr


def _max_length(name: str) -> int:
    return User._meta.get_field(name).max_length


class TelInput(forms.TextInput):
    input_type = "tel"


class PasswordPairMixin:
    """Two password boxes that must match; strength is the service's call."""

    password_pair = ("password1", "password2")

    def clean(self):
        cleaned_data = super().clean()
        first, second = (cleaned_data.get(name) for name in self.password_pair)
        if first and second and first != second:
            self.add_error(self.password_pair[1], _("The two passwords do not match."))
        return cleaned_data


def _password_field(label, autocomplete: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        help_text=help_text,
        widget=forms.PasswordInput(attrs=_ltr(autocomplete=autocomplete)),
    )


_NEW_PASSWORD_HELP = _("At least 8 characters; not only digits, not a common password, not like your email.")


class SignupForm(ServiceErrorFormMixin, PasswordPairMixin, forms.Form):
    service_field_names = {"password": "password1"}

    email = forms.EmailField(
        label=_("Email address"),
        max_length=_max_length("email"),
        widget=forms.EmailInput(attrs=_ltr(autocomplete="email", autofocus=True)),
    )
    password1 = _password_field(_("Password"), "new-password", _NEW_PASSWORD_HELP)
    password2 = _password_field(_("Password again"), "new-password")
    first_name = forms.CharField(
        label=_("First name"),
        required=False,
        max_length=_max_length("first_name"),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        required=False,
        max_length=_max_length("last_name"),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=_max_length("phone"),
        help_text=_("Digits, spaces and dashes, with an optional leading +."),
        widget=TelInput(attrs=_ltr(autocomplete="tel")),
    )
    country = forms.CharField(
        label=_("Country"),
        required=False,
        max_length=_max_length("country"),
        widget=forms.TextInput(attrs={"autocomplete": "country-name"}),
    )
    referral_code = forms.CharField(
        label=_("Referral code"),
        required=False,
        max_length=32,
        help_text=_("The code of the person who invited you, if someone did."),
        widget=forms.TextInput(attrs=_ltr(autocomplete="off", autocapitalize="characters", spellcheck="false")),
    )

    def service_arguments(self, *, language: str) -> dict:
        data = self.cleaned_data
        return {
            "email": data["email"],
            "password": data["password1"],
            "referral_code": data["referral_code"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "phone": data["phone"],
            "country": data["country"],
            "language": language,
        }


class LoginForm(AuthenticationForm):
    """Django's form, so ``authenticate(request, …)`` runs and django-axes counts failures."""

    error_messages = {
        "invalid_login": _("The email, username or password is wrong. Check them and try again."),
        "inactive": _("This account has been deactivated. Please contact support if you think this is a mistake."),
    }

    username = UsernameField(
        label=_("Email or username"),
        max_length=_max_length("email"),
        widget=forms.TextInput(attrs=_ltr(autocomplete="username", autofocus=True)),
    )
    password = _password_field(_("Password"), "current-password")


class PasswordForgotForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=_max_length("email"),
        widget=forms.EmailInput(attrs=_ltr(autocomplete="email", autofocus=True)),
    )


class PasswordResetForm(ServiceErrorFormMixin, PasswordPairMixin, forms.Form):
    service_field_names = {"new_password": "password1"}

    password1 = _password_field(_("New password"), "new-password", _NEW_PASSWORD_HELP)
    password2 = _password_field(_("New password again"), "new-password")


class PasswordChangeForm(ServiceErrorFormMixin, PasswordPairMixin, forms.Form):
    service_field_names = {"new_password": "password1"}

    old_password = _password_field(_("Current password"), "current-password")
    password1 = _password_field(_("New password"), "new-password", _NEW_PASSWORD_HELP)
    password2 = _password_field(_("New password again"), "new-password")


class ProfileForm(ServiceErrorFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        required=False,
        max_length=_max_length("username"),
        help_text=_("You can sign in with it instead of your email. 3 to 150 letters, digits and . + - _ only."),
        widget=forms.TextInput(attrs=_ltr(autocomplete="username", spellcheck="false")),
    )
    first_name = SignupForm.base_fields["first_name"]
    last_name = SignupForm.base_fields["last_name"]
    phone = SignupForm.base_fields["phone"]
    country = SignupForm.base_fields["country"]
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    @classmethod
    def for_user(cls, user: User, data=None) -> "ProfileForm":
        initial = {name: getattr(user, name) or "" for name in cls.base_fields}
        return cls(data=data, initial=initial)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
