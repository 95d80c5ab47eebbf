"""The caller's notifications (Bursar additions): the list, marking read, dismissing an
announcement, and which categories also come by email."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.schema import NOT_AUTHENTICATED, bad_request, error_response
from apps.messaging.api.serializers import tasks as serializers
from apps.messaging.api.serializers.fields import EmptySerializer
from apps.messaging.api.views.common import NOTIFICATIONS_TAG, parse, path_id, query_params
from apps.messaging.selectors import notifications as notification_selectors
from apps.messaging.services import notifications as notification_services
from apps.wallet.api.views.common import enum_parameter


class NotificationListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.NotificationSerializer

    @extend_schema(
        tags=[NOTIFICATIONS_TAG],
        summary="The caller's notifications, newest first",
        description="With `?unread=true`, the unread ones only (their `count` is the unread badge).",
        parameters=[enum_parameter("unread", ["true", "false"], "`true`: only the unread ones.")],
        responses={200: serializers.NotificationSerializer(many=True), 400: bad_request(), 401: NOT_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        if query_params(serializers.NotificationFilterSerializer, self.request)["unread"] == "true":
            return notification_selectors.notification_unread_list_for_user(user=user)
        return notification_selectors.notification_list_for_user(user=user)


class NotificationMarkReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[NOTIFICATIONS_TAG],
        summary="Mark notifications read: the ones named by `ids`, or `all`",
        description="Ids that are not the caller's are ignored.",
        request=serializers.NotificationMarkReadSerializer,
        responses={200: serializers.NotificationMarkReadResultSerializer, 400: bad_request(), 401: NOT_AUTHENTICATED},
    )
    def post(self, request):
        data = parse(serializers.NotificationMarkReadSerializer, request)
        marked = notification_services.notifications_mark_read(user=request.user, ids=data.get("ids"))
        unread = notification_selectors.notification_unread_count(user=request.user)
        return Response(serializers.NotificationMarkReadResultSerializer({"marked": marked, "unread": unread}).data)


class NotificationDismissView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[NOTIFICATIONS_TAG],
        summary="Dismiss an announcement (its banner is no longer shown)",
        parameters=[path_id("notification_id", "The notification's id.")],
        request=None,
        responses={
            200: serializers.NotificationSerializer,
            400: bad_request("not_dismissible"),
            401: NOT_AUTHENTICATED,
            404: error_response("No such notification, or not one of the caller's.", "not_found"),
        },
    )
    def post(self, request, notification_id: int):
        parse(EmptySerializer, request)
        notice = notification_services.notification_dismiss(user=request.user, notification_id=notification_id)
        return Response(serializers.NotificationSerializer(notice).data)


class NotificationPreferencesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[NOTIFICATIONS_TAG],
        summary="Which notifications also come by email",
        description="Every category is on until the caller switches it off; security and account emails always go.",
        responses={200: serializers.PreferencesSerializer, 401: NOT_AUTHENTICATED},
    )
    def get(self, request):
        preference = notification_selectors.notification_preferences_get(user=request.user)
        return Response(serializers.PreferencesSerializer(preference).data)

    @extend_schema(
        tags=[NOTIFICATIONS_TAG],
        summary="Switch email copies of a category on or off",
        description="Only the fields sent change. `email_security` and `email_account` cannot be switched off.",
        request=serializers.PreferencesUpdateSerializer,
        responses={
            200: serializers.PreferencesSerializer,
            400: bad_request(("invalid", "email_security")),
            401: NOT_AUTHENTICATED,
        },
    )
    def patch(self, request):
        data = parse(serializers.PreferencesUpdateSerializer, request)
        preference = notification_services.notification_preferences_update(user=request.user, **data)
        return Response(serializers.PreferencesSerializer(preference).data)
