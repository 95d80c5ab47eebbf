"""Two-factor forms of the portal: one code box (an authenticator app's 6-digit code or a recovery
code). The checks are ``apps.accounts.mfa``'s."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.portal.forms.common import ServiceErrorFormMixin
from apps.portal.forms.common import ltr as _ltr

CODE_MAX_LENGTH = 32


class CodeForm(ServiceErrorFormMixin, forms.Form):
    service_code_fields = {"otp_invalid": "code", "login_locked": "code", "mfa_enrolment_missing": "code"}

    code = forms.CharField(
        label=_("Authentication code"),
        max_length=CODE_MAX_LENGTH,
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs=_ltr(autocomplete="one-time-code", spellcheck="false", autocapitalize="off")),
    )

    def __init__(self, *args, autofocus: bool = False, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields["code"].widget.attrs["autofocus"] = True
        if help_text is not None:
            self.fields["code"].help_text = help_text
