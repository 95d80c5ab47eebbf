"""The thread page and its writes, mixed into ``ThreadAdmin``.

The page is the conversation (investor and staff apart, internal notes marked, files as links to
the permission-checked file view), the investor's context, the task card of a task thread and the
thread's log, with the reply box (canned replies filled in for the thread), the note box and the
status, priority, category and assignee controls; reading it moves the reader's read pointer.
Every write is a service call (``services.threads``) by staff who handle threads (anyone else:
403); a refusal is a message and, on the reply and note boxes, an error under the text, which is
kept. Files are limited while they stream in: the limit is installed before the body is read,
then the CSRF check runs (the views are ``csrf_exempt`` in the URLs for that reason)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from apps.common.errors import ApplicationError
from apps.kyc.uploads import upload_limit_install
from apps.messaging.admin.common import PRIORITY_LABELS, THREAD_STATUS_LABELS, due_text, form_errors_from, label
from apps.messaging.admin.context import investor_panel, task_card
from apps.messaging.admin.events import event_rows
from apps.messaging.admin.files import VIEW_PERMISSION as FILE_PERMISSION
from apps.messaging.admin.forms import NewConversationForm, NoteForm, ReplyForm, ThreadPropertiesForm
from apps.messaging.models import MessageKind, Thread, ThreadKind
from apps.messaging.selectors import thread_events, thread_get_for_user, thread_messages_for_user, thread_read_pointer
from apps.messaging.selectors.backoffice import canned_reply_get_active, canned_reply_list_active, thread_event_people
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

OPEN_PERMISSION = "messaging.add_thread"


class ThreadPageMixin:
    """The change view of a thread (no generic change form) and the views its forms post to."""

    def has_handle_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(HANDLE_PERMISSION)

    def has_open_permission(self, request: HttpRequest) -> bool:
        return self.has_handle_permission(request) and request.user.has_perm(OPEN_PERMISSION)

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
