"""The support inbox (the Thread changelist) and the thread page.

The inbox shows one queue at a time ("unassigned", "mine", "breached", "waiting on staff", all;
``selectors.QUEUES``) with its counters and this staff member's unread markers, filters, and a
search by ticket number, investor email or subject; a fixed number of queries whatever the number
of threads. The thread page is the conversation (notes marked as such), the investor's context,
the task card of a task thread and the thread's log, with the reply box (canned replies filled in
for the thread), the note box and the status, priority, category and assignee controls. Every
write is a service call (``services.threads``); a refusal is a message (and, on the reply and
note boxes, an error under the text, which is kept)."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import (
    ERROR_FLAG,
    IS_FACETS_VAR,
    IS_POPUP_VAR,
    ORDER_VAR,
    PAGE_VAR,
    TO_FIELD_VAR,
)
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import AutocompleteSelectFilter, ChoicesDropdownFilter, DropdownFilter
from unfold.decorators import display
from unfold.views import ChangeList

from apps.common.errors import ApplicationError
from apps.kyc.uploads import upload_limit_install
from apps.messaging.admin.common import (
    LINK_CLASS,
    PRIORITY_LABELS,
    THREAD_STATUS_LABELS,
    form_errors_from,
    label,
)
from apps.messaging.admin.context import investor_panel, task_card
from apps.messaging.admin.events import event_rows
from apps.messaging.admin.files import VIEW_PERMISSION as FILE_PERMISSION
from apps.messaging.admin.files import attachment_file_view
from apps.messaging.admin.forms import NewConversationForm, NoteForm, ReplyForm, ThreadPropertiesForm
from apps.messaging.models import MessageKind, Thread, ThreadKind
from apps.messaging.selectors import (
    QUEUES,
    queue_counts,
    thread_events,
    thread_get_for_user,
    thread_messages_for_user,
    thread_queue,
    thread_read_pointer,
)
from apps.messaging.selectors.backoffice import (
    canned_reply_get_active,
    canned_reply_list_active,
    thread_event_people,
    thread_search,
)
from apps.messaging.selectors.threads import DEFAULT_QUEUE
from apps.messaging.services.canned import canned_reply_render
from apps.messaging.services.threads import (
    HANDLE_PERMISSION,
    assignable_staff,
    thread_assign,
    thread_category_set,
    thread_mark_read,
    thread_note_add,
    thread_open_by_staff,
    thread_priority_set,
    thread_reply,
    thread_status_set,
)
from apps.wallet.admin.base import short_date, user_link

QUEUE_PARAM = "queue"
# Query parameters that page or sort a list without narrowing what it holds.
NOT_NARROWING = {ORDER_VAR, PAGE_VAR, ERROR_FLAG, IS_FACETS_VAR, IS_POPUP_VAR, TO_FIELD_VAR}
OPEN_PERMISSION = "messaging.add_thread"


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
class ThreadAdmin(ModelAdmin):
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

    def has_handle_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(HANDLE_PERMISSION)

    def has_open_permission(self, request: HttpRequest) -> bool:
        return self.has_handle_permission(request) and request.user.has_perm(OPEN_PERMISSION)

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
            format_html("<strong>{}</strong>", obj.subject) if unread else obj.subject,
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

    # --- the thread page ----------------------------------------------------------------------------

    def change_view(self, request: HttpRequest, object_id, form_url: str = "", extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET"])
        thread = self._thread(request, object_id)
        return self._thread_page(request, thread)

    def _thread(self, request: HttpRequest, thread_id) -> Thread:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return thread_get_for_user(thread_id=thread_id, user=request.user)
        except ApplicationError:
            raise Http404(_("No such conversation.")) from None

    def _handled_thread(self, request: HttpRequest, thread_id) -> Thread:
        """The thread a write is about, for staff who handle threads (anyone else: 403)."""
        thread = self._thread(request, thread_id)
        if not self.has_handle_permission(request):
            raise PermissionDenied
        return thread

    def _thread_page(
        self, request: HttpRequest, thread: Thread, *, reply_form=None, note_form=None, properties_form=None
    ) -> TemplateResponse:
        """The page. Reading it moves this staff member's read pointer to the newest message;
        messages newer than where they had read are marked "new"."""
        user = request.user
        read_through = thread_read_pointer(thread=thread, user=user)
        thread_mark_read(thread_id=thread.pk, user=user)
        can_handle = self.has_handle_permission(request)
        canned = list(canned_reply_list_active()) if can_handle else []
        staff = list(assignable_staff()) if can_handle else []
        events = list(thread_events(thread=thread))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{thread.ticket_number} {thread.subject}",
            "subtitle": None,
            "opts": self.opts,
            "object": thread,
            "original": thread,
            "thread": thread,
            "now": timezone.now(),
            "labels": {
                "status": label(thread.get_status_display(), THREAD_STATUS_LABELS.get(thread.status, "default")),
                "priority": label(thread.get_priority_display(), PRIORITY_LABELS.get(thread.priority, "default")),
            },
            "due": due_text(thread),
            "conversation": message_rows(
                thread_messages_for_user(thread=thread, user=user), thread=thread, user=user, read_through=read_through
            ),
            "events": event_rows(events, people=thread_event_people(events=events)),
            "investor": investor_panel(thread.investor, user=user),
            "task": task_card(thread, user=user) if thread.kind == ThreadKind.TASK else None,
            "can_handle": can_handle,
            "is_assignee": thread.assignee_id == user.pk,
            "reply_form": reply_form or ReplyForm(canned_replies=canned),
            "note_form": note_form or NoteForm(),
            "properties_form": properties_form or properties_form_for(thread, staff),
            "canned_url": reverse("admin:messaging_thread_canned", args=(thread.pk, 0)) if can_handle else "",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "backoffice/messaging/thread.html", context)

    # --- writes --------------------------------------------------------------------------------------

    def reply_view(self, request: HttpRequest, thread_id: int) -> HttpResponse:
        """Send a reply (files limited while they stream in: the limit is installed before the body
        is read, then the CSRF check runs), or insert a canned reply into the text."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        upload_limit_install(request)
        return csrf_protect(self._reply)(request, thread_id)

    def _reply(self, request: HttpRequest, thread_id: int) -> HttpResponse:
        thread = self._handled_thread(request, thread_id)
        canned = list(canned_reply_list_active())
        form = ReplyForm(request.POST, request.FILES, canned_replies=canned)
        if not form.is_valid():
            return self._thread_page(request, thread, reply_form=form)
        if "insert" in request.POST:
            return self._thread_page(request, thread, reply_form=self._with_canned(form, thread, canned))
        try:
            thread_reply(
                thread_id=thread.pk,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ApplicationError as error:
            form_errors_from(form, error, fields={"message": "body", "body": "body", "files": "attachments"})
            self.message_user(request, error.message, messages.ERROR)
            return self._thread_page(request, thread, reply_form=form)
        self.message_user(request, _("Your reply was sent to the investor."), messages.SUCCESS)
        return self._back_to(thread)

    def _with_canned(self, form: ReplyForm, thread: Thread, canned: list) -> ReplyForm:
        """The reply box again with the picked canned reply added to what was typed (no files:
        a browser never sends a file back)."""
        reply = canned_reply_get_active(canned_reply_id=form.cleaned_data["canned"])
        body = form.cleaned_data["body"]
        if reply is not None:
            text = canned_reply_render(canned_reply=reply, thread=thread)
            body = f"{body.rstrip()}\n\n{text}" if body.strip() else text
        return ReplyForm(initial={"body": body, "canned": ""}, canned_replies=canned)

    def note_view(self, request: HttpRequest, thread_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        thread = self._handled_thread(request, thread_id)
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                thread_note_add(thread_id=thread.pk, staff=request.user, body=form.cleaned_data["note"])
            except ApplicationError as error:
                form_errors_from(form, error, fields={"body": "note", "message": "note"})
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, _("The internal note was added."), messages.SUCCESS)
                return self._back_to(thread)
        return self._thread_page(request, thread, note_form=form)

    def properties_view(self, request: HttpRequest, thread_id: int) -> HttpResponse:
        """Status, priority, category and assignee: one service call for each value that changed
        (each its own transaction); "assign to me" posts only the assignee."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        thread = self._handled_thread(request, thread_id)
        changes = [
            (name, value)
            for name in ("assignee", "status", "priority", "category")
            if name in request.POST and (value := request.POST[name]) != _current(thread, name)
        ]
        calls = {
            "assignee": lambda value: thread_assign(thread_id=thread.pk, actor=request.user, assignee_id=value or None),
            "status": lambda value: thread_status_set(thread_id=thread.pk, actor=request.user, status=value),
            "priority": lambda value: thread_priority_set(thread_id=thread.pk, actor=request.user, priority=value),
            "category": lambda value: thread_category_set(thread_id=thread.pk, actor=request.user, category=value),
        }
        done = 0
        for name, value in changes:
            try:
                calls[name](value)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("The thread was updated."), messages.SUCCESS)
        elif not changes:
            self.message_user(request, _("Nothing was changed."), messages.INFO)
        return self._back_to(thread)

    def canned_view(self, request: HttpRequest, thread_id: int, canned_reply_id: int) -> JsonResponse:
        """A canned reply filled in for this thread (the reply box's picker fetches it)."""
        thread = self._handled_thread(request, thread_id)
        reply = canned_reply_get_active(canned_reply_id=canned_reply_id)
        if reply is None:
            raise Http404(_("No such canned reply."))
        return JsonResponse({"text": canned_reply_render(canned_reply=reply, thread=thread)})

    def _back_to(self, thread: Thread) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:messaging_thread_change", args=(thread.pk,)))

    # --- a new conversation ----------------------------------------------------------------------------

    def new_conversation_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_open_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            upload_limit_install(request)
        return csrf_protect(self._new_conversation)(request)

    def _new_conversation(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            form = NewConversationForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    thread = thread_open_by_staff(
                        staff=request.user,
                        investor_id=data["investor"].pk,
                        subject=data["subject"],
                        category=data["category"],
                        body=data["body"],
                        attachments=data["attachments"],
                    )
                except ApplicationError as error:
                    fields = {"recipient_id": "investor", "message": "body", "files": "attachments"}
                    form_errors_from(form, error, fields=fields)
                else:
                    self.message_user(
                        request,
                        _("%(number)s was opened and the investor was told.") % {"number": thread.ticket_number},
                        messages.SUCCESS,
                    )
                    return self._back_to(thread)
        else:
            form = NewConversationForm(initial={"investor": request.GET.get("investor") or None})
        context = {
            **self.admin_site.each_context(request),
            "title": _("New conversation"),
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "backoffice/messaging/new_conversation.html", context)


def _current(thread: Thread, name: str) -> str:
    if name == "assignee":
        return str(thread.assignee_id or "")
    return getattr(thread, name)


def properties_form_for(thread: Thread, staff: list) -> ThreadPropertiesForm:
    initial = {name: _current(thread, name) for name in ("assignee", "status", "priority", "category")}
    return ThreadPropertiesForm(initial=initial, staff=staff)


def due_text(thread: Thread, now=None) -> str:
    """When the answer is due: red and "overdue by …" once breached; "-" when none is owed."""
    if thread.response_due_at is None:
        return "-"
    now = now or timezone.now()
    if thread.response_due_at < now:
        return format_html(
            '<span class="font-semibold text-red-600 whitespace-nowrap dark:text-red-500" data-breached>{}</span>',
            _("overdue by %(time)s") % {"time": timesince(thread.response_due_at, now, depth=1)},
        )
    return format_html(
        '<span class="whitespace-nowrap" title="{}">{}</span>',
        thread.response_due_at.isoformat(),
        _("in %(time)s") % {"time": timesince(now, thread.response_due_at, depth=1)},
    )


def message_rows(messages_list, *, thread: Thread, user, read_through: int) -> list[dict]:
    """The conversation as the page shows it: who wrote (investor, staff, or a staff note), the
    text (escaped by the template, line breaks kept), the files, and whether it is new to you."""
    rows = []
    can_open_files = user.has_perm(FILE_PERMISSION)
    for message in messages_list:
        from_investor = message.sender_id == thread.investor_id
        side = "note" if message.kind == MessageKind.NOTE else ("investor" if from_investor else "staff")
        rows.append(
            {
                "message": message,
                "side": side,
                "is_task": message.kind == MessageKind.TASK,
                "sender": message.sender.get_full_name() or message.sender.email,
                "sender_email": message.sender.email,
                "is_new": message.pk > read_through and message.sender_id != user.pk,
                "attachments": [
                    {
                        "attachment": attachment,
                        "url": reverse("admin:messaging_attachment_view", args=(attachment.pk,))
                        if can_open_files
                        else "",
                        "icon": "image" if attachment.is_image else "picture_as_pdf",
                    }
                    for attachment in message.attachments.all()
                ],
            }
        )
    return rows


def thread_link(thread: Thread) -> str:
    url = reverse("admin:messaging_thread_change", args=(thread.pk,))
    return format_html('<a href="{}" class="{}">{}</a>', url, LINK_CLASS, thread.ticket_number)
