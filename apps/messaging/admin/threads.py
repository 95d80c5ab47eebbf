"""The support inbox: the Thread changelist (its change view is the thread page,
``thread_page.ThreadPageMixin``).

The inbox shows one queue at a time ("unassigned", "mine", "breached", "waiting on staff", all;
``selectors.QUEUES``) with its counters and this staff member's unread markers, the most urgent
first, filters, and a search by ticket number, investor email or subject; a fixed number of
queries whatever the number of threads. Conversations are opened with "New conversation"
(``thread_open_by_staff``), never through the generic add form."""

from django.contrib import admin
from django.contrib.admin.views.main import (
    ERROR_FLAG,
    IS_FACETS_VAR,
    IS_POPUP_VAR,
    ORDER_VAR,
    PAGE_VAR,
    TO_FIELD_VAR,
)
from django.db.models import F
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from unfold.contrib.filters.admin import AutocompleteSelectFilter, ChoicesDropdownFilter, DropdownFilter
from unfold.decorators import display
from unfold.views import ChangeList

from apps.backoffice.changelist import ModelAdmin
from apps.messaging.admin.common import PRIORITY_LABELS, THREAD_STATUS_LABELS, due_text
from apps.messaging.admin.files import attachment_file_view
from apps.messaging.admin.thread_page import ThreadPageMixin
from apps.messaging.models import Thread, ThreadKind
from apps.messaging.selectors import QUEUES, queue_counts, thread_queue
from apps.messaging.selectors.backoffice import thread_search
from apps.messaging.selectors.threads import DEFAULT_QUEUE
from apps.messaging.services.threads import assignable_staff
from apps.wallet.admin.base import short_date, user_link

QUEUE_PARAM = "queue"
# Query parameters that page or sort a list without narrowing what it holds.
NOT_NARROWING = {ORDER_VAR, PAGE_VAR, ERROR_FLAG, IS_FACETS_VAR, IS_POPUP_VAR, TO_FIELD_VAR}


def inbox_queue(request: HttpRequest) -> str:
    """The queue the inbox shows: the one asked for; else all threads when a search or filter
    narrows the list; else the default queue (waiting on staff)."""
    key = request.GET.get(QUEUE_PARAM)
    if key in QUEUES:
        return key
    narrowed = any(value for name, value in request.GET.items() if name not in NOT_NARROWING)
    return "all" if narrowed else DEFAULT_QUEUE


class InboxChangeList(ChangeList):
    """``?queue=`` chooses the queue (``get_queryset``): it is no field lookup, but it stays in the
    links of the list (pages, sorting, search, filters). The column headers show the queue's own
    order (``ThreadAdmin.get_ordering``), not the model's."""

    def __init__(self, request: HttpRequest, *args, **kwargs):
        self.inbox_request = request
        super().__init__(request, *args, **kwargs)

    def get_filters_params(self, params=None):
        params = super().get_filters_params(params)
        params.pop(QUEUE_PARAM, None)
        return params

    def _get_default_ordering(self):
        return self.model_admin.get_ordering(self.inbox_request)


class AssigneeFilter(DropdownFilter):
    """The staff who handle threads, and "nobody"."""

    title = gettext_lazy("assignee")
    parameter_name = "assignee"

    def lookups(self, request: HttpRequest, model_admin):
        return [("none", _("Nobody")), *[(str(member.pk), member.email) for member in assignable_staff()]]

    def queryset(self, request: HttpRequest, queryset):
        value = self.value() or ""
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value.isdigit() and len(value) <= 18:
            return queryset.filter(assignee_id=int(value))
        return queryset


