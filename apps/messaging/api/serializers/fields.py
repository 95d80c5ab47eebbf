"""Fields and shapes shared by the messaging serializers: people as ``{id, name, is_staff}``,
attachments with their download URL, lenient text (the services name what is wrong), ids from
forms, and every choice set as one named schema component."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.common.api.serializers import StrictCharField, StrictSerializer
from apps.messaging.models import (
    AssignmentStatus,
    MessageKind,
    NotificationCategory,
    TaskPlatform,
    ThreadCategory,
    ThreadEventKind,
    ThreadKind,
    ThreadPriority,
    ThreadStatus,
)
from apps.wallet.api.serializers import IdField

LINK_STATUSES = ["", "pending", "approved", "rejected"]


# --- Choice sets ---------------------------------------------------------------------------------


def _choice_field(component: str, choices, description: str) -> type[serializers.ChoiceField]:
    """A ``ChoiceField`` class documented once, as the schema component ``component``."""
    values = [value for value, _label in choices]

    def __init__(self, **kwargs):
        serializers.ChoiceField.__init__(self, choices=choices, **kwargs)

    field_class = type(f"{component}Field", (serializers.ChoiceField,), {"__init__": __init__})
    schema = {"type": "string", "enum": values, "description": description}
    return extend_schema_field(schema, component_name=component)(field_class)


ThreadKindField = _choice_field(
    "ThreadKind", ThreadKind.choices, "`support` (a ticket), `direct` (opened by staff), `task`."
)
ThreadCategoryField = _choice_field("ThreadCategory", ThreadCategory.choices, "What a conversation is about.")
ThreadStatusField = _choice_field(
    "ThreadStatus", ThreadStatus.choices, "`open`, `waiting_investor`, `waiting_staff`, `resolved`, `closed`."
)
ThreadPriorityField = _choice_field("ThreadPriority", ThreadPriority.choices, "`low`, `normal`, `high`, `urgent`.")
ThreadEventKindField = _choice_field("ThreadEventKind", ThreadEventKind.choices, "What changed.")
MessageKindField = _choice_field(
    "MessageKind", MessageKind.choices, "`reply`, `task`; `note` (internal) only ever appears to staff."
)
TaskPlatformField = _choice_field("TaskPlatform", TaskPlatform.choices, "Where the task is done.")
_OfferPlatformChoiceField = _choice_field(
    "OfferPlatform",
    [("", ""), *TaskPlatform.choices],
    "A task's platform; empty for any other message. In requests any letter case of the value or its "
    "name is read as the value (`Facebook`, `YouTube`).",
)
_PLATFORM_NAMES = {
    **{str(label).casefold(): value for value, label in TaskPlatform.choices},
    **{value.casefold(): value for value in TaskPlatform.values},
}


class OfferPlatformField(_OfferPlatformChoiceField):
    """A platform as the original client may write it (`Facebook`): its letter case is not a new
    platform, so any case of a value or of its English name is that value; nothing else is."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = _PLATFORM_NAMES.get(data.casefold(), data)
        return super().to_internal_value(data)


AssignmentStatusField = _choice_field(
    "TaskStatus",
    AssignmentStatus.choices,
    "`offered`, `accepted`, `declined`, `submitted` (proof waits for review), `approved` (the reward paid, "
    "if the task has one), `rejected` (a new proof may be sent until the task expires).",
)
LinkStatusField = _choice_field(
    "LinkStatus",
    [(value, value) for value in LINK_STATUSES],
    "A task's proof: empty (none waiting or decided), `pending`, `approved` or `rejected`.",
)
NotificationCategoryField = _choice_field(
    "NotificationCategory", NotificationCategory.choices, "Decides whether an email copy is sent."
)
AttachmentTypeField = _choice_field(
    "AttachmentContentType",
    [(value, value) for value in ("image/jpeg", "image/png", "application/pdf")],
    "The file's type, sniffed from its content.",
)


# --- People --------------------------------------------------------------------------------------


class PartySerializer(serializers.Serializer):
    """A person in a conversation: staff by their first name (or the support desk), investors by
    their full name (or ``Investor #<id>``). Never an email or a balance."""

    id = serializers.IntegerField(
        allow_null=True, help_text="The user's id; null for the support desk as a whole (nobody assigned yet)."
    )
    name = serializers.CharField()
    is_staff = serializers.BooleanField()


def support_party() -> dict:
    name = gettext("%(platform)s support") % {"platform": settings.PLATFORM_NAME}
    return {"id": None, "name": name, "is_staff": True}


def party(user) -> dict | None:
    if user is None:
        return None
    if user.is_staff:
        return {"id": user.pk, "name": user.first_name or support_party()["name"], "is_staff": True}
    name = user.full_name or gettext("Investor #%(id)s") % {"id": user.pk}
    return {"id": user.pk, "name": name, "is_staff": False}


def party_field(**kwargs):
    """Documents a ``get_…`` method that returns ``party(…)``."""
    return extend_schema_field(PartySerializer(**kwargs))


# --- Attachments -----------------------------------------------------------------------------------


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="The file's name, ending with the extension of its real type.")
    content_type = AttachmentTypeField()
    size = serializers.IntegerField(help_text="In bytes.")
    url = serializers.SerializerMethodField(
        help_text="The logged, permission-checked download endpoint `attachments/<id>/` (needs the Bearer token)."
    )

    def get_url(self, attachment) -> str:
        path = reverse("api-messaging-attachment", kwargs={"attachment_id": attachment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


# --- Input ------------------------------------------------------------------------------------------


class EmptySerializer(StrictSerializer):
    """No body (any field sent is refused by name)."""


class TextField(StrictCharField):
    """Text passed on as sent (blank and too long included): the service names what is wrong."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(allow_blank=True, trim_whitespace=False, **kwargs)


class FormIdField(IdField):
    """An id: a JSON integer, or its digits in a multipart form."""

    def to_internal_value(self, data):
        if isinstance(data, str) and data.isascii() and data.isdigit() and len(data) <= 19:
            data = int(data)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON boolean only (not "yes", 1 or "true")."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data
