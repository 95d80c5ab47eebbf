"""Forms of the messaging admin. They parse what staff type for display; every decision is the
service's (``apps.messaging.services``), whose refusals come back as errors on these fields."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from unfold.forms import BaseDialogForm
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSplitDateTimeWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from apps.accounts.models import KycStatus, User
from apps.controls.runtime import runtime_setting
from apps.messaging.models import (
    Announcement,
    CannedReply,
    Task,
    TaskPlatform,
    Thread,
    ThreadCategory,
    ThreadPriority,
    ThreadStatus,
)
from apps.messaging.models.threads import ATTACHMENTS_MAX, BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH
from apps.messaging.services.canned import VARIABLES

FILE_INPUT_CLASSES = (
    "block w-full max-w-2xl text-sm text-font-default-light dark:text-font-default-dark "
    "border border-base-200 rounded-default shadow-xs px-3 py-2 bg-white dark:bg-base-900 dark:border-base-700"
)


def lazy_percent(message, values: dict):
    """``message % values``, translated when shown (not when this module is imported)."""
    return lazy(lambda: str(message % values), str)()


VARIABLES_HELP = lazy_percent(
    _("Variables filled in for the thread: %(variables)s."),
    {"variables": ", ".join(f"{{{name}}}" for name in VARIABLES)},
)
SEGMENT_VALUE_HELP = lazy_percent(
    _(
        "With “By KYC status”: %(statuses)s. With “By language”: %(languages)s. With “By country”: the "
        "country as investors typed it (any case). Leave empty for the other audiences."
    ),
    {
        "statuses": ", ".join(KycStatus.values),
        "languages": ", ".join(code for code, _name in settings.LANGUAGES),
    },
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__(
            {"class": FILE_INPUT_CLASSES, "accept": "image/jpeg,image/png,application/pdf", **(attrs or {})}
        )


class AttachmentsField(forms.FileField):
    """Up to ``ATTACHMENTS_MAX`` files in one input; the service checks each of them."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Attachments"))
        kwargs.setdefault(
            "help_text",
            lazy_percent(
                ngettext_lazy(
                    "JPEG, PNG or PDF, at most %(max)d file.",
                    "JPEG, PNG or PDF, at most %(max)d files.",
                    "max",
                ),
                {"max": ATTACHMENTS_MAX},
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [file for file in files if file]


def _text(label, *, rows: int = 6, required: bool = True, help_text: str = "", max_length: int = BODY_MAX_LENGTH):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        strip=False,
        help_text=help_text,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": rows}),
    )


def _choice(label, choices, *, required: bool = True, blank: str | None = None):
    options = [("", blank), *choices] if blank is not None else list(choices)
    return forms.ChoiceField(label=label, choices=options, required=required, widget=UnfoldAdminSelectWidget)


# --- the inbox and the thread page ---------------------------------------------------------------


class NewConversationForm(forms.Form):
    investor = forms.ModelChoiceField(
        label=_("Investor"),
        queryset=User.objects.all(),
        widget=AutocompleteSelect(Thread._meta.get_field("investor"), admin.site),
        help_text=_("Search by email or name. The investor is told of the new conversation."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_LENGTH, widget=UnfoldAdminTextInputWidget)
    category = _choice(_("Category"), ThreadCategory.choices)
    body = _text(_("Message"), rows=8)
    attachments = AttachmentsField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("category", ThreadCategory.OTHER)
        super().__init__(*args, **kwargs)


class ReplyForm(forms.Form):
    """The reply box: a canned reply can be inserted (filled in for this thread) before sending."""

    canned = forms.ChoiceField(label=_("Canned reply"), required=False, widget=UnfoldAdminSelectWidget)
    body = _text(_("Reply to the investor"), rows=6, required=False)
    attachments = AttachmentsField()

    def __init__(self, *args, canned_replies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canned"].choices = [("", _("Pick a canned reply…"))] + [
            (str(reply.pk), reply.title) for reply in canned_replies
        ]


class NoteForm(forms.Form):
    note = _text(
        _("Note for the team"),
        rows=3,
        required=False,
        help_text=_("Only staff ever see notes; the investor is not told."),
    )


class ThreadPropertiesForm(forms.Form):
    """Status, priority, category and assignee of a thread, changed together (one service call
    for each value that changed)."""

    status = _choice(_("Status"), ThreadStatus.choices)
    priority = _choice(_("Priority"), ThreadPriority.choices)
    category = _choice(_("Category"), ThreadCategory.choices)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, widget=UnfoldAdminSelectWidget)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Nobody"))] + [(str(member.pk), member.email) for member in staff]


# --- task proofs -----------------------------------------------------------------------------------


class ProofDialogForm(BaseDialogForm):
    """Shows the proof being reviewed above the fields (the four-eyes state included)."""

    form_before_template = "backoffice/messaging/proof_dialog.html"

    def get_before_template_context(self, request, object_id=None) -> dict:
        from apps.messaging.admin.proofs import proof_summary

        return proof_summary(object_id)


class ApproveProofDialogForm(ProofDialogForm):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        help_text=_("Optional. Kept with the review."),
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}),
    )


