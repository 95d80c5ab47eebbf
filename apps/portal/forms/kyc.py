"""The identity (KYC) form of the portal.

It only reads the request: every check (required fields, the date of birth and the age, the ID
type, each file's real type, size and soundness) is ``kyc_submission_create``'s, so a refusal
reads the same here and in the API and every wrong field is named at once. The fields are shown
as required where the service requires them, but the form itself never refuses a value.
"""

from django import forms
from django.conf import settings
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from apps.kyc.models import IdType
from apps.portal.forms.common import ServiceErrorFormMixin, ltr

ACCEPTED_TYPES = "image/jpeg,image/png,application/pdf"
TEXT_MAX_LENGTHS = {"full_name": 200, "country": 100, "id_number": 100}  # as the service allows


class ServiceCheckedMixin:
    """A field that parses but does not refuse an empty value: the service says what is missing."""

    def validate(self, value) -> None:
        if value in self.empty_values:
            return
        super().validate(value)


class ServiceCheckedCharField(ServiceCheckedMixin, forms.CharField):
    pass


class ServiceCheckedFileField(ServiceCheckedMixin, forms.FileField):
    def __init__(self, **kwargs) -> None:
        attrs = {"accept": ACCEPTED_TYPES}
        super().__init__(allow_empty_file=True, widget=forms.FileInput(attrs=attrs), **kwargs)


class DateOfBirthInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(attrs=ltr(autocomplete="bday"), format="%Y-%m-%d")


def _text_field(label, name: str, *, help_text="", **attrs) -> ServiceCheckedCharField:
    return ServiceCheckedCharField(
        label=label,
        help_text=help_text,
        widget=forms.TextInput(attrs={"maxlength": TEXT_MAX_LENGTHS[name], **attrs}),
    )


def _files_help() -> str:
    return _("JPEG, PNG or PDF, up to %(limit)s MB.") % {"limit": settings.KYC_MAX_UPLOAD_MB}


class KycSubmissionForm(ServiceErrorFormMixin, forms.Form):
    full_name = _text_field(
        _("Full name"), "full_name", help_text=_("As written on your identity document."), autocomplete="name"
    )
    date_of_birth = ServiceCheckedCharField(label=_("Date of birth"), widget=DateOfBirthInput())
    country = _text_field(
        _("Country"), "country", help_text=_("The country that issued your document."), autocomplete="country-name"
    )
    id_type = ServiceCheckedCharField(
        label=_("Document type"),
        widget=forms.Select(choices=[("", _("Choose the document type")), *IdType.choices]),
    )
    id_number = _text_field(
        _("Document number"), "id_number", **ltr(autocomplete="off", autocapitalize="characters", spellcheck="false")
    )
    id_front_image = ServiceCheckedFileField(label=_("Front of the document"))
    id_back_image = ServiceCheckedFileField(
        label=_("Back of the document"),
        required=False,
        help_text=_("Needed for national ID cards and driving licences; a passport has no back side."),
    )
    selfie_image = ServiceCheckedFileField(
        label=_("Selfie"), help_text=_("A clear photo of your face holding the document next to it.")
    )

    FILE_FIELDS = ("id_front_image", "id_back_image", "selfie_image")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.FILE_FIELDS:  # the limit is read per request, so a settings change shows at once
            field = self.fields[name]
            field.help_text = f"{field.help_text} {_files_help()}".strip()

    @classmethod
    def for_user(cls, user, *, data=None, files=None) -> "KycSubmissionForm":
        """Bound to the request on a POST; otherwise prefilled with the name and country of the profile."""
        initial = {"full_name": user.full_name, "country": user.country}
        return cls(data=data, files=files, initial=initial)

    def clean_date_of_birth(self):
        """A date when the text is one; ``None`` for an impossible one such as 1990-02-30, which the
        service then refuses with the expected format (rather than failing on it)."""
        value = self.cleaned_data["date_of_birth"]
        try:
            return parse_date(value) or value
        except ValueError:
            return None

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}
