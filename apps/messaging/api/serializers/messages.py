"""The original API's message shapes (``messages/*``, ``admin/messages/*``) and their input, with
the original client's field names accepted as aliases."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.common.api.serializers import MoneyField, StrictCharField, StrictSerializer, alias
from apps.messaging.api.serializers.fields import (
    LINK_STATUSES,
    AttachmentSerializer,
    LinkStatusField,
    MessageKindField,
    OfferPlatformField,
    TextField,
    ThreadCategoryField,
    party,
    party_field,
    support_party,
)
from apps.messaging.models import MessageKind
from apps.messaging.selectors.tasks import assignment_approvals_needed
from apps.wallet.api.serializers import MAX_ID, AmountField, IdField

NOTE_MAX_LENGTH = 2000


def _assignment(message):
    return getattr(message, "task_assignment", None)


@extend_schema_serializer(component_name="ConversationMessage")
class MessageSerializer(serializers.Serializer):
    """A message as the original API showed it, with Bursar's additions (`thread_id`, `kind`,
    `user`, `attachments`). The task fields are empty (`""`, null) on other messages."""

    id = serializers.IntegerField()
    sender = serializers.SerializerMethodField()
    recipient = serializers.SerializerMethodField(
        help_text=(
            "For a message from the investor: the conversation's assignee, or the support desk (`id` null) "
            "while nobody is assigned. For a message from staff: the investor."
        )
    )
    subject = serializers.CharField(source="thread.subject", help_text="The conversation's subject.")
    message = serializers.CharField(source="body", help_text="Plain text (show it as text, never as HTML).")
    offer_platform = serializers.SerializerMethodField()
    reward = serializers.SerializerMethodField(
        help_text="A task's reward; null for a task without a reward (an offer) and for any other message."
    )
    submitted_link = serializers.SerializerMethodField(help_text="A task's submitted proof link, or empty.")
    link_status = serializers.SerializerMethodField()
    is_read = serializers.BooleanField(help_text="Read by the caller (a message the caller sent counts as read).")
    created_at = serializers.DateTimeField()
    thread_id = serializers.IntegerField(help_text="The conversation (see `threads/<id>/`).")
    kind = MessageKindField()
    user = serializers.IntegerField(source="thread.investor_id", help_text="The id of the conversation's investor.")
    attachments = AttachmentSerializer(many=True, read_only=True)

    @party_field()
    def get_sender(self, message) -> dict:
        return party(message.sender)

    @party_field()
    def get_recipient(self, message) -> dict:
        thread = message.thread
        if message.sender_id == thread.investor_id:
            return party(thread.assignee) if thread.assignee_id else support_party()
        if message.kind == MessageKind.NOTE:
            return support_party()
        return party(thread.investor)

    @extend_schema_field(OfferPlatformField())
    def get_offer_platform(self, message) -> str:
        assignment = _assignment(message)
        return assignment.task.platform if assignment else ""

    @extend_schema_field(MoneyField(allow_null=True))
    def get_reward(self, message) -> str | None:
        assignment = _assignment(message)
        if assignment is None or not assignment.task.is_paid:
            return None
        return MoneyField().to_representation(assignment.task.reward)

    def get_submitted_link(self, message) -> str:
        assignment = _assignment(message)
        return assignment.proof_link if assignment else ""

    @extend_schema_field(LinkStatusField())
    def get_link_status(self, message) -> str:
        assignment = _assignment(message)
        return assignment.link_status if assignment else ""


@extend_schema_serializer(component_name="AdminMessage")
class AdminMessageSerializer(MessageSerializer):
    """A message in the staff list: also internal notes (flagged), and the investor's email."""

    is_internal = serializers.BooleanField(help_text="An internal note: staff only, never shown to the investor.")
    user_email = serializers.EmailField(source="thread.investor.email", help_text="The investor's email.")


@extend_schema_serializer(component_name="TaskReview")
class TaskReviewSerializer(AdminMessageSerializer):
    """A reviewed task message, with where its four-eyes approval stands."""

    approvals_needed = serializers.SerializerMethodField(
        help_text=(
            "Approvals still needed before the reward is paid: 0 once paid; 1 while a proof above "
            "`FOUR_EYES_THRESHOLD` waits for its second approval (or any proof for its only one)."
        )
    )
    first_approved_by = serializers.SerializerMethodField(
        help_text="Who gave the first of two approvals (above `FOUR_EYES_THRESHOLD`), or null."
    )
    first_approved_at = serializers.DateTimeField(source="task_assignment.first_approved_at", allow_null=True)
    review_note = serializers.CharField(
        source="task_assignment.review_note", help_text="The reviewer's note (a rejection's reason)."
    )

    def get_approvals_needed(self, message) -> int:
        return assignment_approvals_needed(message.task_assignment)

    @party_field(allow_null=True)
    def get_first_approved_by(self, message) -> dict | None:
        return party(message.task_assignment.first_approved_by)


