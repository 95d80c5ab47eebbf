"""Conversations for new clients (Bursar additions): an investor's tickets and the staff inbox,
one conversation with its messages, replies with files, and the staff actions (internal note,
assign, status, priority, category). Investors reach only their own conversations (anything else
is a 404); staff need ``messaging.view_thread`` to read and ``messaging.handle_thread`` to act."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.filters import search_parameter
from apps.common.api.schema import NOT_AUTHENTICATED, bad_request, error_response
from apps.messaging.api.serializers import threads as serializers
from apps.messaging.api.views.common import (
    ATTACHMENT_CODES,
    HANDLE_FORBIDDEN,
    SEND_THROTTLED,
    STAFF_ONLY,
    TEXT_CODES,
    THREAD_NOT_FOUND,
    THREADS_TAG,
    InvestorOrStaffWithPermission,
    UploadMixin,
    api_field_names,
    is_multipart,
    parse,
    path_id,
    query_params,
)
from apps.messaging.models import ThreadCategory, ThreadPriority, ThreadStatus
from apps.messaging.selectors import threads as thread_selectors
from apps.messaging.selectors.threads import QUEUES
from apps.messaging.services import threads as thread_services
from apps.wallet.api.permissions import StaffWithPermission
from apps.wallet.api.views.common import enum_parameter

VIEW = "messaging.view_thread"
HANDLE = thread_services.HANDLE_PERMISSION
PATH_THREAD_ID = path_id("thread_id", "The conversation's id.")


def _thread_rows(*, many: bool = False) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="ThreadRow",
        serializers=[serializers.ThreadSerializer, serializers.StaffThreadSerializer],
        resource_type_field_name=None,
        many=many,
    )


THREAD_ROW = _thread_rows()
THREAD_DETAIL = PolymorphicProxySerializer(
    component_name="ThreadWithMessages",
    serializers=[serializers.ThreadDetailSerializer, serializers.StaffThreadDetailSerializer],
    resource_type_field_name=None,
)
THREAD_CLOSED = error_response("The conversation is closed: open a new one.", "thread_closed")
READ_PERMISSIONS = {"GET": (VIEW,), "POST": (VIEW,)}
WRITE_PERMISSIONS = {"GET": (VIEW,), "POST": (VIEW, HANDLE)}


def thread_row_data(request, thread_id: int) -> dict:
    thread = thread_selectors.thread_row_for_user(thread_id=thread_id, user=request.user)
    serializer_class = serializers.StaffThreadSerializer if request.user.is_staff else serializers.ThreadSerializer
    return serializer_class(thread, context={"request": request}).data


def thread_detail_data(request, thread_id: int) -> dict:
    user = request.user
    thread = thread_selectors.thread_row_for_user(thread_id=thread_id, user=user)
    context = {"request": request, "messages": thread_selectors.thread_messages_for_user(thread=thread, user=user)}
    if not user.is_staff:
        return serializers.ThreadDetailSerializer(thread, context=context).data
    context["events"] = thread_selectors.thread_events(thread=thread)
    return serializers.StaffThreadDetailSerializer(thread, context=context).data


def message_data(request, message) -> dict:
    return serializers.ThreadMessageSerializer(message, context={"request": request}).data


def _text_and_files(request, plain, multipart) -> dict:
    return parse(multipart if is_multipart(request) else plain, request)


class ThreadListView(UploadMixin, ListAPIView):
    permission_classes = [InvestorOrStaffWithPermission]
    staff_method_permissions = WRITE_PERMISSIONS

    def get_serializer_class(self):
        return serializers.StaffThreadSerializer if self.request.user.is_staff else serializers.ThreadSerializer

    def get_queryset(self):
        user = self.request.user
        # Checked for everyone (a bad value is a 400, as the schema says), applied for staff only.
        filters = query_params(serializers.ThreadFilterSerializer, self.request)
        if not user.is_staff:
            return thread_selectors.thread_list_for_investor(user=user)
        return thread_selectors.thread_list_for_staff(user=user, **filters)

    @extend_schema(
        tags=[THREADS_TAG],
        summary="Conversations: the investor's own, or a staff inbox queue",
        description=(
            "**Investors**: their conversations, those with unread staff messages first, then the most recent "
            "(`unread` counts them); the query filters do not apply. **Staff** (`messaging.view_thread`): one "
            "queue (default `waiting_staff`), narrowed by `status`, `priority`, `category` and `search` (a "
            "ticket number, part of the investor's email or of the subject); answers due soonest first."
        ),
        parameters=[
            enum_parameter("queue", list(QUEUES), "Staff: the inbox queue (default `waiting_staff`)."),
            enum_parameter("status", ThreadStatus.values, "Staff: only conversations in this status."),
            enum_parameter("priority", ThreadPriority.values, "Staff: only this priority."),
            enum_parameter("category", ThreadCategory.values, "Staff: only this category."),
            search_parameter("Staff: see above."),
        ],
        responses={200: _thread_rows(many=True), 400: bad_request(), 401: NOT_AUTHENTICATED, 403: STAFF_ONLY},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[THREADS_TAG],
        summary="Open a conversation: a support ticket (investor) or a direct conversation (staff)",
        description=(
            "JSON, or `multipart/form-data` with up to three `attachments`. **Investors** open a ticket "
            "(`subject`, `message`, optional `category`); staff owe a first answer within the SLA. **Staff** "
            "(`messaging.handle_thread` and `messaging.add_thread`) write to the investor `investor_id`; the "
            "conversation is assigned to them and waits on the investor, who is notified. A refusal stores "
            "nothing. Investors may send `MESSAGE_SEND_LIMIT_PER_HOUR` messages an hour."
        ),
        request={
            "application/json": serializers.ThreadCreateSerializer,
            "multipart/form-data": serializers.ThreadCreateMultipartSerializer,
        },
        responses={
            201: THREAD_DETAIL,
            400: bad_request(
                *TEXT_CODES,
                *ATTACHMENT_CODES,
                ("recipient_not_found", "investor_id"),
                ("recipient_is_staff", "investor_id"),
                ("recipient_inactive", "investor_id"),
            ),
            401: NOT_AUTHENTICATED,
            403: HANDLE_FORBIDDEN,
            415: error_response("The body is neither JSON nor `multipart/form-data`.", "unsupported_media_type"),
            429: SEND_THROTTLED,
        },
    )
    def post(self, request):
        data = _text_and_files(request, serializers.ThreadCreateSerializer, serializers.ThreadCreateMultipartSerializer)
        fields = {
            "subject": data.get("subject", ""),  # missing is blank: the service refuses it (None skipped the check)
            "body": data.get("message"),
            "category": data.get("category") or ThreadCategory.OTHER,
            "attachments": data.get("attachments", ()),
        }
        if request.user.is_staff:
            with api_field_names({"recipient_id": "investor_id"}):
                thread = thread_services.thread_open_by_staff(
                    staff=request.user, investor_id=data["investor_id"], **fields
                )
        else:
            thread = thread_services.thread_open_by_investor(investor=request.user, **fields)
        return Response(thread_detail_data(request, thread.pk), status=status.HTTP_201_CREATED)


class ThreadDetailView(APIView):
    permission_classes = [InvestorOrStaffWithPermission]
    staff_method_permissions = READ_PERMISSIONS

    @extend_schema(
        tags=[THREADS_TAG],
        summary="One conversation with its messages (oldest first)",
        description=(
            "Investors: one of their own, without internal notes. Staff (`messaging.view_thread`): any, with "
            "internal notes (`is_internal`) and the event log. Reading it does not mark it read (see `read/`)."
        ),
        parameters=[PATH_THREAD_ID],
        responses={200: THREAD_DETAIL, 401: NOT_AUTHENTICATED, 403: STAFF_ONLY, 404: THREAD_NOT_FOUND},
    )
    def get(self, request, thread_id: int):
        return Response(thread_detail_data(request, thread_id))


class ThreadReplyView(UploadMixin, APIView):
    permission_classes = [InvestorOrStaffWithPermission]
    staff_method_permissions = WRITE_PERMISSIONS

    @extend_schema(
        tags=[THREADS_TAG],
        summary="Reply in a conversation (JSON, or multipart with attachments)",
        description=(
            "An investor's reply makes staff owe an answer (a resolved conversation reopens; a closed one "
            "refuses). A staff reply (`messaging.handle_thread`) makes it wait on the investor, who is notified; "
            "the first to answer an unassigned conversation takes it."
        ),
        parameters=[PATH_THREAD_ID],
        request={
            "application/json": serializers.ReplySerializer,
            "multipart/form-data": serializers.ReplyMultipartSerializer,
        },
        responses={
            201: serializers.ThreadMessageSerializer,
            400: bad_request(*TEXT_CODES[2:], *ATTACHMENT_CODES),
            401: NOT_AUTHENTICATED,
            403: HANDLE_FORBIDDEN,
            404: THREAD_NOT_FOUND,
            409: THREAD_CLOSED,
            415: error_response("The body is neither JSON nor `multipart/form-data`.", "unsupported_media_type"),
            429: SEND_THROTTLED,
        },
    )
    def post(self, request, thread_id: int):
        data = _text_and_files(request, serializers.ReplySerializer, serializers.ReplyMultipartSerializer)
        message = thread_services.thread_reply(
            thread_id=thread_id, author=request.user, body=data.get("message"), attachments=data.get("attachments", ())
        )
        return Response(message_data(request, message), status=status.HTTP_201_CREATED)


class ThreadReadView(APIView):
    permission_classes = [InvestorOrStaffWithPermission]
    staff_method_permissions = READ_PERMISSIONS

    @extend_schema(
        tags=[THREADS_TAG],
        summary="Mark a conversation read (all of it, or up to `message_id`)",
        parameters=[PATH_THREAD_ID],
        request=serializers.ReadSerializer,
        responses={200: THREAD_ROW, 400: bad_request(), 401: NOT_AUTHENTICATED, 403: STAFF_ONLY, 404: THREAD_NOT_FOUND},
    )
    def post(self, request, thread_id: int):
        data = parse(serializers.ReadSerializer, request)
        thread_services.thread_mark_read(
            thread_id=thread_id, user=request.user, through_message_id=data.get("message_id")
        )
        return Response(thread_row_data(request, thread_id))


# --- Staff actions ---------------------------------------------------------------------------------


class _StaffThreadAction(APIView):
    """Needs ``messaging.handle_thread`` (and ``messaging.view_thread`` to see the result)."""

    permission_classes = [StaffWithPermission]
    staff_permissions = (HANDLE,)


def _staff_action_schema(summary: str, request_serializer, *codes, description: str = "", created: bool = False):
    return extend_schema(
        tags=[THREADS_TAG],
        summary=summary,
        description=f"Staff with `messaging.handle_thread`. {description}".strip(),
        parameters=[PATH_THREAD_ID],
        request=request_serializer,
        responses={
            (201 if created else 200): serializers.ThreadMessageSerializer
            if created
            else serializers.StaffThreadSerializer,
            400: bad_request(*codes),
            401: NOT_AUTHENTICATED,
            403: STAFF_ONLY,
            404: THREAD_NOT_FOUND,
        },
    )


class ThreadNoteView(_StaffThreadAction):
    @_staff_action_schema(
        "Add an internal note (staff only, never shown to the investor)",
        serializers.NoteSerializer,
        *TEXT_CODES[2:4],
        description="It changes no status and no SLA.",
        created=True,
    )
    def post(self, request, thread_id: int):
        data = parse(serializers.NoteSerializer, request)
        with api_field_names({"body": "message"}):
            message = thread_services.thread_note_add(thread_id=thread_id, staff=request.user, body=data.get("message"))
        return Response(message_data(request, message), status=status.HTTP_201_CREATED)


class ThreadAssignView(_StaffThreadAction):
    @_staff_action_schema(
        'Assign the conversation (`"me"` claims it; null unassigns)',
        serializers.AssignSerializer,
        ("invalid_assignee", "assignee_id"),
        description="The assignee must be active staff who may handle threads; they are notified.",
    )
    def post(self, request, thread_id: int):
        data = parse(serializers.AssignSerializer, request)
        with api_field_names({"assignee": "assignee_id"}):
            thread_services.thread_assign(thread_id=thread_id, actor=request.user, assignee_id=data["assignee_id"])
        return Response(thread_row_data(request, thread_id))


class ThreadStatusView(_StaffThreadAction):
    @_staff_action_schema(
        "Change the status",
        serializers.StatusSerializer,
        description="Open and waiting-on-staff conversations run the SLA clock; the change is logged.",
    )
    def post(self, request, thread_id: int):
        data = parse(serializers.StatusSerializer, request)
        thread_services.thread_status_set(thread_id=thread_id, actor=request.user, status=data["status"])
        return Response(thread_row_data(request, thread_id))


class ThreadPriorityView(_StaffThreadAction):
    @_staff_action_schema(
        "Change the priority",
        serializers.PrioritySerializer,
        description="The answer's due time follows the new priority; the change is logged.",
    )
    def post(self, request, thread_id: int):
        data = parse(serializers.PrioritySerializer, request)
        thread_services.thread_priority_set(thread_id=thread_id, actor=request.user, priority=data["priority"])
        return Response(thread_row_data(request, thread_id))


class ThreadCategoryView(_StaffThreadAction):
    @_staff_action_schema("Change the category", serializers.CategorySerializer, description="The change is logged.")
    def post(self, request, thread_id: int):
        data = parse(serializers.CategorySerializer, request)
        thread_services.thread_category_set(thread_id=thread_id, actor=request.user, category=data["category"])
        return Response(thread_row_data(request, thread_id))
