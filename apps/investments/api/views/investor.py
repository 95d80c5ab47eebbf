"""The investor's investment endpoints: parse with a serializer, call one service or selector,
render. Buying a plan moves money and accepts an ``Idempotency-Key`` header."""

from axes.helpers import get_client_ip_address
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.paths import path_id_parameter, path_id_parse
from apps.common.api.schema import MONEY_QUERY_SCHEMA, NOT_AUTHENTICATED, bad_request, error_response
from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from apps.investments import selectors
from apps.investments.api import serializers
from apps.investments.services.positions import investment_open, investment_quote
from apps.wallet.api.idempotency import (
    IDEMPOTENCY_KEY_INVALID,
    IDEMPOTENCY_KEY_PARAMETER,
    IdempotentAPIView,
    idempotency_conflict,
)
from apps.wallet.api.views.common import query_params

INVESTMENTS_TAG = "investments"
MY_INVESTMENTS_LIMIT = 500  # API.md: `investments/my-investments/` lists the newest 500
PACK_AND_AMOUNT_CODES = (
    ("invalid_pack", "pack_id"),
    ("invalid_amount", "amount"),
    ("amount_out_of_range", "amount"),
)


def investment_data(*, user, position_id: int) -> dict:
    position = selectors.investment_get_for_user(user=user, position_id=position_id)
    return serializers.InvestmentSerializer(position, context={"today": business_date_today()}).data


class PackListView(APIView):
    # No authentication at all, so a stale ``Authorization`` header never turns it into a 401.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=[INVESTMENTS_TAG],
        summary="The plans on offer (public)",
        description="Active plans in display order: a plain array, not paginated. No token needed; any is ignored.",
        responses={200: serializers.PackSerializer(many=True)},
    )
    def get(self, request):
        return Response(serializers.PackSerializer(selectors.plan_list_active(), many=True).data)


class InvestmentListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.InvestmentSerializer
    pagination_class = None  # a plain array, as in the original, capped at the newest rows

    @extend_schema(
        tags=[INVESTMENTS_TAG],
        summary=f"The caller's investments, newest first (at most {MY_INVESTMENTS_LIMIT})",
        description=(
            f"A plain array (not paginated), capped at the newest {MY_INVESTMENTS_LIMIT} investments, every "
            "status. `pack` is the plan as `investments/packs/` shows it; `total_return` is what has been "
            "credited so far; see each field."
        ),
        responses={200: serializers.InvestmentSerializer(many=True), 401: NOT_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.investment_list_for_user(user=self.request.user)[:MY_INVESTMENTS_LIMIT]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": business_date_today()}


class InvestmentCreateView(IdempotentAPIView):
    paused_by_maintenance = True
    permission_classes = [IsAuthenticated]
    idempotency_scope = "investments/create"

    @extend_schema(
        tags=[INVESTMENTS_TAG],
        summary="Invest in a plan: the amount moves from the available balance to invested",
        description=(
            "The plan must be active and the amount within its `min_amount`…`max_amount` (inclusive) and at "
            "most the available balance. While the caller has not accepted the plan's current risk disclosure, "
            "`accept_terms: true` is needed and records the acceptance (once per investor, plan and disclosure "
            "version); after that it may be left out. A plan without a risk disclosure needs none; "
            "`accept_terms: false` is always refused (`terms_not_accepted`). The plan's terms as of now are "
            "frozen onto the investment; returns start the next business date. A referrer earns their "
            "commission at once. Returns the investment as `investments/my-investments/` lists it."
        ),
        request=serializers.InvestmentCreateSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: serializers.InvestmentSerializer,
            400: bad_request(
                *PACK_AND_AMOUNT_CODES,
                "insufficient_balance",
                ("terms_not_accepted", "accept_terms"),
                IDEMPOTENCY_KEY_INVALID,
            ),
            401: NOT_AUTHENTICATED,
            409: idempotency_conflict("Idempotency-Key conflict."),
        },
    )
    def post(self, request):
        serializer = serializers.InvestmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def create() -> Response:
            position = investment_open(
                user=request.user,
                plan_id=data["pack_id"],
                amount=data["amount"],
                terms_accepted=data.get("accept_terms"),
                ip_address=get_client_ip_address(request._request),
            )
            body = investment_data(user=request.user, position_id=position.pk)
            return Response(body, status=status.HTTP_201_CREATED)

        return self.idempotent(request, create)


class InvestmentQuoteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[INVESTMENTS_TAG],
        summary="Preview an investment before confirming it",
        description=(
            "Bursar extension. What investing `amount` in the plan today would pay and when; nothing is "
            "reserved and the balance is not checked."
        ),
        parameters=[
            OpenApiParameter("pack_id", int, OpenApiParameter.QUERY, required=True, description="An active plan."),
            OpenApiParameter(
                "amount",
                MONEY_QUERY_SCHEMA,
                OpenApiParameter.QUERY,
                required=True,
                description='e.g. "1000.00" (at most 2 decimals).',
            ),
        ],
        responses={200: serializers.QuoteSerializer, 400: bad_request(*PACK_AND_AMOUNT_CODES), 401: NOT_AUTHENTICATED},
    )
    def get(self, request):
        data = query_params(serializers.QuoteQuerySerializer, request)
        quote = investment_quote(plan_id=data["pack_id"], amount=data["amount"])
        return Response(serializers.QuoteSerializer(quote).data)


class ChartDataView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[INVESTMENTS_TAG],
        summary="The caller's returns over time, cumulative",
        description=(
            "One point per business date, oldest first, ending today: the returns credited to the caller up to "
            "and including that date, all investments summed. `7d`, `30d` and `90d` are that many dates; `all` "
            "(the default) starts on the caller's first purchase date, and is empty before any purchase. An "
            "at-maturity plan's returns are credited on its maturity date. The investor portal's dashboard draws "
            "its returns chart from the same selector (the same values for the same period)."
        ),
        parameters=[
            OpenApiParameter(
                "period",
                str,
                OpenApiParameter.QUERY,
                required=False,
                # Empty is as if not sent (the rule of every query parameter): `all`.
                enum=["", *selectors.CHART_PERIODS],
                default="all",
                description="`7d`, `30d`, `90d` or `all`; missing or empty: `all`.",
            )
        ],
        responses={200: serializers.ChartPointSerializer(many=True), 400: bad_request(), 401: NOT_AUTHENTICATED},
    )
    def get(self, request):
        period = query_params(serializers.ChartQuerySerializer, request)["period"]
        chart = selectors.returns_chart_for_user(user=request.user, period=period)
        return Response(serializers.ChartPointSerializer(chart.days, many=True).data)


class EarningDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[INVESTMENTS_TAG],
        summary="One day's returns, opened into the investments that earned them",
        description=(
            "Bursar extension. `transactions/` shows one `earning` row per day (all of the caller's "
            "investments' returns for that date, credited together); this lists what each investment "
            "earned in it. The amounts sum to the row's `amount`."
        ),
        parameters=[path_id_parameter("transaction_id", "The `id` of an `earning` row of `transactions/`.")],
        responses={
            200: serializers.EarningSerializer,
            400: bad_request(),
            401: NOT_AUTHENTICATED,
            404: error_response("No such earning of the caller's (or a row of another type).", "not_found"),
        },
    )
    def get(self, request, transaction_id: str):
        posting_id = path_id_parse(transaction_id, field="transaction_id")
        earning = selectors.earning_get_for_user(user=request.user, posting_id=posting_id)
        if earning is None:
            raise ApplicationError(_("No such earning."), code="not_found", status_code=404)
        return Response(serializers.EarningSerializer(earning).data)