# --- Input -------------------------------------------------------------------------------------------


class OfferDetailsSerializer(StrictSerializer):
    platform = OfferPlatformField(required=False, allow_blank=True, allow_null=True, help_text="Empty: no task.")


class MessageSendSerializer(StrictSerializer):
    subject = TextField(help_text="Required for a new conversation; ignored with `thread_id`.")
    message = TextField(help_text="The text (required).")
    thread_id = IdField(required=False, help_text="Reply in this conversation instead of starting one.")
    category = ThreadCategoryField(required=False, help_text="A new conversation's category (default `other`).")
    recipient_id = IdField(
        required=False,
        help_text=(
            "Investors: optional; a staff member's id means support, any other id is refused. Staff: the "
            "investor a new conversation (or task) is for; required without `thread_id`, ignored with it."
        ),
    )
    recipient = IdField(required=False, help_text="The original client's name for `recipient_id`.")
    offer_platform = OfferPlatformField(
        required=False,
        allow_blank=True,
        help_text=(
            "Staff: the message is a task for the recipient (needs `messaging.add_task`): with `reward` a paid "
            "task, without it a task without a reward (the original's offer: a proof is approved or rejected, "
            "nothing is paid)."
        ),
    )
    offer_details = OfferDetailsSerializer(required=False, help_text="The original client's `{platform}`.")
    reward = AmountField(
        required=False,
        help_text=(
            "A task's reward (greater than zero), paid once when its proof is approved; only with a platform. "
            "Leave it out for a task without a reward: `0` is refused."
        ),
    )
    expires_at = serializers.DateTimeField(
        required=False, help_text="A task's expiry (default: `TASK_DEFAULT_EXPIRY_DAYS` from now)."
    )

    def validate(self, attrs):
        attrs["recipient_id"] = alias(attrs, "recipient_id", "recipient")
        details = attrs.pop("offer_details", None) or {}
        platforms = {"offer_platform": attrs.pop("offer_platform", None), "platform": details.get("platform")}
        attrs["offer_platform"] = alias(platforms, "offer_platform", "platform")
        if "reward" in attrs and not attrs["offer_platform"]:
            raise serializers.ValidationError(
                {"offer_platform": [gettext("A reward is only for a task: add its platform.")]}
            )
        if attrs["offer_platform"] and attrs.get("thread_id"):
            raise serializers.ValidationError(
                {"thread_id": [gettext("A task starts its own conversation: leave out thread_id.")]}
            )
        if "expires_at" in attrs and not attrs["offer_platform"]:
            raise serializers.ValidationError({"expires_at": [gettext("Only a task has an expiry.")]})
        return attrs


class MessageIdSerializer(StrictSerializer):
    message_id = IdField(help_text="The id of one of the caller's messages.")


class SubmitLinkPathSerializer(StrictSerializer):
    """The original client's form: the id in the path, the link as `link`."""

    link = TextField(help_text="The proof: an http:// or https:// address.")
    submitted_link = TextField(help_text="Bursar's name for `link`.")

    def validate(self, attrs):
        attrs["submitted_link"] = alias(attrs, "submitted_link", "link")
        return attrs


class SubmitLinkSerializer(SubmitLinkPathSerializer):
    message_id = IdField(help_text="The id of a task message sent to the caller.")


def _note(help_text: str, **kwargs) -> StrictCharField:
    return TextField(max_length=NOTE_MAX_LENGTH, help_text=help_text, **kwargs)


class ApproveLinkPathSerializer(StrictSerializer):
    admin_note = _note("Optional; kept with the review.")
    note = _note("The original client's name for `admin_note`.")

    def validate(self, attrs):
        attrs["admin_note"] = alias(attrs, "admin_note", "note") or ""
        return attrs


class ApproveLinkSerializer(ApproveLinkPathSerializer):
    message_id = IdField(help_text="The id of a task message whose proof waits for review.")


class RejectLinkPathSerializer(StrictSerializer):
    admin_note = _note("Why (required): the investor sees it.")
    reason = _note("The original client's name for `admin_note`.")
    note = _note("Also accepted for `admin_note`.")

    def validate(self, attrs):
        attrs["admin_note"] = alias(attrs, "admin_note", "reason", "note") or ""
        return attrs


class RejectLinkSerializer(RejectLinkPathSerializer):
    message_id = IdField(help_text="The id of a task message whose proof waits for review.")


class AdminMessageFilterSerializer(serializers.Serializer):
    link_status = serializers.ChoiceField(choices=LINK_STATUSES[1:], required=False)
    thread_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    kind = serializers.ChoiceField(choices=MessageKind.values, required=False)