@admin.register(Thread)
class ThreadAdmin(ThreadPageMixin, ModelAdmin):
    list_display = (
        "display_ticket",
        "display_subject",
        "display_investor",
        "display_status",
        "display_priority",
        "display_assignee",
        "display_due",
        "display_last_message",
    )
    list_display_links = ("display_ticket", "display_subject")
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("priority", ChoicesDropdownFilter),
        ("category", ChoicesDropdownFilter),
        ("kind", ChoicesDropdownFilter),
        AssigneeFilter,
        ("investor", AutocompleteSelectFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("subject",)  # the search itself is ``thread_search``
    search_help_text = gettext_lazy("Ticket number (#123 or 123), investor email or subject")
    list_before_template = "backoffice/messaging/inbox_queues.html"
    actions = None

    class Media:
        css = {"all": ("backoffice/messaging/admin.css",)}

    def get_queryset(self, request: HttpRequest):
        """The inbox's queue on the list (``changelist_view`` chose it); every thread elsewhere."""
        return thread_queue(queue=getattr(request, "_inbox_queue", "all"), user=request.user)

    def get_ordering(self, request: HttpRequest):
        """The most urgent first (the answer due soonest) in the queues staff work through; the
        latest activity first in "all"."""
        if getattr(request, "_inbox_queue", "all") == "all":
            return ("-last_message_at",)
        return (F("response_due_at").asc(nulls_last=True), "-last_message_at")

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        return thread_search(queryset, search_term), False

    def get_changelist(self, request: HttpRequest, **kwargs):
        return InboxChangeList

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Conversations are opened with "New conversation" (``thread_open_by_staff``)."""
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    # --- the inbox --------------------------------------------------------------------------------

    def changelist_view(self, request: HttpRequest, extra_context=None):
        queue = inbox_queue(request)
        request._inbox_queue = queue
        counts = queue_counts(user=request.user)
        url = reverse("admin:messaging_thread_changelist")
        queues = [
            {
                "key": key,
                "label": label_text,
                "url": f"{url}?{urlencode({QUEUE_PARAM: key})}",
                "active": key == queue,
                "danger": key == "breached",
                **counts[key],
            }
            for key, (label_text, _condition) in QUEUES.items()
        ]
        context = {
            "title": _("Support inbox"),
            "inbox_queues": queues,
            "inbox_queue": queue,
            "new_conversation_url": reverse("admin:messaging_thread_new") if self.has_open_permission(request) else "",
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    @display(description=gettext_lazy("Ticket"), ordering="id")
    def display_ticket(self, obj: Thread) -> str:
        return format_html('<span class="font-medium whitespace-nowrap">{}</span>', obj.ticket_number)

    @display(description=gettext_lazy("Subject · category"), ordering="subject")
    def display_subject(self, obj: Thread) -> str:
        """The subject (bold, marked "new", when the investor wrote since you last read), and
        under it the category and, unless a support ticket, the kind of thread."""
        unread = getattr(obj, "staff_unread", False)
        details = [obj.get_category_display()]
        if obj.kind != ThreadKind.SUPPORT:
            details.append(obj.get_kind_display())
        return format_html(
            '<span class="msg-subject">{}{}<br><span class="text-base-500 dark:text-base-400" data-category>{}</span>'
            "</span>",
            format_html(
                '<span class="msg-unread" title="{}" data-unread>{}</span> ',
                _("The investor wrote since you last read this thread"),
                _("New"),
            )
            if unread
            else "",
            format_html('<strong dir="auto">{}</strong>', obj.subject)
            if unread
            else format_html('<bdi dir="auto">{}</bdi>', obj.subject),
            " · ".join(str(detail) for detail in details),
        )

    @display(description=gettext_lazy("Investor"), ordering="investor__email")
    def display_investor(self, obj: Thread) -> str:
        return user_link(obj.investor)

    @display(description=gettext_lazy("Status"), label=THREAD_STATUS_LABELS, ordering="status")
    def display_status(self, obj: Thread):
        return obj.status, obj.get_status_display()

    @display(description=gettext_lazy("Priority"), label=PRIORITY_LABELS)
    def display_priority(self, obj: Thread):
        return obj.priority, obj.get_priority_display()

    @display(description=gettext_lazy("Assignee"), ordering="assignee__email")
    def display_assignee(self, obj: Thread) -> str:
        """The first name (the email in the tooltip): the column stays narrow."""
        if obj.assignee is None:
            return "-"
        short = obj.assignee.first_name or obj.assignee.email.split("@")[0]
        return format_html('<span title="{}" data-assignee="{}">{}</span>', obj.assignee.email, obj.assignee_id, short)

    @display(description=gettext_lazy("Answer due"), ordering="response_due_at")
    def display_due(self, obj: Thread) -> str:
        return due_text(obj)

    @display(description=gettext_lazy("Last message"), ordering="last_message_at")
    def display_last_message(self, obj: Thread) -> str:
        return format_html(
            '<span class="whitespace-nowrap" title="{}">{}</span>',
            short_date(obj.last_message_at),
            _("%(time)s ago") % {"time": timesince(obj.last_message_at, depth=1)},
        )

    # --- URLs -------------------------------------------------------------------------------------

    def get_urls(self):
        def view(function, **kwargs):
            return self.admin_site.admin_view(function, **kwargs)

        return [
            path("new/", view(csrf_exempt(self.new_conversation_view)), name="messaging_thread_new"),
            path(
                "attachment/<int:attachment_id>/",
                view(attachment_file_view, cacheable=True),
                name="messaging_attachment_view",
            ),
            path("<int:thread_id>/reply/", view(csrf_exempt(self.reply_view)), name="messaging_thread_reply"),
            path("<int:thread_id>/note/", view(self.note_view), name="messaging_thread_note"),
            path("<int:thread_id>/properties/", view(self.properties_view), name="messaging_thread_properties"),
            path(
                "<int:thread_id>/canned/<int:canned_reply_id>/",
                view(self.canned_view),
                name="messaging_thread_canned",
            ),
            *super().get_urls(),
        ]
