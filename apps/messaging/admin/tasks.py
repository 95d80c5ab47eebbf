"""Rewarded tasks: staff create a task for one investor or a segment through ``task_create``
(a refusal is an error on its field); a task is never changed once sent; its page shows the money
(reward, budget, paid, remaining) and how many recipients are in each status, each count opening
the task proofs list."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.decorators import display

from apps.backoffice.changelist import ModelAdmin
from apps.messaging.admin.common import (
    ASSIGNMENT_LABELS,
    DELIVERY_LABELS,
    ServiceFormMixin,
    date_cell,
    label,
    nowrap,
    reward_cell,
)
from apps.messaging.admin.forms import TaskCreateForm
from apps.messaging.admin.proofs import PROOFS_URL, STATUS_PARAM
from apps.messaging.models import AssignmentStatus, Task
from apps.messaging.segments import segment_describe
from apps.messaging.selectors import task_assignment_counts
from apps.messaging.services.tasks import task_create
from apps.wallet.admin.base import money_cell, user_link


@admin.register(Task)
class TaskAdmin(ServiceFormMixin, ModelAdmin):
    form = TaskCreateForm
    list_display = (
        "title",
        "display_platform",
        "display_reward",
        "display_budget",
        "display_paid",
        "display_remaining",
        "display_audience",
        "display_delivered",
        "display_expires",
        "display_status",
    )
    list_display_links = ("title",)
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("platform", ChoicesDropdownFilter),
        ("segment", ChoicesDropdownFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("title",)
    search_help_text = gettext_lazy("Task title")
    ordering = ("-created_at", "-id")
    autocomplete_fields = ("recipient",)
    add_fieldsets = (
        (None, {"fields": ("title", "platform", "instructions_en", "instructions_ar")}),
        (gettext_lazy("Reward"), {"fields": (("reward", "budget"), "expires_at")}),
        (
            gettext_lazy("Audience"),
            {
                "fields": ("recipient", "segment", "segment_value"),
                "description": gettext_lazy(
                    "One investor (the task is delivered at once), or a segment of the active investors "
                    "(delivered in the background)."
                ),
            },
        ),
    )
    fieldsets = (
        (
            gettext_lazy("Task"),
            {"fields": ("title", "platform", "instructions_en", "instructions_ar", "display_audience")},
        ),
        (
            gettext_lazy("Money"),
            {"fields": ("display_reward", "display_budget", "display_paid", "display_remaining")},
        ),
        (
            gettext_lazy("Recipients"),
            {"fields": ("display_counts", "display_delivered", "display_status_label", "display_expires")},
        ),
        (gettext_lazy("Created"), {"fields": ("created_by", "created_at")}),
    )
    readonly_fields = (
        "title",
        "platform",
        "instructions_en",
        "instructions_ar",
        "display_audience",
        "display_reward",
        "display_budget",
        "display_paid",
        "display_remaining",
        "display_counts",
        "display_delivered",
        "display_status_label",
        "display_expires",
        "created_by",
        "created_at",
    )
    actions = None
    service_field_names = {"recipient_id": "recipient"}

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("recipient", "created_by")

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        """A task is never changed once sent (its recipients have it)."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def service_save(self, request: HttpRequest, form, obj) -> Task:
        data = form.cleaned_data
        recipient = data.get("recipient")
        return task_create(
            staff=request.user,
            title=data.get("title"),
            instructions_en=data.get("instructions_en"),
            instructions_ar=data.get("instructions_ar", ""),
            platform=data.get("platform"),
            reward=data.get("reward"),
            budget=data.get("budget"),
            expires_at=data.get("expires_at"),
            recipient_id=recipient.pk if recipient else None,
            segment=data.get("segment") or "all",
            segment_value=data.get("segment_value", ""),
        )

    def service_saved_message(self, obj: Task, *, added: bool) -> str:
        if obj.recipient_id is not None:
            return _("The task “%(title)s” was sent to %(email)s.") % {"title": obj, "email": obj.recipient.email}
        return _("The task “%(title)s” is being delivered to %(audience)s.") % {
            "title": obj,
            "audience": segment_describe(segment=obj.segment, value=obj.segment_value),
        }

    # --- columns ------------------------------------------------------------------------------------

    @display(description=gettext_lazy("Platform"), ordering="platform")
    def display_platform(self, obj: Task) -> str:
        return obj.get_platform_display()

    @display(description=gettext_lazy("Reward"), ordering="reward")
    def display_reward(self, obj: Task) -> str:
        return reward_cell(obj)

    @display(description=gettext_lazy("Budget"), ordering="budget")
    def display_budget(self, obj: Task) -> str:
        return self._money_of_paid_task(obj, obj.budget)

    @display(description=gettext_lazy("Paid"), ordering="paid_total")
    def display_paid(self, obj: Task) -> str:
        return self._money_of_paid_task(obj, obj.paid_total)

    @display(description=gettext_lazy("Remaining"))
    def display_remaining(self, obj: Task) -> str:
        return self._money_of_paid_task(obj, obj.remaining_budget)

    @staticmethod
    def _money_of_paid_task(obj: Task, amount) -> str:
        """A task without a reward has no money to show (its budget is 0 by rule): a muted dash."""
        if not obj.is_paid:
            return format_html('<span class="text-base-500 dark:text-base-400" data-unpaid>{}</span>', "-")
        return money_cell(amount, obj.currency)

    @display(description=gettext_lazy("Audience"))
    def display_audience(self, obj: Task) -> str:
        if obj.recipient_id is not None:
            return user_link(obj.recipient)
        return segment_describe(segment=obj.segment, value=obj.segment_value)

    @display(description=gettext_lazy("Delivered"), ordering="delivered_count")
    def display_delivered(self, obj: Task) -> str:
        return f"{obj.delivered_count:,}"

    @display(description=gettext_lazy("Expires"), ordering="expires_at")
    def display_expires(self, obj: Task) -> str:
        cell = date_cell(obj.expires_at)
        if obj.is_expired():
            return format_html('<span class="text-red-600 dark:text-red-500" title="{}">{}</span>', _("expired"), cell)
        return cell

    @display(description=gettext_lazy("Status"), label=DELIVERY_LABELS, ordering="status")
    def display_status(self, obj: Task):
        return obj.status, obj.get_status_display()

    @display(description=gettext_lazy("Delivery"))
    def display_status_label(self, obj: Task) -> str:
        return label(obj.get_status_display(), DELIVERY_LABELS.get(obj.status, "default"))

    @display(description=gettext_lazy("Recipients by status"))
    def display_counts(self, obj: Task) -> str:
        """How many recipients are in each status (one query), each opening the proofs list."""
        counts = task_assignment_counts(task=obj)
        base = reverse(PROOFS_URL)
        rows = [
            (
                f"{base}?{urlencode({'task__id__exact': obj.pk, STATUS_PARAM: status})}",
                status,
                label(
                    text if obj.is_paid or status != AssignmentStatus.APPROVED else _("Approved"),
                    ASSIGNMENT_LABELS.get(status, "default"),
                ),
                nowrap(f"{counts[status]:,}"),
            )
            for status, text in AssignmentStatus.choices
        ]
        return format_html(
            '<ul class="flex flex-col gap-2" id="task-counts">{}</ul>',
            format_html_join(
                "",
                '<li class="flex flex-row gap-3 items-center"><a href="{}" data-status="{}">{}</a>'
                '<span class="font-semibold">{}</span></li>',
                rows,
            ),
        )
