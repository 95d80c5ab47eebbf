"""The original API's staff message endpoints (``admin/messages/*``): every message, and the
review of task proofs (approval pays the reward once, through the ledger). Each checks
``is_staff`` and a Django permission; reviews accept an ``Idempotency-Key``."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from apps.accounts.mfa.step_up import STEP_UP_CODES, STEP_UP_PARAMETER, step_up_api_require
from apps.common.api.paths import path_id_parse
from apps.common.api.schema import NOT_AUTHENTICATED, bad_request, error_response
from apps.messaging.api.serializers import messages as serializers
from apps.messaging.api.serializers.fields import LINK_STATUSES
from apps.messaging.api.views.common import ADMIN_TAG, STAFF_ONLY, parse, path_id, query_params
from apps.messaging.selectors import messages as message_selectors
from apps.messaging.selectors import tasks as task_selectors
from apps.messaging.services import tasks as task_services
from apps.wallet.api.idempotency import (
    IDEMPOTENCY_KEY_INVALID,
    IDEMPOTENCY_KEY_PARAMETER,
    IdempotentAPIView,
    idempotency_conflict,
)
from apps.wallet.api.permissions import StaffWithPermission
from apps.wallet.api.views.common import enum_parameter

REVIEW_PERMISSION = task_services.REVIEW_PERMISSION
PATH_MESSAGE_ID = path_id("message_id", "The task message's id (the original client's form).")
REVIEW_FORBIDDEN = error_response(
    "Not staff or without `messaging.review_task_proof`; the caller's own proof; or the second approval by the "
    "first approver.",
    "permission_denied",
    "own_request",
    "four_eyes_required",
)
TASK_MESSAGE_NOT_FOUND = error_response("No such task message.", "not_found")


class AdminMessageListView(ListAPIView):
    """Needs ``messaging.view_thread``; staff who may only see tasks get task messages only."""

    permission_classes = [StaffWithPermission]
    staff_permissions = ("messaging.view_thread", "messaging.view_task", "messaging.view_taskassignment")
    serializer_class = serializers.AdminMessageSerializer

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Every message, newest first (internal notes included and flagged)",
        description=(
            "Needs `messaging.view_thread`; with only `messaging.view_task` or `messaging.view_taskassignment` "
            "the list holds task messages only. `is_read` is from the caller's side."
        ),
        parameters=[
            enum_parameter("link_status", LINK_STATUSES[1:], "Task messages whose proof is in this state."),
            enum_parameter("kind", ["reply", "note", "task"], "Only messages of this kind."),
            OpenApiParameter(
                "thread_id", int, OpenApiParameter.QUERY, required=False, description="Only this conversation's."
            ),
        ],
        responses={
            200: serializers.AdminMessageSerializer(many=True),
            400: bad_request(),
            401: NOT_AUTHENTICATED,
            403: STAFF_ONLY,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = query_params(serializers.AdminMessageFilterSerializer, self.request)
        return message_selectors.message_list_for_staff_member(user=self.request.user, **filters).prefetch_related(
            "attachments"
        )


def _review_data(request, message_id: int) -> dict:
    message = message_selectors.message_get_for_review(message_id=message_id, user=request.user)
    return serializers.TaskReviewSerializer(message, context={"request": request}).data


class _ReviewView(IdempotentAPIView):
    """One review action on a task message; the path form scopes its Idempotency-Key to its own
    path (the id is not in its body)."""

    permission_classes = [StaffWithPermission]
    staff_permissions = (REVIEW_PERMISSION,)
    step_up = False  # approvals pay: they ask for a fresh two-factor code

    def review(self, request, message_id: int, note: str) -> Response:
        if self.step_up:
            step_up_api_require(request=request)  # before anything: a refusal changes nothing

        def act() -> Response:
            assignment_id = task_selectors.assignment_id_for_message(message_id=message_id)
            self.perform(assignment_id=assignment_id, staff=request.user, note=note)
            return Response(_review_data(request, message_id))

        return self.idempotent(request, act)

    def scope_to_path(self, message_id: int) -> None:
        self.idempotency_scope = f"{self.idempotency_scope}/{message_id}"


APPROVE_DESCRIPTION = (
    "Needs `messaging.review_task_proof`. Pays the task's reward once (from the platform's task reward "
    "expense account to the investor's available balance), never beyond the task's budget. Above "
    "`FOUR_EYES_THRESHOLD` the first approval is recorded (`approvals_needed` 1, `first_approved_by`) and "
    "another staff member's approval pays. A task without a reward (`reward` null) is approved at once: "
    "nothing is paid, no ledger entry, no second approval; the investor is told their proof was approved. "
    "Every approval asks for a fresh two-factor code (step-up, see the `X-OTP` header)."
)
APPROVE_RESPONSES = {
    200: serializers.TaskReviewSerializer,
    400: bad_request(IDEMPOTENCY_KEY_INVALID),
    401: NOT_AUTHENTICATED,
    403: error_response(
        "Not staff or without `messaging.review_task_proof`; the caller's own proof; the second approval by the "
        "first approver; or a token whose sign-in code is older than `MFA_STEP_UP_MINUTES` and no (or a wrong) "
        "`X-OTP`.",
        "permission_denied",
        "own_request",
        "four_eyes_required",
        *STEP_UP_CODES,
    ),
    404: TASK_MESSAGE_NOT_FOUND,
    429: error_response("Locked out after repeated wrong codes.", "login_locked"),
    409: idempotency_conflict(
        "No proof was submitted, it was already reviewed, or the task's budget is spent.",
        "not_submitted",
        "already_reviewed",
        "budget_exhausted",
    ),
}


class AdminApproveLinkView(_ReviewView):
    paused_by_maintenance = True
    idempotency_scope = "admin/messages/approve-link"
    step_up = True

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Approve a task's proof: pay the reward (if any), exactly once",
        description=APPROVE_DESCRIPTION,
        request=serializers.ApproveLinkSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, STEP_UP_PARAMETER],
        responses=APPROVE_RESPONSES,
    )
    def post(self, request):
        data = parse(serializers.ApproveLinkSerializer, request)
        return self.review(request, data["message_id"], data["admin_note"])

    @staticmethod
    def perform(*, assignment_id: int, staff, note: str) -> None:
        task_services.assignment_approve(assignment_id=assignment_id, staff=staff, note=note)


class AdminApproveLinkByPathView(AdminApproveLinkView):
    @extend_schema(
        operation_id="admin_messages_approve_link_by_path",
        tags=[ADMIN_TAG],
        summary="Approve a task's proof (the original client's form: the id in the path, no body needed)",
        description=APPROVE_DESCRIPTION,
        request=serializers.ApproveLinkPathSerializer,
        parameters=[PATH_MESSAGE_ID, IDEMPOTENCY_KEY_PARAMETER, STEP_UP_PARAMETER],
        responses=APPROVE_RESPONSES,
    )
    def post(self, request, message_id: str):
        message_id = path_id_parse(message_id, field="message_id")
        data = parse(serializers.ApproveLinkPathSerializer, request)
        self.scope_to_path(message_id)
        return self.review(request, message_id, data["admin_note"])


REJECT_DESCRIPTION = (
    "Needs `messaging.review_task_proof`. The investor sees the reason (`admin_note`, or the original "
    "client's `reason`, or `note`) and may submit a new proof until the task expires."
)
REJECT_RESPONSES = {
    **{code: response for code, response in APPROVE_RESPONSES.items() if code != 429},
    403: REVIEW_FORBIDDEN,
    400: bad_request(("reason_required", "admin_note"), IDEMPOTENCY_KEY_INVALID),
    409: idempotency_conflict(
        "No proof was submitted, or it was already reviewed.", "not_submitted", "already_reviewed"
    ),
}


class AdminRejectLinkView(_ReviewView):
    idempotency_scope = "admin/messages/reject-link"

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Reject a task's proof, with the reason",
        description=REJECT_DESCRIPTION,
        request=serializers.RejectLinkSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses=REJECT_RESPONSES,
    )
    def post(self, request):
        data = parse(serializers.RejectLinkSerializer, request)
        return self.review(request, data["message_id"], data["admin_note"])

    @staticmethod
    def perform(*, assignment_id: int, staff, note: str) -> None:
        task_services.assignment_reject(assignment_id=assignment_id, staff=staff, note=note)


class AdminRejectLinkByPathView(AdminRejectLinkView):
    @extend_schema(
        operation_id="admin_messages_reject_link_by_path",
        tags=[ADMIN_TAG],
        summary="Reject a task's proof (the original client's form: the id in the path, `{reason}`)",
        description=REJECT_DESCRIPTION,
        request=serializers.RejectLinkPathSerializer,
        parameters=[PATH_MESSAGE_ID, IDEMPOTENCY_KEY_PARAMETER],
        responses=REJECT_RESPONSES,
    )
    def post(self, request, message_id: str):
        message_id = path_id_parse(message_id, field="message_id")
        data = parse(serializers.RejectLinkPathSerializer, request)
        self.scope_to_path(message_id)
        return self.review(request, message_id, data["admin_note"])
