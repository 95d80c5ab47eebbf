"""The investor's messages: the list of conversations and tasks, a new message to support, a
conversation with its reply form and, for a task, the task card with its actions; attachments
are served through the permission-checked, logged ``attachment_view``.

Each view parses the request, calls the messaging services or selectors (which apply every rule
and ownership: another investor's conversation, task or file is a 404), and renders; a refusal
is a form error and stores nothing. Files are limited while they stream in, so the views that
take them are ``csrf_exempt`` and apply ``csrf_protect`` once the limit's handler is installed
(as the KYC page does). Staff answer from the admin inbox: these pages only tell them so.
"""

from dataclasses import dataclass

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.common.errors import ApplicationError
from apps.kyc.responses import private_file_response
from apps.kyc.uploads import upload_limit_install
from apps.messaging import selectors
from apps.messaging.models import AssignmentStatus, MessageKind, TaskAssignment, ThreadKind
from apps.messaging.services import attachments as attachment_services
from apps.messaging.services import tasks as task_services
from apps.messaging.services import threads as thread_services
from apps.portal.forms.messages import ProofForm, ReplyForm, TicketForm

PAGE_SIZE = 20


def _not_found(error: ApplicationError) -> Http404:
    return Http404(error.message)


def _staff_notice(request: HttpRequest) -> HttpResponse:
    """Staff do not write from the portal; they are pointed at the admin inbox."""
    try:
        inbox = reverse("admin:messaging_thread_changelist")
    except NoReverseMatch:
        inbox = reverse("admin:index")
    return render(request, "portal/messages/staff.html", {"inbox_url": inbox})


# --- the list and a new message -----------------------------------------------------------------