class RejectProofDialogForm(ProofDialogForm):
    admin_note = forms.CharField(
        label=_("Reason"),
        help_text=_("Sent to the investor, who may submit a new proof until the task expires."),
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )


# --- tasks, announcements, canned replies -------------------------------------------------------------


class ServiceModelForm(forms.ModelForm):
    """A model form whose values a service checks and saves: the model is not validated here (the
    service is the one judge, and its refusals come back as errors on these fields)."""

    def _post_clean(self):
        pass


class TaskCreateForm(ServiceModelForm):
    """The add form of a task. Its save is ``task_create``, never ``form.save``."""

    platform = _choice(_("Platform"), TaskPlatform.choices, blank=_("Choose the platform"))
    budget = forms.DecimalField(
        label=_("Total budget"),
        required=False,
        max_digits=20,
        decimal_places=2,
        widget=UnfoldAdminDecimalFieldWidget,
        help_text=_(
            "What all the rewards together may cost. Empty: one reward (a task for one investor); always empty "
            "for a task without a reward."
        ),
    )
    expires_at = forms.SplitDateTimeField(label=_("Expires at"), required=False, widget=UnfoldAdminSplitDateTimeWidget)

    class Meta:
        model = Task
        fields = (
            "title",
            "platform",
            "instructions_en",
            "instructions_ar",
            "reward",
            "budget",
            "expires_at",
            "recipient",
            "segment",
            "segment_value",
        )
        help_texts = {
            "recipient": _("One investor; or leave empty and choose an audience below."),
            "segment_value": SEGMENT_VALUE_HELP,
        }
        widgets = {
            "instructions_en": UnfoldAdminTextareaWidget(attrs={"rows": 5}),
            "instructions_ar": UnfoldAdminTextareaWidget(attrs={"rows": 5, "dir": "rtl", "lang": "ar"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The default expiry is a runtime setting: read when the form is shown, not at import.
        self.fields["expires_at"].help_text = ngettext_lazy(
            "Empty: in %(days)d day.", "Empty: in %(days)d days.", "days"
        ) % {"days": runtime_setting("TASK_DEFAULT_EXPIRY_DAYS")}


class AnnouncementForm(ServiceModelForm):
    """The composer. Its save is ``announcement_create`` / ``announcement_update``."""

    send_at = forms.SplitDateTimeField(
        label=_("Send at"),
        required=False,
        widget=UnfoldAdminSplitDateTimeWidget,
        help_text=_("Empty: “Send now” sends it at once. A future time: “Schedule” sends it then."),
    )

    class Meta:
        model = Announcement
        fields = ("title_en", "body_en", "title_ar", "body_ar", "link", "pinned", "segment", "segment_value", "send_at")
        help_texts = {"segment_value": SEGMENT_VALUE_HELP}
        widgets = {
            "body_en": UnfoldAdminTextareaWidget(attrs={"rows": 6}),
            "title_ar": UnfoldAdminTextInputWidget(attrs={"dir": "rtl", "lang": "ar"}),
            "body_ar": UnfoldAdminTextareaWidget(attrs={"rows": 6, "dir": "rtl", "lang": "ar"}),
        }


class CannedReplyForm(ServiceModelForm):
    """Its save is ``canned_reply_save`` (which refuses unknown ``{variables}``)."""

    class Meta:
        model = CannedReply
        fields = ("title", "body_en", "body_ar", "is_active")
        widgets = {
            "body_en": UnfoldAdminTextareaWidget(attrs={"rows": 6}),
            "body_ar": UnfoldAdminTextareaWidget(attrs={"rows": 6, "dir": "rtl", "lang": "ar"}),
        }
        help_texts = {
            "body_en": VARIABLES_HELP,
            "body_ar": lazy_percent(
                _("Optional: investors who chose Arabic get it, the others the English text. %(variables)s"),
                {"variables": VARIABLES_HELP},
            ),
        }


class ConfirmDialogForm(BaseDialogForm):
    """Nothing to fill in: the confirmation is the submit."""


class AnnouncementDialogForm(BaseDialogForm):
    """A send/schedule/cancel confirmation that repeats who gets the announcement."""

    form_before_template = "backoffice/messaging/announcement_dialog.html"

    def get_before_template_context(self, request, object_id=None) -> dict:
        from apps.messaging.admin.announcements import announcement_summary

        return announcement_summary(object_id)
