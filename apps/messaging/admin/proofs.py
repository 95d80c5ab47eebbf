"""Task proofs: the review queue of submitted proofs (the TaskAssignment changelist, oldest
first) where staff with ``messaging.review_task_proof`` approve, which pays the reward through the
ledger once (above ``FOUR_EYES_THRESHOLD`` only with a second approver), or reject with a reason
the investor sees. The dialogs are on each row of the queue and on a proof's page. Every refusal
of the services is a message (a missing reason, an error in the dialog), never a server error."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.contrib.filters.admin import AutocompleteSelectFilter, ChoicesDropdownFilter, DropdownFilter
from unfold.decorators import action, display
from unfold.enums import ActionVariant

from apps.accounts.mfa.step_up import step_up_form
from apps.backoffice.changelist import ModelAdmin
from apps.backoffice.dialogs import dialog_service_call
from apps.controls.runtime import runtime_setting
from apps.messaging.admin.common import (
    ASSIGNMENT_LABELS,
    LINK_CLASS,
    back_to_page,
    date_cell,
    label,
    outside_link,
    reward_cell,
    reward_text,
    waited,
)
from apps.messaging.admin.forms import ApproveProofDialogForm, RejectProofDialogForm
from apps.messaging.models import AssignmentStatus, Task, TaskAssignment
from apps.messaging.selectors import assignment_review_queue
from apps.messaging.selectors.backoffice import assignment_get_for_staff
from apps.messaging.selectors.tasks import task_needs_two_approvals
from apps.messaging.services.tasks import REVIEW_PERMISSION, assignment_approve, assignment_reject
from apps.wallet.admin.base import ReadOnlyAdminMixin, money, user_link

PROOFS_URL = "admin:messaging_taskassignment_changelist"
STATUS_PARAM = "status"
REVIEW_STATUS = AssignmentStatus.SUBMITTED
PROOF_LINK_SHOWN = 60


def needs_two_approvals(task: Task) -> bool:
    return task_needs_two_approvals(task)


def approvals_text(assignment: TaskAssignment) -> str:
    """ "one"; "two needed"; or who gave the first approval and that a second approver is needed."""
    if not needs_two_approvals(assignment.task):
        return _("one")
    if assignment.status != AssignmentStatus.SUBMITTED:
        return _("two approvals")
    if assignment.first_approved_by is None:
        return _("two needed")
    return format_html(
        '<span class="msg-cell">{} <span class="text-base-500 dark:text-base-400">{}</span><br>'
        '<span class="font-medium">{}</span></span>',
        _("first by"),
        assignment.first_approved_by.email,
        _("needs a second approver"),
    )


def proof_summary(object_id) -> dict:
    """What a review dialog shows above its fields."""
    assignment = assignment_get_for_staff(assignment_id=object_id)
    if assignment is None:
        return {"assignment": None}
    task = assignment.task
    return {
        "assignment": assignment,
        "reward": reward_text(task),
        "proof": outside_link(assignment.proof_link),
        "four_eyes": needs_two_approvals(task),
        "threshold": money(runtime_setting("FOUR_EYES_THRESHOLD"), task.currency),
    }


APPROVE_DIALOG = {
    "title": gettext_lazy("Approve this proof?"),
    "description": gettext_lazy(
        "Approving pays the reward to the investor's available balance, once (a task without a reward pays "
        "nothing). Above the four-eyes threshold the first approval is only recorded and a second staff member "
        "pays."
    ),
    "form_class": step_up_form(ApproveProofDialogForm),  # asks for a fresh code when stale
    "form_submit_text": gettext_lazy("Approve"),
}
REJECT_DIALOG = {
    "title": gettext_lazy("Reject this proof?"),
    "description": gettext_lazy("Nothing is paid. The investor sees your reason."),
    "form_class": RejectProofDialogForm,
    "form_submit_text": gettext_lazy("Reject"),
}


class ProofStatusFilter(DropdownFilter):
    """The queue is the submitted proofs; any other status (or all) on demand."""

    title = gettext_lazy("status")
    parameter_name = STATUS_PARAM
    all_option = None

    def lookups(self, request: HttpRequest, model_admin):
        others = [(value, text) for value, text in AssignmentStatus.choices if value != REVIEW_STATUS]
        return [(REVIEW_STATUS, _("Waiting for review")), *others, ("all", _("All statuses"))]

    def value(self):
        return super().value() or REVIEW_STATUS

    def queryset(self, request: HttpRequest, queryset):
        value = self.value()
        if value in AssignmentStatus.values:
            return queryset.filter(status=value)
        return queryset


@admin.register(TaskAssignment)
class TaskAssignmentAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "id",
        "display_task",
        "display_investor",
        "display_reward",
        "display_proof",
        "display_submitted",
        "display_approvals",
        "display_status",
    )
    list_display_links = ("id",)
    list_filter = (
        ProofStatusFilter,
        ("task__platform", ChoicesDropdownFilter),
        ("task", AutocompleteSelectFilter),
        ("user", AutocompleteSelectFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("user__email", "task__title", "proof_link")
    search_help_text = gettext_lazy("Investor email, task title or proof link")
    fieldsets = (
        (gettext_lazy("Task"), {"fields": ("display_task", "display_investor", "display_reward", "display_thread")}),
        (
            gettext_lazy("Proof"),
            {
                "fields": (
                    "display_status_label",
                    "display_proof",
                    "submitted_at",
                    "display_approvals",
                    "first_approved_at",
                    "reviewed_by",
                    "reviewed_at",
                    "review_note",
                )
            },
        ),
    )
    readonly_fields = (
        "display_task",
        "display_investor",
        "display_reward",
        "display_thread",
        "display_status_label",
        "display_proof",
        "submitted_at",
        "display_approvals",
        "first_approved_at",
        "reviewed_by",
        "reviewed_at",
        "review_note",
    )
    actions = None
    actions_row = ("approve", "reject")
    actions_detail = ("approve", "reject")

    class Media:
        css = {"all": ("backoffice/messaging/admin.css",)}

    def get_queryset(self, request: HttpRequest):
        """The review queue (``assignment_review_queue``) on the list when no other status is
        asked for; every assignment elsewhere."""
        if getattr(request, "_proof_status", None) == REVIEW_STATUS:
            return assignment_review_queue()
        return TaskAssignment.objects.select_related("task", "user", "first_approved_by", "reviewed_by")

    def get_ordering(self, request: HttpRequest):
        if getattr(request, "_proof_status", None) == REVIEW_STATUS:
            return ("submitted_at", "id")
        return ("-updated_at", "-id")

    def get_list_display(self, request: HttpRequest):
        """In the review queue every row waits for review: no status column."""
        columns = super().get_list_display(request)
        if getattr(request, "_proof_status", None) == REVIEW_STATUS:
            return tuple(column for column in columns if column != "display_status")
        return columns

    def changelist_view(self, request: HttpRequest, extra_context=None):
        request._proof_status = request.GET.get(STATUS_PARAM) or REVIEW_STATUS
        context = {"title": _("Task proofs"), **(extra_context or {})}
        return super().changelist_view(request, context)

    def has_review_permission(self, request: HttpRequest, object_id=None) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION)

    def get_actions_detail(self, request: HttpRequest, object_id):
        """The dialogs are offered on a submitted proof only (one reviewed meanwhile by someone
        else is still refused by the service, with a message)."""
        cache = request.__dict__.setdefault("_proof_targets", {})
        if object_id not in cache:
            cache[object_id] = assignment_get_for_staff(assignment_id=unquote(str(object_id)))
        target = cache[object_id]
        if target is None or target.status != AssignmentStatus.SUBMITTED:
            return []
        return super().get_actions_detail(request, object_id)

    # --- columns ------------------------------------------------------------------------------------

    @display(description=gettext_lazy("Task · platform"), ordering="task__title")
    def display_task(self, obj: TaskAssignment) -> str:
        """The task (its title shortened, whole in the tooltip) and its platform under it."""
        url = reverse("admin:messaging_task_change", args=(obj.task_id,))
        return format_html(
            '<span class="msg-cell"><a href="{}" class="{}" title="{}">{}</a><br>'
            '<span class="text-base-500 dark:text-base-400" data-platform>{}</span></span>',
            url,
            LINK_CLASS,
            obj.task.title,
            Truncator(obj.task.title).chars(40),
            obj.task.get_platform_display(),
        )

    @display(description=gettext_lazy("Investor"), ordering="user__email")
    def display_investor(self, obj: TaskAssignment) -> str:
        return user_link(obj.user)

    @display(description=gettext_lazy("Reward"))
    def display_reward(self, obj: TaskAssignment) -> str:
        return reward_cell(obj.task)

    @display(description=gettext_lazy("Proof link"))
    def display_proof(self, obj: TaskAssignment) -> str:
        return format_html('<span class="msg-proof">{}</span>', outside_link(obj.proof_link, shorten=PROOF_LINK_SHOWN))

    @display(description=gettext_lazy("Submitted · waiting"), ordering="submitted_at")
    def display_submitted(self, obj: TaskAssignment) -> str:
        if obj.status != AssignmentStatus.SUBMITTED:
            return date_cell(obj.submitted_at)
        return format_html(
            '<span class="msg-cell">{}<br><span class="text-base-500 dark:text-base-400" data-waiting>{}</span></span>',
            date_cell(obj.submitted_at),
            waited(obj.submitted_at),
        )

    @display(description=gettext_lazy("Approvals"))
    def display_approvals(self, obj: TaskAssignment) -> str:
        return approvals_text(obj)

    @display(description=gettext_lazy("Status"), label=ASSIGNMENT_LABELS, ordering="status")
    def display_status(self, obj: TaskAssignment):
        return obj.status, obj.status_text

    @display(description=gettext_lazy("Status"))
    def display_status_label(self, obj: TaskAssignment) -> str:
        return label(obj.status_text, ASSIGNMENT_LABELS.get(obj.status, "default"))

    @display(description=gettext_lazy("Conversation"))
    def display_thread(self, obj: TaskAssignment) -> str:
        url = reverse("admin:messaging_thread_change", args=(obj.thread_id,))
        return format_html('<a href="{}" class="{}">#{}</a>', url, LINK_CLASS, obj.thread_id)

    # --- the review dialogs (on each row of the queue and on the proof's page) ---------------------------

    @action(
        description=gettext_lazy("Approve"),
        permissions=["review"],
        icon="check_circle",
        variant=ActionVariant.SUCCESS,
        dialog=APPROVE_DIALOG,
    )
    def approve(self, request: HttpRequest, form, object_id) -> HttpResponse:
        note = form.cleaned_data["note"]
        return self._review(
            request,
            form,
            APPROVE_DIALOG,
            lambda: assignment_approve(assignment_id=object_id, staff=request.user, note=note),
            _approved_message,
        )

    @action(
        description=gettext_lazy("Reject"),
        permissions=["review"],
        icon="cancel",
        variant=ActionVariant.DANGER,
        dialog=REJECT_DIALOG,
    )
    def reject(self, request: HttpRequest, form, object_id) -> HttpResponse:
        note = form.cleaned_data["admin_note"]
        return self._review(
            request,
            form,
            REJECT_DIALOG,
            lambda: assignment_reject(assignment_id=object_id, staff=request.user, note=note),
            lambda assignment: _("The proof was rejected; the investor was told why."),
        )

    def _review(self, request: HttpRequest, form, dialog: dict, call, done) -> HttpResponse:
        """Run the service (see ``dialog_service_call``); then back to the page the dialog was on."""
        return dialog_service_call(
            self,
            request,
            form=form,
            dialog=dialog,
            call=call,
            done=done,
            redirect_url=back_to_page(request, reverse(PROOFS_URL)),
        )


def _approved_message(assignment: TaskAssignment) -> str:
    if assignment.status == AssignmentStatus.APPROVED and not assignment.pays_reward:
        return _("The proof was approved (a task without a reward: nothing was paid); %(email)s was told.") % {
            "email": assignment.user.email
        }
    if assignment.status == AssignmentStatus.APPROVED:
        return _("The proof was approved: %(amount)s was paid to %(email)s.") % {
            "amount": money(assignment.task.reward, assignment.task.currency),
            "email": assignment.user.email,
        }
    return _("First approval recorded. A second staff member must approve to pay the reward.")
