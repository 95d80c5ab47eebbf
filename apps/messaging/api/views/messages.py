"""The original API's message endpoints (``messages/*``): the caller's messages as one flat list,
sending (a ticket, a reply, a direct message, or a task for one investor), marking read and
submitting a task's proof. The original client's forms (the id in the path, its field names) are
thin adapters over the same views."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.paths import path_id_parse
from apps.common.api.schema import NOT_AUTHENTICATED, bad_request, error_response
from apps.common.errors import ApplicationError
from apps.messaging.api.serializers import messages as serializers
from apps.messaging.api.serializers.fields import EmptySerializer
from apps.messaging.api.views.common import (
    MESSAGE_NOT_FOUND,
    MESSAGES_TAG,
    SEND_THROTTLED,
    TEXT_CODES,
    api_field_names,
    parse,
    path_id,
)
from apps.messaging.models import ThreadCategory
from apps.messaging.selectors import messages as message_selectors
from apps.messaging.selectors import tasks as task_selectors
from apps.messaging.services import tasks as task_services
from apps.messaging.services import threads as thread_services

#: ``task_create``'s names → the fields of ``messages/send/``.
TASK_FIELD_NAMES = {"title": "subject", "instructions_en": "message", "platform": "offer_platform"}
PATH_MESSAGE_ID = path_id("message_id", "The message's id (the original client's form).")
PROOF_CODES = (("link_required", "submitted_link"), ("invalid_link", "submitted_link"))
PROOF_CONFLICT = error_response(
    "The task was declined, has expired, or its proof waits for review or was approved.",
    "task_declined",
    "task_expired",
    "proof_pending",
    "already_approved",
)


def message_data(request, message_id: int) -> dict:
    """The caller's message in the original shape (it was just written or changed by them)."""
    message = message_selectors.message_get_for_user(message_id=message_id, user=request.user)
    return serializers.MessageSerializer(message, context={"request": request}).data


def visible_message(request, message_id: int):
    message = message_selectors.message_get_for_user(message_id=message_id, user=request.user)
    if message is None:
        raise ApplicationError(_("No such message."), code="not_found", status_code=404)
    return message


class MessageListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.MessageSerializer

    @extend_schema(
        tags=[MESSAGES_TAG],
        summary="The caller's messages, newest first",
        description=(
            "An investor: every message of their conversations (tickets, direct messages, tasks), never an "
            "internal note. Staff: what they sent, and the messages of the conversations assigned to them. "
            "`is_read` is from the caller's side. For conversations, prefer `threads/`."
        ),
        responses={200: serializers.MessageSerializer(many=True), 400: bad_request(), 401: NOT_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return message_selectors.message_list_for_user(user=self.request.user).prefetch_related("attachments")


class MessageSendView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[MESSAGES_TAG],
        summary="Send a message: a new conversation, a reply, or (staff) a task",
        description=(
            "**Investors** write to support: without `thread_id` a new ticket (`subject`, `message`, optional "
            "`category`), with it a reply in one of their conversations (a resolved one reopens). A "
            "`recipient`/`recipient_id` that is a staff member also means support; any other id is refused "
            "(`recipient_not_allowed`). **Staff** (`messaging.handle_thread` and `messaging.add_thread`): with "
            "`thread_id` a reply; otherwise `recipient_id` (or `recipient`) names the investor of a new direct "
            "conversation. With `offer_platform` (or `offer_details.platform`) the message is a task for that one "
            "investor (needs `messaging.add_task`) and the answer is the task message: with `reward` its budget "
            "is one reward, paid once when a proof is approved; without `reward` it is a task without a reward "
            "(the original client's custom offer: the proof is approved or rejected, nothing is paid; `reward` "
            "is then null). `reward` without a platform, or `0`, is refused. Investors may send "
            "`MESSAGE_SEND_LIMIT_PER_HOUR` messages an hour."
        ),
        request=serializers.MessageSendSerializer,
        responses={
            201: serializers.MessageSerializer,
            400: bad_request(
                *TEXT_CODES,
                ("recipient_not_allowed", "recipient_id"),
                ("recipient_not_found", "recipient_id"),
                ("recipient_is_staff", "recipient_id"),
                ("recipient_inactive", "recipient_id"),
                ("invalid_choice", "category"),
                ("invalid_amount", "reward"),
                ("invalid_expiry", "expires_at"),
            ),
            401: NOT_AUTHENTICATED,
            403: error_response(
                "An investor asking for a task, or staff without the permission (`messaging.handle_thread`, "
                "`messaging.add_thread`, `messaging.add_task`).",
                "permission_denied",
            ),
            404: error_response("No such conversation, or not one of the caller's.", "not_found"),
            409: error_response("The conversation is closed: open a new one.", "thread_closed"),
            429: SEND_THROTTLED,
        },
    )
    def post(self, request):
        data = parse(serializers.MessageSendSerializer, request)
        sender = _staff_send if request.user.is_staff else _investor_send
        message_id = sender(request.user, data)
        return Response(message_data(request, message_id), status=status.HTTP_201_CREATED)


def _investor_send(user, data: dict) -> int:
    if data["offer_platform"]:
        raise ApplicationError(_("Only staff create tasks."), code="permission_denied", status_code=403)
    message_selectors.message_recipient_check_for_investor(user=user, recipient_id=data["recipient_id"])
    if data.get("thread_id"):
        return thread_services.thread_reply(thread_id=data["thread_id"], author=user, body=data.get("message")).pk
    thread = thread_services.thread_open_by_investor(
        investor=user,
        subject=data.get("subject", ""),  # missing is blank, which the service refuses (None skipped its check)
        category=data.get("category") or ThreadCategory.OTHER,
        body=data.get("message"),
    )
    return thread.last_investor_message_id


def _staff_send(user, data: dict) -> int:
    if data.get("thread_id"):
        return thread_services.thread_reply(thread_id=data["thread_id"], author=user, body=data.get("message")).pk
    if data["recipient_id"] is None:
        raise ValidationError({"recipient_id": [_("This field is required.")]})
    if data["offer_platform"]:
        with api_field_names(TASK_FIELD_NAMES):
            task = task_services.task_create(
                staff=user,
                title=data.get("subject", ""),
                instructions_en=data.get("message"),
                platform=data["offer_platform"],
                reward=data.get("reward"),
                expires_at=data.get("expires_at"),
                recipient_id=data["recipient_id"],
            )
        return task_selectors.task_message_id(task=task)
    thread = thread_services.thread_open_by_staff(
        staff=user,
        investor_id=data["recipient_id"],
        subject=data.get("subject", ""),
        body=data.get("message"),
        category=data.get("category") or ThreadCategory.OTHER,
    )
    return thread.last_staff_message_id


MARK_READ_DESCRIPTION = (
    "Moves the caller's read pointer of the message's conversation up to this message (never back). "
    "Another user's message is a 404."
)


class MessageMarkReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[MESSAGES_TAG],
        summary="Mark a message (and the conversation up to it) read",
        description=MARK_READ_DESCRIPTION,
        request=serializers.MessageIdSerializer,
        responses={
            200: serializers.MessageSerializer,
            400: bad_request(),
            401: NOT_AUTHENTICATED,
            404: MESSAGE_NOT_FOUND,
        },
    )
    def post(self, request):
        return self.mark_read(request, parse(serializers.MessageIdSerializer, request)["message_id"])

    def mark_read(self, request, message_id: int) -> Response:
        message = visible_message(request, message_id)
        thread_services.thread_mark_read(thread_id=message.thread_id, user=request.user, through_message_id=message.pk)
        return Response(message_data(request, message.pk))


