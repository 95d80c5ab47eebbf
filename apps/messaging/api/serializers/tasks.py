"""Shapes of the caller's tasks and notifications (Bursar additions)."""

from django.utils.translation import gettext
from rest_framework import serializers

from apps.common.api.serializers import MoneyField, StrictSerializer
from apps.messaging.api.serializers.fields import (
    AssignmentStatusField,
    LinkStatusField,
    NotificationCategoryField,
    StrictBooleanField,
    TaskPlatformField,
    TextField,
)
from apps.wallet.api.serializers import IdField

MARK_READ_MAX_IDS = 100


class TaskSerializer(serializers.Serializer):
    """One task offered to the caller, with where it stands."""

    id = serializers.IntegerField(help_text="Use it with `tasks/<id>/accept/`, `decline/` and `submit/`.")
    thread_id = serializers.IntegerField()
    message_id = serializers.IntegerField(help_text="The task message (the original API's offer).")
    title = serializers.CharField(source="task.title")
    instructions = serializers.SerializerMethodField(help_text="In the caller's language (English if not written).")
    platform = TaskPlatformField(source="task.platform")
    reward = MoneyField(
        source="task.reward",
        allow_null=True,
        help_text="Paid once, to the available balance, when approved; null for a task without a reward.",
    )
    currency = serializers.CharField(source="task.currency")
    expires_at = serializers.DateTimeField(source="task.expires_at")
    status = AssignmentStatusField()
    link_status = LinkStatusField()
    proof_link = serializers.CharField(help_text="The submitted proof, or empty.")
    review_note = serializers.CharField(help_text="Why a proof was rejected (or a note on its approval).")
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_instructions(self, assignment) -> str:
        return assignment.task.instructions_for(getattr(self.context.get("user"), "language", "en"))


class TaskSubmitSerializer(StrictSerializer):
    link = TextField(help_text="The proof: an http:// or https:// address.")


# --- Notifications -------------------------------------------------------------------------------------


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="What it is about (`support_reply`, `task_offered`, `deposit_approved`…).")
    category = NotificationCategoryField()
    title = serializers.CharField()
    body = serializers.CharField(help_text="Plain text.")
    link = serializers.CharField(help_text="A portal path or an https:// address; may be empty.")
    is_read = serializers.BooleanField()
    announcement_id = serializers.IntegerField(allow_null=True, help_text="Set for an announcement (dismissible).")
    dismissed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class NotificationFilterSerializer(serializers.Serializer):
    # Exactly the schema's values: DRF's BooleanField would also take 0/1, yes/no, on/off.
    unread = serializers.ChoiceField(choices=["true", "false"], required=False, default="false")


class NotificationMarkReadSerializer(StrictSerializer):
    ids = serializers.ListField(
        child=IdField(),
        required=False,
        allow_empty=False,
        max_length=MARK_READ_MAX_IDS,
        help_text=f"The caller's notifications (at most {MARK_READ_MAX_IDS}); others' ids are ignored.",
    )
    all = StrictBooleanField(required=False, help_text="`true`: every notification of the caller.")

    def validate(self, attrs):
        if ("ids" in attrs) == bool(attrs.get("all")):
            raise serializers.ValidationError({"ids": [gettext("Send either ids or all: true.")]})
        return attrs


class NotificationMarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")
    unread = serializers.IntegerField(help_text="How many unread notifications the caller has left.")


class PreferencesSerializer(serializers.Serializer):
    email_support = serializers.BooleanField(help_text="Email copies of support replies.")
    email_tasks = serializers.BooleanField(help_text="Email copies of tasks.")
    email_announcements = serializers.BooleanField(help_text="Email copies of announcements.")
    email_money = serializers.BooleanField(help_text="Email copies of money events.")
    email_security = serializers.SerializerMethodField(help_text="Always true: security emails always go.")
    email_account = serializers.SerializerMethodField(help_text="Always true: account emails always go.")

    def get_email_security(self, preference) -> bool:
        return True

    def get_email_account(self, preference) -> bool:
        return True


class PreferencesUpdateSerializer(StrictSerializer):
    email_support = StrictBooleanField(required=False)
    email_tasks = StrictBooleanField(required=False)
    email_announcements = StrictBooleanField(required=False)
    email_money = StrictBooleanField(required=False)
    email_security = StrictBooleanField(required=False, help_text="Refused: security emails cannot be switched off.")
    email_account = StrictBooleanField(required=False, help_text="Refused: account emails cannot be switched off.")
