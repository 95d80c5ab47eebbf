"""Forms of the portal's messages and notices.

They only read the request: every rule (a subject and a message, their lengths, the category,
at most three files, each file's real type and size, the proof link's scheme, the sending rate)
is the messaging services', so a refusal reads the same here and in the API and every wrong
field is named at once. Lengths are also given to the browser (``maxlength``) as a courtesy.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.messaging.models import ThreadCategory
from apps.messaging.models.tasks import PROOF_LINK_MAX_LENGTH
from apps.messaging.models.threads import ATTACHMENTS_MAX, BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH
from apps.portal.forms.common import ServiceErrorFormMixin, ltr
from apps.portal.forms.kyc import ACCEPTED_TYPES, ServiceCheckedCharField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Every file chosen, as a list; the service checks how many there are and what they are."""

    widget = MultipleFileInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(widget=MultipleFileInput(attrs={"accept": ACCEPTED_TYPES}), **kwargs)

    def clean(self, data, initial=None) -> list:
        if not data:
            return []
        return [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]


def attachments_help() -> str:
    values = {"max": ATTACHMENTS_MAX, "limit": settings.KYC_MAX_UPLOAD_MB}
    return (
        ngettext(
            "Up to %(max)d file: JPEG, PNG or PDF, up to %(limit)s MB.",
            "Up to %(max)d files: JPEG, PNG or PDF, up to %(limit)s MB each.",
            ATTACHMENTS_MAX,
        )
        % values
    )


def _message_field() -> forms.CharField:
    return ServiceCheckedCharField(
        label=_("Message"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": BODY_MAX_LENGTH, "dir": "auto"}),
    )


class MessageFormMixin(ServiceErrorFormMixin):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # read per request, so a change of the limit shows at once
        self.fields["attachments"].help_text = attachments_help()

    @property
    def had_files(self) -> bool:
        """Files were sent with a refused form (they are not kept: the investor chooses them again)."""
        return bool(self.is_bound and self.files and self.files.getlist("attachments"))


class TicketForm(MessageFormMixin, forms.Form):
    subject = ServiceCheckedCharField(
        label=_("Subject"),
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": SUBJECT_MAX_LENGTH, "dir": "auto", "autocomplete": "off"}),
    )
    category = ServiceCheckedCharField(
        label=_("Topic"),
        widget=forms.Select(choices=ThreadCategory.choices),
    )
    message = _message_field()
    attachments = AttachmentsField(label=_("Attachments"))

    @classmethod
    def for_request(cls, request) -> "TicketForm":
        """Bound on a POST; otherwise with the topic named by ``?category=`` when it is one."""
        if request.method == "POST":
            return cls(data=request.POST, files=request.FILES)
        category = request.GET.get("category")
        return cls(initial={"category": category if category in ThreadCategory.values else ThreadCategory.OTHER})

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "subject": data.get("subject"),
            "category": data.get("category"),
            "body": data.get("message"),
            "attachments": data.get("attachments") or [],
        }


class ReplyForm(MessageFormMixin, forms.Form):
    message = _message_field()
    attachments = AttachmentsField(label=_("Attachments"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["message"].label = _("Your reply")

    def service_arguments(self) -> dict:
        return {"body": self.cleaned_data.get("message"), "attachments": self.cleaned_data.get("attachments") or []}


class ProofForm(ServiceErrorFormMixin, forms.Form):
    link = ServiceCheckedCharField(
        label=_("Link to your proof"),
        help_text=_("The address of your post or profile, starting with https://."),
        widget=forms.URLInput(
            attrs=ltr(maxlength=PROOF_LINK_MAX_LENGTH, placeholder="https://", autocomplete="off", spellcheck="false")
        ),
    )
    service_field_names = {"submitted_link": "link"}

    def service_arguments(self) -> dict:
        return {"link": self.cleaned_data.get("link")}


class NotificationPreferencesForm(ServiceErrorFormMixin, forms.Form):
    """Which optional emails the investor wants (security and account emails always go)."""

    email_support = forms.BooleanField(label=_("Replies from support"), required=False)
    email_tasks = forms.BooleanField(label=_("New tasks and their review"), required=False)
    email_announcements = forms.BooleanField(label=_("Announcements"), required=False)
    email_money = forms.BooleanField(
        label=_("Money events: deposits, withdrawals, investments and referral rewards"), required=False
    )

    @classmethod
    def for_preferences(cls, preference, *, data=None) -> "NotificationPreferencesForm":
        initial = {name: getattr(preference, name) for name in cls.base_fields}
        return cls(data=data, initial=initial)

    def service_arguments(self) -> dict:
        return {name: bool(self.cleaned_data.get(name)) for name in self.fields}
