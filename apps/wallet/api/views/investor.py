"""The investor's wallet endpoints: parse with a serializer, call one service or selector, render.

Money-moving POSTs accept an ``Idempotency-Key`` header (see ``apps.wallet.api.idempotency``).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.schema import NOT_AUTHENTICATED, bad_request
from apps.wallet import selectors
from apps.wallet.api import serializers
from apps.wallet.api.idempotency import (
    IDEMPOTENCY_KEY_INVALID,
    IDEMPOTENCY_KEY_PARAMETER,
    IdempotentAPIView,
    idempotency_conflict,
)
from apps.wallet.api.views.common import AMOUNT_CODES, NOT_FOUND, enum_parameter, query_params
from apps.wallet.services import deposits, withdrawals
from apps.wallet.services import transactions as transaction_services

TRANSACTIONS_TAG = "transactions"
USERS_TAG = "users"


def _transaction_row(*, user, transaction_id: int) -> dict:
    row = selectors.transaction_request_get_for_user(user=user, transaction_id=transaction_id)
    return serializers.TransactionSerializer(row).data


TRANSACTIONS_DESCRIPTION = (
    "Deposit and withdrawal requests with their status, and every other movement on the available "
    "balance (adjustments, investments, returns, commissions, rewards, reversals), each with the "
    "balance it left. Requests are dated when they were made."
)
TRANSACTION_FILTERS = [
    enum_parameter("type", serializers.API_TRANSACTION_TYPES, "Only rows of this type."),
    enum_parameter("status", selectors.TRANSACTION_STATUSES, "Only rows in this status."),
]
HISTORY_LIMIT = 100


def _transactions_for(request):
    filters = query_params(serializers.TransactionFilterSerializer, request)
    transaction_type = filters.get("type")
    return selectors.transaction_rows_for_user(
        user=request.user,
        transaction_type=serializers.LEDGER_TYPE_NAMES.get(transaction_type, transaction_type),
        status=filters.get("status"),
    )


class TransactionListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.TransactionSerializer

    @extend_schema(
        tags=[TRANSACTIONS_TAG],
        summary="The caller's activity: requests and ledger movements, newest first",
        description=TRANSACTIONS_DESCRIPTION,
        parameters=TRANSACTION_FILTERS,
        responses={200: serializers.TransactionSerializer(many=True), 400: bad_request(), 401: NOT_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return _transactions_for(self.request)


class TransactionHistoryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TRANSACTIONS_TAG],
        summary=f"The caller's newest {HISTORY_LIMIT} activity rows, as a plain array",
        description=(
            f"{TRANSACTIONS_DESCRIPTION} The original system's form: a plain array (no pagination), capped at "
            f"the newest {HISTORY_LIMIT} rows; `transactions/` pages through all of them."
        ),
        parameters=TRANSACTION_FILTERS,
        responses={
            200: serializers.TransactionSerializer(many=True),
            400: bad_request(),
            401: NOT_AUTHENTICATED,
        },
    )
    def get(self, request):
        rows = _transactions_for(request)[:HISTORY_LIMIT]
        return Response(serializers.TransactionSerializer(rows, many=True).data)


class DepositCreateView(IdempotentAPIView):
    paused_by_maintenance = True
    permission_classes = [IsAuthenticated]
    idempotency_scope = "transactions/deposit"

    @extend_schema(
        tags=[TRANSACTIONS_TAG],
        summary="Ask for a deposit (pending until staff approve it)",
        description="Within `DEPOSIT_MIN`…`DEPOSIT_MAX`. A transaction hash can be used for one deposit only.",
        request=serializers.DepositCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: serializers.TransactionSerializer,
            400: bad_request(*AMOUNT_CODES, ("duplicate_hash", "transaction_hash"), IDEMPOTENCY_KEY_INVALID),
            401: NOT_AUTHENTICATED,
            409: idempotency_conflict("Idempotency-Key conflict."),
        },
    )
    def post(self, request):
        serializer = serializers.DepositCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def create() -> Response:
            deposit = deposits.deposit_request_create(
                user=request.user,
                amount=data["amount"],
                method=data.get("method", ""),
                sender_address=data.get("wallet_address", ""),
                transaction_hash=data.get("transaction_hash", ""),
            )
            body = _transaction_row(user=request.user, transaction_id=deposit.pk)
            return Response(body, status=status.HTTP_201_CREATED)

        return self.idempotent(request, create)


class WithdrawalCreateView(IdempotentAPIView):
    paused_by_maintenance = True
    permission_classes = [IsAuthenticated]
    idempotency_scope = "transactions/withdraw"

    @extend_schema(
        tags=[TRANSACTIONS_TAG],
        summary="Ask for a withdrawal: amount + fee are held at once",
        description=(
            "Needs an approved KYC (when `KYC_REQUIRED_FOR_WITHDRAWAL`), an amount within `WITHDRAWAL_MIN`…"
            "`WITHDRAWAL_MAX` and the daily limit, and enough available balance for amount + fee. Above "
            "`FOUR_EYES_THRESHOLD` two staff members must approve it."
        ),
        request=serializers.WithdrawalCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: serializers.TransactionSerializer,
            400: bad_request(
                *AMOUNT_CODES,
                ("daily_limit_exceeded", "amount"),
                "insufficient_balance",
                "kyc_required",
                IDEMPOTENCY_KEY_INVALID,
            ),
            401: NOT_AUTHENTICATED,
            409: idempotency_conflict("Idempotency-Key conflict."),
        },
    )
    def post(self, request):
        serializer = serializers.WithdrawalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def create() -> Response:
            withdrawal = withdrawals.withdrawal_request_create(
                user=request.user, amount=data["amount"], address=data["wallet_address"]
            )
            body = _transaction_row(user=request.user, transaction_id=withdrawal.pk)
            return Response(body, status=status.HTTP_201_CREATED)

        return self.idempotent(request, create)


class TransactionCancelView(IdempotentAPIView):
    paused_by_maintenance = True
    permission_classes = [IsAuthenticated]
    idempotency_scope = "transactions/cancel"

    @extend_schema(
        tags=[TRANSACTIONS_TAG],
        summary="Cancel one of the caller's pending deposits or withdrawals",
        description=(
            "A withdrawal's held funds (amount + fee) go back to the available balance. A deposit is simply "
            "closed; its transaction hash stays used. Another investor's request is a 404."
        ),
        request=serializers.TransactionIdSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            200: serializers.TransactionSerializer,
            400: bad_request(IDEMPOTENCY_KEY_INVALID),
            401: NOT_AUTHENTICATED,
            404: NOT_FOUND,
            409: idempotency_conflict("The request is no longer pending.", "already_reviewed"),
        },
    )
    def post(self, request):
        serializer = serializers.TransactionIdSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transaction_id = serializer.validated_data["transaction_id"]

        def cancel() -> Response:
            transaction_services.transaction_cancel(user=request.user, transaction_id=transaction_id)
            return Response(_transaction_row(user=request.user, transaction_id=transaction_id))

        return self.idempotent(request, cancel)


class DepositAddressListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TRANSACTIONS_TAG],
        summary="Where to send deposits: the platform's active addresses",
        description="A plain array (a short list), ordered by network.",
        responses={200: serializers.DepositAddressSerializer(many=True), 401: NOT_AUTHENTICATED},
    )
    def get(self, request):
        addresses = selectors.deposit_address_list_active()
        return Response(serializers.DepositAddressSerializer(addresses, many=True).data)


class UserStatsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[USERS_TAG],
        summary="The caller's dashboard figures",
        description=(
            "The same figures as the investor portal's dashboard, from the same selector. `pending_withdrawals` "
            "is a count (as in the original system; Bursar returned the pending amount under this name until "
            "2026-12) and `pending_withdrawals_amount` their sum."
        ),
        responses={200: serializers.UserStatsSerializer, 401: NOT_AUTHENTICATED},
    )
    def get(self, request):
        return Response(serializers.UserStatsSerializer(selectors.user_stats_get(user=request.user)).data)
