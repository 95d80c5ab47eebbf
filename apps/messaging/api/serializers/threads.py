"""Shapes of conversations (Bursar additions): the investor's and the staff inbox's rows, one
conversation with its messages (and, for staff, its event log), and the staff actions' input."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.common.api.filters import SEARCH_MAX_LENGTH
from apps.common.api.serializers import StrictCharField, StrictSerializer
from apps.messaging.api.serializers.fields import (
    AttachmentSerializer,
    FormIdField,
    MessageKindField,
    TextField,
    ThreadCategoryField,
    ThreadEventKindField,
    ThreadKindField,
    ThreadPriorityField,
    ThreadStatusField,
    party,
    party_field,
)
from apps.messaging.models import ThreadCategory, ThreadPriority, ThreadStatus
from apps.messaging.models.threads import ATTACHMENTS_MAX, SUBJECT_MAX_LENGTH
from apps.messaging.selectors.threads import QUEUES
from apps.wallet.api.serializers import MAX_ID, IdField


class ThreadMessageSerializer(serializers.Serializer):
    """A message inside a conversation (investors never receive internal notes)."""

    id = serializers.IntegerField()
    thread_id = serializers.IntegerField()
    kind = MessageKindField()
    sender = serializers.SerializerMethodField()
    message = serializers.CharField(source="body", help_text="Plain text (show it as text, never as HTML).")
    is_internal = serializers.BooleanField(help_text="An internal note (staff only).")
    attachments = AttachmentSerializer(many=True, read_only=True)
    created_at = serializers.DateTimeField()

    @party_field()
    def get_sender(self, message) -> dict:
        return party(message.sender)


def _task_id(thread) -> int | None:
    assignment = getattr(thread, "task_assignment", None)
    return assignment.pk if assignment else None


class _ThreadBase(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField(help_text="`#<id>`, as support quotes it.")
    kind = ThreadKindField()
    subject = serializers.CharField()
    category = ThreadCategoryField()
    status = ThreadStatusField()
    user = serializers.IntegerField(source="investor_id", help_text="The investor's id.")
    task_id = serializers.SerializerMethodField(help_text="A task conversation's task (see `tasks/`), else null.")
    created_at = serializers.DateTimeField()
    last_message_at = serializers.DateTimeField()

    def get_task_id(self, thread) -> int | None:
        return _task_id(thread)


class ThreadSerializer(_ThreadBase):
    """One of the investor's conversations."""

    unread = serializers.IntegerField(help_text="Messages from staff the investor has not read.")


class StaffThreadSerializer(_ThreadBase):
    """A conversation in the staff inbox."""

    priority = ThreadPriorityField()
    user_email = serializers.EmailField(source="investor.email")
    investor = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField(help_text="The staff member handling it, or null.")
    has_unread = serializers.BooleanField(
        source="staff_unread", help_text="The investor wrote since the caller last read it."
    )
    breached = serializers.BooleanField(help_text="The answer is overdue (SLA).")
    response_due_at = serializers.DateTimeField(allow_null=True, help_text="By when staff owe an answer, or null.")
    first_response_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)

    @party_field()
    def get_investor(self, thread) -> dict:
        return party(thread.investor)

    @party_field(allow_null=True)
    def get_assignee(self, thread) -> dict | None:
        return party(thread.assignee)


class ThreadEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = ThreadEventKindField()
    actor = serializers.SerializerMethodField(help_text="Who did it; null for the system.")
    data = serializers.JSONField(help_text="What changed (`from`, `to`, …).")
    created_at = serializers.DateTimeField()

    @party_field(allow_null=True)
    def get_actor(self, event) -> dict | None:
        return party(event.actor)


class _WithMessages(serializers.Serializer):
    messages = serializers.SerializerMethodField(help_text="Oldest first.")

    @extend_schema_field(ThreadMessageSerializer(many=True))
    def get_messages(self, thread) -> list:
        return ThreadMessageSerializer(self.context["messages"], many=True, context=self.context).data


class ThreadDetailSerializer(ThreadSerializer, _WithMessages):
    """The conversation with every message the investor may see."""


class StaffThreadDetailSerializer(StaffThreadSerializer, _WithMessages):
    """The conversation with every message (internal notes included) and its event log."""

    events = serializers.SerializerMethodField(help_text="Every change, oldest first.")

    @extend_schema_field(ThreadEventSerializer(many=True))
    def get_events(self, thread) -> list:
        return ThreadEventSerializer(self.context["events"], many=True).data


# --- Input -------------------------------------------------------------------------------------------------


def _attachments_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        help_text=(
            f"Up to {ATTACHMENTS_MAX} files (repeat the field), JPEG, PNG or PDF, at most `KYC_MAX_UPLOAD_MB` "
            "each, recognised by their content; images are re-encoded without metadata."
        ),
    )


class ThreadCreateSerializer(StrictSerializer):
    subject = TextField(help_text=f"Required, at most {SUBJECT_MAX_LENGTH} characters.")
    message = TextField(help_text="The first message (required).")
    category = ThreadCategoryField(required=False, help_text="Default `other`.")
    investor_id = FormIdField(required=False, help_text="Staff only, and required for staff: the investor.")

    def validate(self, attrs):
        is_staff = self.context["user"].is_staff
        if is_staff and "investor_id" not in attrs:
            raise serializers.ValidationError({"investor_id": [gettext("This field is required.")]})
        if not is_staff and "investor_id" in attrs:
            raise serializers.ValidationError({"investor_id": [str(self.unknown_field_message)]})
        return attrs


class ThreadCreateMultipartSerializer(ThreadCreateSerializer):
    attachments = _attachments_field()


class ReplySerializer(StrictSerializer):
    message = TextField(help_text="The reply (required).")


class ReplyMultipartSerializer(ReplySerializer):
    attachments = _attachments_field()


class NoteSerializer(StrictSerializer):
    message = TextField(help_text="The note (required): staff only, never shown to the investor.")


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["me"]}],
        "nullable": True,
        "description": 'A staff member who handles conversations, `"me"`, or null to unassign.',
    }
)
class AssigneeField(serializers.Field):
    default_error_messages = {"invalid": _('Send a staff member\'s id, "me", or null.')}

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_internal_value(self, data):
        if data == "me":
            return self.context["user"].pk
        if isinstance(data, bool) or not isinstance(data, int) or not 1 <= data <= MAX_ID:
            self.fail("invalid")
        return data


class AssignSerializer(StrictSerializer):
    assignee_id = AssigneeField()


class StatusSerializer(StrictSerializer):
    status = ThreadStatusField()


class PrioritySerializer(StrictSerializer):
    priority = ThreadPriorityField()


class CategorySerializer(StrictSerializer):
    category = ThreadCategoryField()


class ReadSerializer(StrictSerializer):
    message_id = IdField(required=False, help_text="Read up to this message (default: all of it).")


class ThreadFilterSerializer(serializers.Serializer):
    queue = serializers.ChoiceField(choices=list(QUEUES), required=False)
    status = serializers.ChoiceField(choices=ThreadStatus.values, required=False)
    priority = serializers.ChoiceField(choices=ThreadPriority.values, required=False)
    category = serializers.ChoiceField(choices=ThreadCategory.values, required=False)
    search = StrictCharField(required=False, allow_blank=True, max_length=SEARCH_MAX_LENGTH)
