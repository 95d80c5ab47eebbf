"""Referral endpoints: the caller's code, figures and referred users; the public catalogue of
referral packs; the staff list of top referrers. Each view calls one selector and renders."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.pagination import Pagination
from apps.common.api.schema import NOT_AUTHENTICATED, bad_request, error_response
from apps.referrals import selectors
from apps.referrals.api import serializers
from apps.wallet.api.permissions import StaffWithPermission

REFERRALS_TAG = "referrals"
ADMIN_TAG = "admin"
STATS_REFERRALS_MAX = serializers.STATS_REFERRALS_MAX


class MyCodeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[REFERRALS_TAG],
        summary="The caller's referral code and sign-up link",
        responses={200: serializers.ReferralCodeSerializer, 401: NOT_AUTHENTICATED},
    )
    def get(self, request):
        link = selectors.referral_link_for_user(user=request.user)
        return Response({"referral_code": request.user.referral_code, "referral_link": link})


class StatsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[REFERRALS_TAG],
        summary="The caller's referral figures and milestone progress",
        description=(
            "`total_referrals` counts referred users (not investments); a qualified referral is a referred user "
            "who has bought at least one plan. Milestones are granted automatically (no claim): `awarded` "
            "turns true once the reward is paid. `referrals` lists the newest "
            f"{STATS_REFERRALS_MAX} referred users (the rows of `referrals/my-referrals/`)."
        ),
        responses={200: serializers.ReferralStatsSerializer, 401: NOT_AUTHENTICATED},
    )
    def get(self, request):
        stats = selectors.referral_stats_for_user(user=request.user)
        referrals = selectors.referral_list_for_user(user=request.user)[:STATS_REFERRALS_MAX]
        return Response(serializers.ReferralStatsSerializer({**vars(stats), "referrals": referrals}).data)


class PacksView(APIView):
    # No authentication at all, so a stale ``Authorization`` header never turns it into a 401.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=[REFERRALS_TAG],
        summary="Active referral milestones (public)",
        description="A plain array (a short catalogue), in display order.",
        responses={200: serializers.ReferralPackSerializer(many=True)},
    )
    def get(self, request):
        return Response(serializers.ReferralPackSerializer(selectors.milestone_list_active(), many=True).data)


class MyReferralsView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.MyReferralSerializer

    @extend_schema(
        tags=[REFERRALS_TAG],
        summary="The users the caller referred, newest first",
        description="First name, join date, whether they invested and the commission earned from them; never "
        "their email or balance.",
        responses={200: serializers.MyReferralSerializer(many=True), 400: bad_request(), 401: NOT_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.referral_list_for_user(user=self.request.user)


class AffiliatePagination(Pagination):
    """The page of referrers, with the programme's summary beside it: the original client's
    affiliates screen reads `total_referrals`, `total_commissions`, `active_referrers` and
    `top_referrers` from this response."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        summary = selectors.affiliate_summary_for_staff()
        top = selectors.referrer_list_for_staff()[: selectors.AFFILIATE_TOP]
        response.data.update(serializers.AffiliateSummarySerializer(summary).data)
        response.data["top_referrers"] = serializers.AffiliateSerializer(top, many=True).data
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        summary = {
            "total_referrals": {"type": "integer", "description": "Users who signed up with someone's code."},
            "total_commissions": {
                "type": "string",
                "format": "decimal",
                "description": "Every referral commission paid, all levels.",
            },
            "active_referrers": {"type": "integer", "description": "Users who earned at least one commission."},
            "top_referrers": {
                "type": "array",
                "items": schema["items"],
                "description": f"The first {selectors.AFFILIATE_TOP} referrers of the list's order.",
            },
        }
        paginated["properties"].update(summary)
        paginated["required"] = [*paginated.get("required", []), *summary]
        return paginated


class AdminAffiliatesView(ListAPIView):
    """Needs ``referrals.view_referrer``."""

    permission_classes = [StaffWithPermission]
    staff_permissions = ("referrals.view_referrer",)
    serializer_class = serializers.AffiliateSerializer
    pagination_class = AffiliatePagination

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Top referrers: users who referred someone, best first",
        description=(
            "Needs `referrals.view_referrer`. Every user who referred at least one user (deactivated ones "
            "too), ordered by qualified referrals, then commissions earned, then referred users; paginated. "
            "A qualified referral is a referred user who has bought at least one plan. Beside the page, the "
            "programme's summary the original client's affiliates screen reads: `total_referrals`, "
            "`total_commissions`, `active_referrers` and `top_referrers`."
        ),
        responses={
            200: serializers.AffiliateSerializer(many=True),
            400: bad_request(),
            401: NOT_AUTHENTICATED,
            403: error_response("Not staff, or without `referrals.view_referrer`.", "permission_denied"),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.referrer_list_for_staff()
