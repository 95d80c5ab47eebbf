"""The back office's two-factor forms: the sign-in form with its code field, and the code form of
the enrolment and code-step pages. Parsing only; the checks are ``mfa.services``."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from unfold.forms import AuthenticationForm
from unfold.widgets import BASE_INPUT_CLASSES

from apps.accounts.mfa import selectors, services
from apps.accounts.mfa.middleware import login_verified_note
from apps.common.errors import ApplicationError

CODE_MAX_LENGTH = 32


def _code_widget(*, autofocus: bool = False) -> forms.TextInput:
    attrs = {"autocomplete": "one-time-code", "class": " ".join(BASE_INPUT_CLASSES), "spellcheck": "false"}
    if autofocus:
        attrs["autofocus"] = ""
    return forms.TextInput(attrs=attrs)


class AdminLoginForm(AuthenticationForm):
    """unfold's sign-in form plus the code, checked in the same post as the password: django-axes
    resets an account's failures on a successful sign-in, so a password accepted on its own before
    the code would let every wrong code be forgotten. A staff member without a device signs in with
    the password alone and is sent to enrolment."""

    otp = forms.CharField(
        label=_("Authentication code"),
        required=False,
        max_length=CODE_MAX_LENGTH,
        widget=_code_widget(),
        help_text=_(
            "The 6-digit code from your authenticator app, or a recovery code. The first time, leave it "
            "empty: you set up the app next."
        ),
    )

    def clean(self):
        cleaned = super().clean()  # the password (failures counted by django-axes) and staff status
        user = self.get_user()
        if user is None or not selectors.mfa_enrolled(user=user):
            return cleaned
        if not cleaned.get("otp"):
            raise ValidationError(_("Enter the code from your authenticator app."), code="otp_required")
        try:
            device = services.mfa_code_check(request=self.request, user=user, code=cleaned["otp"])
        except ApplicationError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        if device is None:
            raise ValidationError(_("This code is not valid."), code="otp_invalid")
        user.otp_device = device  # django-otp binds it to the new session at sign-in
        login_verified_note(request=self.request)
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=CODE_MAX_LENGTH, widget=_code_widget(autofocus=True))