@login_required
@require_safe
def message_list(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff:
        return _staff_notice(request)
    threads = selectors.thread_list_for_investor(user=request.user)
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/messages/list.html", {"page": page})


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def message_new(request: HttpRequest) -> HttpResponse:
    upload_limit_install(request)  # before anything reads request.POST or request.FILES
    return _message_new(request)


@csrf_protect
def _message_new(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff:
        return _staff_notice(request)
    form = TicketForm.for_request(request)
    if form.is_bound and form.is_valid():
        try:
            thread = thread_services.thread_open_by_investor(investor=request.user, **form.service_arguments())
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Your message %(number)s was sent. We will answer here and let you know.")
                % {"number": thread.ticket_number},
            )
            return redirect("portal:thread", thread_id=thread.pk)
    return render(request, "portal/messages/new.html", {"form": form})


# --- a conversation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskCard:
    """A task as its recipient sees it, with the actions that apply now (the services decide)."""

    assignment: TaskAssignment
    instructions: str
    expired: bool

    @property
    def task(self):
        return self.assignment.task

    @property
    def can_answer(self) -> bool:
        return self.assignment.status == AssignmentStatus.OFFERED and not self.expired

    @property
    def can_prove(self) -> bool:
        return self.assignment.status in (AssignmentStatus.ACCEPTED, AssignmentStatus.REJECTED) and not self.expired

    @property
    def can_decline(self) -> bool:
        return self.assignment.status in (AssignmentStatus.OFFERED, AssignmentStatus.ACCEPTED) and not self.expired


def _task_card(thread, user) -> TaskCard | None:
    if thread.kind != ThreadKind.TASK:
        return None
    assignment = selectors.assignment_list_for_user(user=user).filter(thread_id=thread.pk).first()
    if assignment is None:
        return None
    task = assignment.task
    return TaskCard(
        assignment=assignment, instructions=task.instructions_for(get_language()), expired=task.is_expired()
    )


def _thread_page(request: HttpRequest, thread_id, *, reply_form=None, proof_form=None, task_error=None):
    """The conversation, its task card and forms; bound forms keep what was typed and show their
    errors. Opening the page (a GET) marks the conversation read; a refused form changes nothing."""
    user = request.user
    try:
        thread = selectors.thread_get_for_user(thread_id=thread_id, user=user)
    except ApplicationError as error:
        raise _not_found(error) from None
    last_read = selectors.thread_read_pointer(thread=thread, user=user)
    visible = selectors.thread_messages_for_user(thread=thread, user=user)
    conversation = [message for message in visible if message.kind != MessageKind.TASK]  # the task: its card
    card = _task_card(thread, user)
    if request.method == "GET":
        thread_services.thread_mark_read(thread_id=thread.pk, user=user)
    context = {
        "thread": thread,
        "conversation": conversation,
        "last_read": last_read,
        "card": card,
        "reply_form": reply_form or ReplyForm(),
        "proof_form": proof_form or ProofForm(),
        "task_error": task_error,
    }
    return render(request, "portal/messages/thread.html", context)


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    upload_limit_install(request)  # before anything reads request.POST or request.FILES
    return _thread(request, thread_id)


@csrf_protect
def _thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    if request.user.is_staff:
        return _staff_notice(request)
    if request.method != "POST":
        return _thread_page(request, thread_id)
    form = ReplyForm(data=request.POST, files=request.FILES)
    if form.is_valid():
        try:
            thread_services.thread_reply(thread_id=thread_id, author=request.user, **form.service_arguments())
        except ApplicationError as error:
            if error.status_code == 404:
                raise _not_found(error) from None
            form.add_service_error(error)
        else:
            messages.success(request, _("Your reply was sent."))
            return redirect(reverse("portal:thread", kwargs={"thread_id": thread_id}) + "#reply")
    return _thread_page(request, thread_id, reply_form=form)


@login_required
@require_safe
def attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """A file of a message: the thread's investor only (anything else is a 404), each view logged."""
    try:
        view = attachment_services.attachment_view(
            attachment_id=attachment_id,
            user=request.user,
            ip_address=get_client_ip_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            via="portal",
        )
    except ApplicationError as error:
        raise _not_found(error) from None
    file = view.attachment
    return private_file_response(url=view.url, open_file=view.open, content_type=file.content_type, filename=file.name)


# --- task actions ------------------------------------------------------------------------------------


def _task_thread_id(request: HttpRequest, assignment_id) -> int:
    try:
        return selectors.assignment_get_for_user(assignment_id=assignment_id, user=request.user).thread_id
    except ApplicationError as error:
        raise _not_found(error) from None


def _task_done(request: HttpRequest, assignment: TaskAssignment, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("portal:thread", kwargs={"thread_id": assignment.thread_id}) + "#task")


def _task_answer(request: HttpRequest, assignment_id, service, done_message: str) -> HttpResponse:
    if request.user.is_staff:
        return _staff_notice(request)
    try:
        assignment = service(assignment_id=assignment_id, user=request.user)
    except ApplicationError as error:
        if error.status_code == 404:
            raise _not_found(error) from None
        return _thread_page(request, _task_thread_id(request, assignment_id), task_error=error.message)
    return _task_done(request, assignment, done_message)


@login_required
@require_POST
def task_accept(request: HttpRequest, assignment_id: int) -> HttpResponse:
    return _task_answer(
        request,
        assignment_id,
        task_services.assignment_accept,
        _("You accepted the task. Do it, then send us the link to your proof."),
    )


@login_required
@require_POST
def task_decline(request: HttpRequest, assignment_id: int) -> HttpResponse:
    return _task_answer(request, assignment_id, task_services.assignment_decline, _("You declined the task."))


@login_required
@require_POST
def task_proof(request: HttpRequest, assignment_id: int) -> HttpResponse:
    if request.user.is_staff:
        return _staff_notice(request)
    form = ProofForm(data=request.POST)
    form.is_valid()  # it refuses nothing: the service checks the link
    try:
        assignment = task_services.assignment_proof_submit(
            assignment_id=assignment_id, user=request.user, **form.service_arguments()
        )
    except ApplicationError as error:
        if error.status_code == 404:
            raise _not_found(error) from None
        thread_id = _task_thread_id(request, assignment_id)
        form.add_service_error(error)
        return _thread_page(request, thread_id, proof_form=form)
    return _task_done(request, assignment, _("Your proof was sent. Staff will review it and tell you."))
