"""``GET admin/stats/``: the platform's figures, read by one selector (the staff dashboard's) and
rendered. One gate for the whole figure set: staff who may see every money figure of the
dashboard (see ``STATS_PERMISSIONS``)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.backoffice.api import serializers
from apps.backoffice.dashboard.coverage import COVERAGE_PERMISSIONS
from apps.backoffice.selectors import platform_stats_get
from apps.common.api.permissions import StaffWithPermission
from apps.common.api.schema import NOT_AUTHENTICATED, error_response

ADMIN_TAG = "admin"
# Every figure here is one the dashboard shows under these permissions: head counts and the newest
# investors (users), the deposit and withdrawal queues and totals, and the coverage panel's
# balances, positions (returns, obligations) and treasury. Finance and Operations hold them all;
# Support and KYC review do not. The KYC queue's count and age come with them: the dashboard
# already shows how many investors wait for KYC to anyone who may see users.
STATS_PERMISSIONS = ("accounts.view_user", "wallet.view_deposit", "wallet.view_withdrawal", *COVERAGE_PERMISSIONS)


class StaffWithAllPermissions(StaffWithPermission):
    """Active staff holding every one of the view's ``staff_permissions`` (superusers hold them all)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        return user.has_perms(view.staff_permissions)


def _permission_list() -> str:
    return ", ".join(f"`{permission}`" for permission in STATS_PERMISSIONS)


class AdminStatsView(APIView):
    permission_classes = [StaffWithAllPermissions]
    staff_permissions = STATS_PERMISSIONS

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="The platform's figures: head counts, queues, money in and out, exposure, coverage",
        description=(
            f"Needs every one of {_permission_list()} (held by the Finance and Operations roles). The first "
            "eight fields are the original system's, with its meaning; the others are Bursar's, the same "
            "figures as the staff dashboard. Read in a constant number of queries, whatever the data."
        ),
        responses={
            200: serializers.AdminStatsSerializer,
            401: NOT_AUTHENTICATED,
            403: error_response(f"Not staff, or without one of {_permission_list()}.", "permission_denied"),
        },
    )
    def get(self, request):
        stats = platform_stats_get()
        return Response(serializers.AdminStatsSerializer(stats, context={"measured_at": stats.measured_at}).data)
