"""Staff endpoints: the deposit and withdrawal queues, reviews and balance adjustments. Each
checks ``is_staff`` and a Django permission; money-moving POSTs accept an ``Idempotency-Key``."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from apps.accounts.mfa.step_up import STEP_UP_CODES, STEP_UP_PARAMETER, step_up_api_require
from apps.common.api.paths import body_with_path_id, path_form, path_id_parameter
from apps.common.api.schema import NOT_AUTHENTICATED, bad_request, error_response
from apps.wallet import selectors
from apps.wallet.api import serializers
from apps.wallet.api.idempotency import (
    IDEMPOTENCY_KEY_INVALID,
    IDEMPOTENCY_KEY_PARAMETER,
    IdempotentAPIView,
    idempotency_conflict,
)
from apps.wallet.api.permissions import StaffWithPermission
from apps.wallet.api.views.common import AMOUNT_CODES, NOT_FOUND, enum_parameter, query_params
from apps.wallet.models import Deposit, RequestStatus
from apps.wallet.services import adjustments
from apps.wallet.services import transactions as transaction_services

ADMIN_TAG = "admin"
STAFF_ONLY = error_response("Not staff, or without the Django permission this action needs.", "permission_denied")
ADMIN_TRANSACTION = PolymorphicProxySerializer(
    component_name="AdminTransaction",
    serializers={"deposit": serializers.AdminDepositSerializer, "withdrawal": serializers.AdminWithdrawalSerializer},
    resource_type_field_name="type",
)


def _admin_transaction_data(request_object) -> dict:
    if isinstance(request_object, Deposit):
        return serializers.AdminDepositSerializer(request_object).data
    return serializers.AdminWithdrawalSerializer(request_object).data


class StaffListView(ListAPIView):
    permission_classes = [StaffWithPermission]
    staff_permissions: tuple[str, ...] = ()
    selector = None

    def get_queryset(self):
        filters = query_params(serializers.StatusFilterSerializer, self.request)
        return type(self).selector(status=filters.get("status"))


def _staff_list_schema(summary: str, serializer_class):
    return extend_schema(
        tags=[ADMIN_TAG],
        summary=summary,
        parameters=[enum_parameter("status", RequestStatus.values, "Only requests in this status.")],
        responses={
            200: serializer_class(many=True),
            400: bad_request(),
            401: NOT_AUTHENTICATED,
            403: STAFF_ONLY,
        },
    )


class AdminDepositListView(StaffListView):
    """Needs ``wallet.view_deposit`` (or ``change``)."""

    serializer_class = serializers.AdminDepositSerializer
    staff_permissions = ("wallet.view_deposit", "wallet.change_deposit")
    selector = staticmethod(selectors.deposit_list_for_staff)

    @_staff_list_schema("Deposit requests, newest first", serializers.AdminDepositSerializer)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AdminWithdrawalListView(StaffListView):
    """Needs ``wallet.view_withdrawal`` (or ``change``)."""

    serializer_class = serializers.AdminWithdrawalSerializer
    staff_permissions = ("wallet.view_withdrawal", "wallet.change_withdrawal")
    selector = staticmethod(selectors.withdrawal_list_for_staff)

    @_staff_list_schema("Withdrawal requests, newest first", serializers.AdminWithdrawalSerializer)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


REVIEW_FORBIDDEN = error_response(
    "Not staff or without `wallet.change_deposit`/`wallet.change_withdrawal` for this kind of request; "
    "the caller's own request; or the second approval of a withdrawal by its first approver.",
    "permission_denied",
    "own_request",
    "four_eyes_required",
)
APPROVE_FORBIDDEN = error_response(
    "Not staff or without `wallet.change_deposit`/`wallet.change_withdrawal` for this kind of request; "
    "the caller's own request; the second approval of a withdrawal by its first approver; or, for a "
    "withdrawal, a token whose sign-in code is older than `MFA_STEP_UP_MINUTES` and no (or a wrong) `X-OTP`.",
    "permission_denied",
    "own_request",
    "four_eyes_required",
    *STEP_UP_CODES,
)
LOCKED = error_response("Locked out after repeated wrong codes.", "login_locked")


APPROVE_DESCRIPTION = (
    "A deposit is credited to the investor; a `transaction_hash` sent with it is the transfer hash staff "
    "confirm (it must be the investor's, else `hash_mismatch`; when they gave none it becomes the deposit's, "
    "once across deposits), recorded as `confirmed_hash`. A withdrawal is paid out (held funds leave, the fee "
    "goes to fee income) and needs the payout `transaction_hash`; above `FOUR_EYES_THRESHOLD` the first call "
    "records the first approval (no hash needed) and another staff member gives the final one. Approving a "
    "withdrawal asks for a fresh two-factor code (step-up, see the `X-OTP` header)."
)
APPROVE_RESPONSES = {
    200: ADMIN_TRANSACTION,
    400: bad_request(
        ("reason_required", "transaction_hash"),
        ("duplicate_hash", "transaction_hash"),
        ("hash_mismatch", "transaction_hash"),
        IDEMPOTENCY_KEY_INVALID,
    ),
    401: NOT_AUTHENTICATED,
    403: APPROVE_FORBIDDEN,
    404: NOT_FOUND,
    409: idempotency_conflict("The request is no longer pending.", "already_reviewed"),
    429: LOCKED,
}
REJECT_RESPONSES = {
    200: ADMIN_TRANSACTION,
    400: bad_request(("reason_required", "admin_note"), IDEMPOTENCY_KEY_INVALID),
    401: NOT_AUTHENTICATED,
    403: REVIEW_FORBIDDEN,
    404: NOT_FOUND,
    409: idempotency_conflict("The request is no longer pending.", "already_reviewed"),
}
PATH_TRANSACTION_ID = path_id_parameter("transaction_id", "The deposit or withdrawal request's id.")


class _TransactionReviewView(IdempotentAPIView):
    paused_by_maintenance = True
    permission_classes = [StaffWithPermission]
    staff_permissions = ("wallet.change_deposit", "wallet.change_withdrawal")
    serializer_class = None

    def review(self, request, body) -> Response:
        serializer = self.serializer_class(data=body)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self.step_up(request, data)
        return self.idempotent(request, lambda: Response(_admin_transaction_data(self.act(request, data))), body=body)

    def step_up(self, request, data: dict) -> None:
        """Before anything (the idempotency record included): a refused step-up changes nothing."""

    def act(self, request, data: dict):
        raise NotImplementedError


class AdminTransactionApproveView(_TransactionReviewView):
    idempotency_scope = "admin/transactions/approve"
    serializer_class = serializers.TransactionApproveSerializer

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Approve a pending deposit or withdrawal, exactly once",
        description=APPROVE_DESCRIPTION,
        request=serializers.TransactionApproveSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, STEP_UP_PARAMETER],
        responses=APPROVE_RESPONSES,
    )
    def post(self, request):
        return self.review(request, request.data)

    def step_up(self, request, data: dict) -> None:
        if selectors.withdrawal_get_for_staff(withdrawal_id=data["transaction_id"]) is not None:
            step_up_api_require(request=request)

    def act(self, request, data: dict):
        return transaction_services.transaction_approve(
            actor=request.user,
            transaction_id=data["transaction_id"],
            note=data.get("admin_note", ""),
            transaction_hash=data.get("transaction_hash", ""),
        )


class AdminTransactionApproveByPathView(AdminTransactionApproveView):
    @extend_schema(
        operation_id="admin_transactions_approve_by_path",
        tags=[ADMIN_TAG],
        summary="Approve a pending deposit or withdrawal (the original client's form: the id in the path)",
        description=APPROVE_DESCRIPTION + " The same request as the body form, with `transaction_id` from the path.",
        request=path_form(serializers.TransactionApproveSerializer, "transaction_id"),
        parameters=[PATH_TRANSACTION_ID, IDEMPOTENCY_KEY_PARAMETER, STEP_UP_PARAMETER],
        responses=APPROVE_RESPONSES,
    )
    def post(self, request, transaction_id: str):
        return self.review(request, body_with_path_id(request, field="transaction_id", raw=transaction_id))


class AdminTransactionRejectView(_TransactionReviewView):
    idempotency_scope = "admin/transactions/reject"
    serializer_class = serializers.TransactionRejectSerializer

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Reject a pending deposit or withdrawal (a withdrawal's held funds are released)",
        request=serializers.TransactionRejectSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses=REJECT_RESPONSES,
    )
    def post(self, request):
        return self.review(request, request.data)

    def act(self, request, data: dict):
        return transaction_services.transaction_reject(
            actor=request.user, transaction_id=data["transaction_id"], note=data["admin_note"]
        )


class AdminTransactionRejectByPathView(AdminTransactionRejectView):
    @extend_schema(
        operation_id="admin_transactions_reject_by_path",
        tags=[ADMIN_TAG],
        summary="Reject a pending deposit or withdrawal (the original client's form: the id in the path, `{reason}`)",
        description="The same request as the body form, with `transaction_id` from the path.",
        request=path_form(serializers.TransactionRejectSerializer, "transaction_id"),
        parameters=[PATH_TRANSACTION_ID, IDEMPOTENCY_KEY_PARAMETER],
        responses=REJECT_RESPONSES,
    )
    def post(self, request, transaction_id: str):
        return self.review(request, body_with_path_id(request, field="transaction_id", raw=transaction_id))


ADJUSTMENT_FORBIDDEN = error_response(
    "Not staff or without the permission; an adjustment of the caller's own balance; or the maker "
    "checking their own adjustment.",
    "permission_denied",
    "own_request",
    "four_eyes_required",
)
ADJUSTMENT_CREATE_FORBIDDEN = error_response(
    "Not staff or without the permission; an adjustment of the caller's own balance; or a token whose sign-in "
    "code is older than `MFA_STEP_UP_MINUTES` and no (or a wrong) `X-OTP`.",
    "permission_denied",
    "own_request",
    *STEP_UP_CODES,
)


class AdminBalanceAdjustView(IdempotentAPIView):
    paused_by_maintenance = True
    permission_classes = [StaffWithPermission]
    staff_permissions = ("wallet.add_adjustment",)
    idempotency_scope = "admin/users/adjust-balance"

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Credit or debit an investor's balance, with a reason",
        description=(
            "Needs `wallet.add_adjustment`. A ledger entry against the platform's adjustments account, posted "
            "at once (`status` approved), or, above `FOUR_EYES_THRESHOLD`, recorded as `pending` until another "
            "staff member approves it through `admin/adjustments/approve/`. Posting at once is an approval: "
            "it asks for a fresh two-factor code (step-up, see the `X-OTP` header)."
        ),
        request=serializers.AdjustmentCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, STEP_UP_PARAMETER],
        responses={
            201: serializers.AdjustmentSerializer,
            400: bad_request(*AMOUNT_CODES[:1], "insufficient_balance", IDEMPOTENCY_KEY_INVALID),
            401: NOT_AUTHENTICATED,
            403: ADJUSTMENT_CREATE_FORBIDDEN,
            404: error_response("No such user.", "not_found"),
            409: idempotency_conflict("Idempotency-Key conflict."),
            429: LOCKED,
        },
    )
    def post(self, request):
        serializer = serializers.AdjustmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        step_up_api_require(request=request)  # before anything: a refusal changes nothing

        def adjust() -> Response:
            adjustment = adjustments.adjustment_create(
                user_id=data["user_id"],
                amount=data["amount"],
                direction=data["direction"],
                reason=data["reason"],
                maker=request.user,
            )
            return Response(serializers.AdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)

        return self.idempotent(request, adjust)


class AdminAdjustmentApproveView(IdempotentAPIView):
    paused_by_maintenance = True
    permission_classes = [StaffWithPermission]
    staff_permissions = ("wallet.check_adjustment",)
    idempotency_scope = "admin/adjustments/approve"

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Approve (and post) another staff member's pending adjustment",
        description=(
            "Bursar extension. Needs `wallet.check_adjustment`; the maker cannot check their own. Asks for a fresh "
            "two-factor code (step-up, see the `X-OTP` header)."
        ),
        request=serializers.AdjustmentApproveSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, STEP_UP_PARAMETER],
        responses={
            200: serializers.AdjustmentSerializer,
            400: bad_request("insufficient_balance", IDEMPOTENCY_KEY_INVALID),
            401: NOT_AUTHENTICATED,
            403: error_response(
                "Not staff or without the permission; the maker checking their own adjustment; or a token whose "
                "sign-in code is older than `MFA_STEP_UP_MINUTES` and no (or a wrong) `X-OTP`.",
                "permission_denied",
                "own_request",
                "four_eyes_required",
                *STEP_UP_CODES,
            ),
            404: error_response("No such adjustment.", "not_found"),
            409: idempotency_conflict("The adjustment is no longer pending.", "already_reviewed"),
            429: LOCKED,
        },
    )
    def post(self, request):
        serializer = serializers.AdjustmentApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        step_up_api_require(request=request)  # before anything: a refusal changes nothing

        def approve() -> Response:
            adjustment = adjustments.adjustment_approve(
                adjustment_id=data["adjustment_id"], checker=request.user, note=data.get("admin_note", "")
            )
            return Response(serializers.AdjustmentSerializer(adjustment).data)

        return self.idempotent(request, approve)


class AdminAdjustmentRejectView(IdempotentAPIView):
    paused_by_maintenance = True
    permission_classes = [StaffWithPermission]
    staff_permissions = ("wallet.check_adjustment",)
    idempotency_scope = "admin/adjustments/reject"

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Reject another staff member's pending adjustment",
        description="Bursar extension. Needs `wallet.check_adjustment`; the maker cannot check their own.",
        request=serializers.AdjustmentRejectSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            200: serializers.AdjustmentSerializer,
            400: bad_request(IDEMPOTENCY_KEY_INVALID),
            401: NOT_AUTHENTICATED,
            403: ADJUSTMENT_FORBIDDEN,
            404: error_response("No such adjustment.", "not_found"),
            409: idempotency_conflict("The adjustment is no longer pending.", "already_reviewed"),
        },
    )
    def post(self, request):
        serializer = serializers.AdjustmentRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def reject() -> Response:
            adjustment = adjustments.adjustment_reject(
                adjustment_id=data["adjustment_id"], checker=request.user, note=data["admin_note"]
            )
            return Response(serializers.AdjustmentSerializer(adjustment).data)

        return self.idempotent(request, reject)
