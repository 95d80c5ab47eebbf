"""Staff endpoints: every investor's investments, and plan management. Each checks ``is_staff``
and a Django permission; plan changes go through the plan services, which record who changed
what. Deleting a plan deactivates it: investors no longer see it, open positions keep their terms."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.schema import NOT_AUTHENTICATED, bad_request, error_response
from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from apps.investments import selectors
from apps.investments.api import serializers
from apps.investments.models import PositionStatus
from apps.investments.services.plans import plan_create, plan_deactivate, plan_update
from apps.wallet.api.permissions import StaffWithPermission
from apps.wallet.api.serializers import MAX_ID
from apps.wallet.api.views.common import enum_parameter, query_params

ADMIN_TAG = "admin"
STAFF_ONLY = error_response("Not staff, or without the Django permission this action needs.", "permission_denied")
PLAN_NOT_FOUND = error_response("No such plan.", "not_found")
# Business errors of the plan services, each on its field (``invalid`` also covers `max_amount`
# below `min_amount`, an out-of-range `duration_days` or `display_order`, and a blank `name`).
PLAN_CODES = (("invalid_amount", "min_amount"), ("invalid_rate", "daily_return_rate"), ("invalid", "duration_days"))


class MethodPermissionsMixin:
    """``staff_permissions`` for ``StaffWithPermission``, chosen by the request's method (HEAD
    and OPTIONS need what GET needs)."""

    method_permissions: dict[str, tuple[str, ...]] = {}

    @property
    def staff_permissions(self) -> tuple[str, ...]:
        method = "GET" if self.request.method in ("HEAD", "OPTIONS") else self.request.method
        return self.method_permissions.get(method, ())


@contextmanager
def api_field_names() -> Iterator[None]:
    """A plan service's error about ``daily_rate`` or ``term_days`` names the API's field."""
    try:
        yield
    except ApplicationError as error:
        error.field = serializers.API_FIELD_NAMES.get(error.field, error.field)
        raise


def _pack_data(plan) -> dict:
    return serializers.AdminPackSerializer(plan).data


class AdminInvestmentListView(ListAPIView):
    """Needs ``investments.view_position`` (or ``change``)."""

    permission_classes = [StaffWithPermission]
    staff_permissions = ("investments.view_position", "investments.change_position")
    serializer_class = serializers.AdminInvestmentSerializer

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Every investor's investments, newest first",
        parameters=[
            enum_parameter("status", PositionStatus.values, "Only investments in this status."),
            OpenApiParameter("user", int, OpenApiParameter.QUERY, required=False, description="Only this user's."),
        ],
        responses={
            200: serializers.AdminInvestmentSerializer(many=True),
            400: bad_request(),
            401: NOT_AUTHENTICATED,
            403: STAFF_ONLY,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = query_params(serializers.AdminInvestmentQuerySerializer, self.request)
        return selectors.investment_list_for_staff(status=filters.get("status"), user_id=filters.get("user"))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": business_date_today()}


class AdminPackListView(MethodPermissionsMixin, ListAPIView):
    """Listing needs ``investments.view_plan`` (or ``change``); creating, ``investments.add_plan``."""

    permission_classes = [StaffWithPermission]
    method_permissions = {
        "GET": ("investments.view_plan", "investments.change_plan"),
        "POST": ("investments.add_plan",),
    }
    serializer_class = serializers.AdminPackSerializer

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Every plan, offered or not, in display order",
        responses={200: serializers.AdminPackSerializer(many=True), 401: NOT_AUTHENTICATED, 403: STAFF_ONLY},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.plan_list_for_staff()

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Create a plan",
        description=(
            "`payout_schedule` defaults to `daily`, `capital_back` and `is_active` to true. The change is "
            "recorded in the plan's history with the caller as its author."
        ),
        request=serializers.PackWriteSerializer,
        responses={
            201: serializers.AdminPackSerializer,
            400: bad_request(*PLAN_CODES),
            401: NOT_AUTHENTICATED,
            403: STAFF_ONLY,
        },
    )
    def post(self, request):
        serializer = serializers.PackWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with api_field_names():
            plan = plan_create(actor=request.user, **serializer.plan_fields())
        return Response(_pack_data(plan), status=status.HTTP_201_CREATED)


class AdminPackDetailView(MethodPermissionsMixin, APIView):
    """Reading needs ``investments.view_plan`` (or ``change``); changing and deactivating,
    ``investments.change_plan``."""

    permission_classes = [StaffWithPermission]
    method_permissions = {
        "GET": ("investments.view_plan", "investments.change_plan"),
        "PATCH": ("investments.change_plan",),
        "DELETE": ("investments.change_plan",),
    }

    @staticmethod
    def _plan_id(plan_id: int) -> int:
        if plan_id > MAX_ID:
            raise ApplicationError(_("No such plan."), code="not_found", status_code=404)
        return plan_id

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="One plan",
        responses={200: serializers.AdminPackSerializer, 401: NOT_AUTHENTICATED, 403: STAFF_ONLY, 404: PLAN_NOT_FOUND},
    )
    def get(self, request, plan_id: int):
        plan = selectors.plan_get_for_staff(plan_id=self._plan_id(plan_id))
        if plan is None:
            raise ApplicationError(_("No such plan."), code="not_found", status_code=404)
        return Response(_pack_data(plan))

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Change a plan",
        description=(
            "Any subset of the fields. Open investments keep the terms they were bought with. The change is "
            "recorded in the plan's history with the caller as its author."
        ),
        request=serializers.PackWriteSerializer(partial=True),
        responses={
            200: serializers.AdminPackSerializer,
            400: bad_request(*PLAN_CODES),
            401: NOT_AUTHENTICATED,
            403: STAFF_ONLY,
            404: PLAN_NOT_FOUND,
        },
    )
    def patch(self, request, plan_id: int):
        serializer = serializers.PackWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with api_field_names():
            plan = plan_update(plan_id=self._plan_id(plan_id), actor=request.user, fields=serializer.plan_fields())
        return Response(_pack_data(plan))

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Withdraw a plan from offer (it is deactivated, never deleted)",
        description="Investors no longer see or buy it; open investments are unaffected. Returns the plan.",
        responses={200: serializers.AdminPackSerializer, 401: NOT_AUTHENTICATED, 403: STAFF_ONLY, 404: PLAN_NOT_FOUND},
    )
    def delete(self, request, plan_id: int):
        plan = plan_deactivate(plan_id=self._plan_id(plan_id), actor=request.user)
        return Response(_pack_data(plan))