class MessageMarkReadByPathView(MessageMarkReadView):
    @extend_schema(
        operation_id="messages_mark_read_by_path",
        tags=[MESSAGES_TAG],
        summary="Mark a message read (the original client's form: the id in the path, no body)",
        description=MARK_READ_DESCRIPTION,
        parameters=[PATH_MESSAGE_ID],
        request=None,
        responses={
            200: serializers.MessageSerializer,
            400: bad_request(),
            401: NOT_AUTHENTICATED,
            404: MESSAGE_NOT_FOUND,
        },
    )
    def post(self, request, message_id: str):
        message_id = path_id_parse(message_id, field="message_id")
        parse(EmptySerializer, request)
        return self.mark_read(request, message_id)


SUBMIT_DESCRIPTION = (
    "For a task message sent to the caller: the proof link (http or https), submitted (or, after a rejection, "
    "submitted again) before the task expires; an offered task is accepted by it. Counts towards the "
    "hourly send limit. Another user's message is a 404."
)
SUBMIT_RESPONSES = {
    200: serializers.MessageSerializer,
    400: bad_request(*PROOF_CODES),
    401: NOT_AUTHENTICATED,
    404: error_response("No such message, or it is not a task sent to the caller.", "not_found"),
    409: PROOF_CONFLICT,
    429: SEND_THROTTLED,
}


class MessageSubmitLinkView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[MESSAGES_TAG],
        summary="Submit a task's proof link",
        description=SUBMIT_DESCRIPTION,
        request=serializers.SubmitLinkSerializer,
        responses=SUBMIT_RESPONSES,
    )
    def post(self, request):
        data = parse(serializers.SubmitLinkSerializer, request)
        return self.submit(request, data["message_id"], data["submitted_link"])

    def submit(self, request, message_id: int, link) -> Response:
        message = visible_message(request, message_id)
        assignment_id = task_selectors.assignment_id_for_message(message_id=message.pk)
        task_services.assignment_proof_submit(assignment_id=assignment_id, user=request.user, link=link)
        return Response(message_data(request, message.pk))


class MessageSubmitLinkByPathView(MessageSubmitLinkView):
    @extend_schema(
        operation_id="messages_submit_link_by_path",
        tags=[MESSAGES_TAG],
        summary="Submit a task's proof link (the original client's form: the id in the path, `{link}`)",
        description=SUBMIT_DESCRIPTION,
        parameters=[PATH_MESSAGE_ID],
        request=serializers.SubmitLinkPathSerializer,
        responses=SUBMIT_RESPONSES,
    )
    def post(self, request, message_id: str):
        message_id = path_id_parse(message_id, field="message_id")
        data = parse(serializers.SubmitLinkPathSerializer, request)
        return self.submit(request, message_id, data["submitted_link"])
