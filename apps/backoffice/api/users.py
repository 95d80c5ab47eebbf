"""Staff endpoints on users (the accounts' paths, served by the back office, which may read
balances): the list with balances, profile changes and (de)activation. Each
checks ``is_staff`` and a Django permission; users are deactivated, never deleted. The original
client's forms with the id in the path (``admin/users/update/<id>/``,
``admin/users/delete/<id>/``) are served beside the original API's id-in-the-body forms."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import services
from apps.accounts.api import serializers
from apps.accounts.models import User
from apps.accounts.selectors import user_change_allowed_for_staff
from apps.backoffice.selectors.users import user_get_for_staff, user_list_for_staff
from apps.common.api.filters import query_params
from apps.common.api.paths import path_id_parameter, path_id_parse
from apps.common.api.permissions import StaffWithPermission
from apps.common.api.schema import NOT_AUTHENTICATED, bad_request, error_response

ADMIN_TAG = "admin"
VIEW_PERMISSION = "accounts.view_user"
CHANGE_PERMISSION = "accounts.change_user"
DEACTIVATE_PERMISSION = "accounts.deactivate_user"
USER_NOT_FOUND = error_response("No such user.", "not_found")
PATH_USER_ID = path_id_parameter("user_id", "The user's id (the original client's form).")
CHANGE_FORBIDDEN = error_response(
    "Not staff; without `accounts.change_user` for profile fields or `accounts.deactivate_user` for "
    "`is_active`; another staff member's account (a superuser's to change); or a superuser's account "
    "deactivated by someone who is not one.",
    "permission_denied",
)
CHANGE_CODES = (
    ("field_not_editable", "email"),
    ("username_taken", "username"),
    ("invalid", "phone"),
    "cannot_deactivate_self",
)


def _admin_user_data(user_id: int) -> dict:
    return serializers.AdminUserSerializer(user_get_for_staff(user_id=user_id)).data


def _parse(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _target(*, actor: User, user_id: int, needed: list[str]) -> User:
    """The user to change, once the caller holds every permission ``needed`` and may change this
    account (403 otherwise; 404 for an unknown id)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("No such user."))
    if not actor.has_perms(needed) or not user_change_allowed_for_staff(actor=actor, user=user):
        raise PermissionDenied(StaffWithPermission.message)
    return user


def _user_change(*, actor: User, user_id: int, changes: dict) -> User:
    """Profile fields and ``is_active`` in one transaction: a refusal of either changes nothing."""
    is_active = changes.pop("is_active", None)
    needed = ([CHANGE_PERMISSION] if changes else []) + ([DEACTIVATE_PERMISSION] if is_active is not None else [])
    user = _target(actor=actor, user_id=user_id, needed=needed)
    with transaction.atomic():
        if is_active is not None:
            user = services.user_active_set(user=user, is_active=is_active, actor=actor)
        if changes:
            services.user_profile_update(user=user, fields=changes, actor=actor)
    return user


class _BodyOnDeleteSchema(AutoSchema):
    """``DELETE admin/users/delete/`` takes its id in a JSON body, as in the original API;
    drf-spectacular documents bodies of PUT, PATCH and POST only."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


def _body_on_delete(function):
    function.schema = _BodyOnDeleteSchema
    return function


class AdminUserListView(ListAPIView):
    """Needs ``accounts.view_user`` (or ``change``)."""

    permission_classes = [StaffWithPermission]
    staff_permissions = (VIEW_PERMISSION, CHANGE_PERMISSION)
    serializer_class = serializers.AdminUserSerializer

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Users with their balances, KYC status and flags, newest first",
        description=(
            "Needs `accounts.view_user`. Deactivated users are listed too (`?is_active=false` lists only "
            "them). Staff accounts are listed with `role` `admin` (`?role=customer` keeps investors only). "
            "`balance` is the available balance."
        ),
        parameters=[serializers.AdminUserFilterSerializer],
        responses={
            200: serializers.AdminUserSerializer(many=True),
            400: bad_request(),
            401: NOT_AUTHENTICATED,
            403: error_response("Not staff, or without `accounts.view_user`.", "permission_denied"),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = query_params(serializers.AdminUserFilterSerializer, self.request)
        role = data.get("role")
        return user_list_for_staff(
            search=data.get("search", ""),
            is_active=data.get("is_active"),
            is_staff=None if role is None else role == "admin",
        )


UPDATE_DESCRIPTION = (
    "Profile fields (`username`, `first_name`, `last_name`, `phone`, `country`, `language`; needs "
    "`accounts.change_user`) and `is_active` (needs `accounts.deactivate_user`; nobody deactivates "
    "themselves). Any other key (email, balances, KYC, referral code, role and staff flags) is refused "
    "with 400 on that key (`field_not_editable`) and nothing changes; a refusal of one change refuses "
    "them all. Another staff member's account is a superuser's to change."
)
UPDATE_RESPONSES = {
    200: serializers.AdminUserSerializer,
    400: bad_request(*CHANGE_CODES),
    401: NOT_AUTHENTICATED,
    403: CHANGE_FORBIDDEN,
    404: USER_NOT_FOUND,
}


class AdminUserUpdateView(APIView):
    permission_classes = [StaffWithPermission]
    staff_permissions = (CHANGE_PERMISSION, DEACTIVATE_PERMISSION)

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Change a user's profile fields or `is_active`",
        description=UPDATE_DESCRIPTION,
        request=serializers.AdminUserUpdateSerializer,
        responses=UPDATE_RESPONSES,
    )
    def patch(self, request):
        changes = _parse(serializers.AdminUserUpdateSerializer, request)
        user_id = changes.pop("user_id")
        _user_change(actor=request.user, user_id=user_id, changes=changes)
        return Response(_admin_user_data(user_id))


class AdminUserUpdateByPathView(APIView):
    permission_classes = [StaffWithPermission]
    staff_permissions = (CHANGE_PERMISSION, DEACTIVATE_PERMISSION)

    @extend_schema(
        operation_id="admin_users_update_by_path",
        tags=[ADMIN_TAG],
        summary="Change a user's profile fields or `is_active` (the original client's form: the id in the path)",
        description=UPDATE_DESCRIPTION,
        request=serializers.AdminUserChangeSerializer,
        parameters=[PATH_USER_ID],
        responses=UPDATE_RESPONSES,
    )
    def patch(self, request, user_id: str):
        user_id = path_id_parse(user_id, field="user_id")
        changes = _parse(serializers.AdminUserChangeSerializer, request)
        _user_change(actor=request.user, user_id=user_id, changes=changes)
        return Response(_admin_user_data(user_id))


DELETE_DESCRIPTION = (
    "Needs `accounts.deactivate_user`. Nothing is deleted (the ledger and the audit trail stay whole): "
    "the user is deactivated, signed out everywhere (their refresh tokens are revoked) and can no longer "
    "sign in; `admin/users/update/` with `is_active: true` reactivates. Deactivating an inactive user "
    "changes nothing. Nobody deactivates themselves."
)
DELETE_RESPONSES = {
    200: serializers.AdminUserMessageSerializer,
    400: bad_request("cannot_deactivate_self"),
    401: NOT_AUTHENTICATED,
    403: CHANGE_FORBIDDEN,
    404: USER_NOT_FOUND,
}


def _deactivated(*, actor: User, user_id: int) -> Response:
    _user_change(actor=actor, user_id=user_id, changes={"is_active": False})
    return Response({"message": _("User deactivated."), "user": _admin_user_data(user_id)})


class AdminUserDeleteView(APIView):
    permission_classes = [StaffWithPermission]
    staff_permissions = (DEACTIVATE_PERMISSION,)

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Deactivate a user (the original API's delete; never a hard delete)",
        description=DELETE_DESCRIPTION + " The id travels in the JSON body, as in the original API.",
        request=serializers.AdminUserDeleteSerializer,
        responses=DELETE_RESPONSES,
    )
    @_body_on_delete
    def delete(self, request):
        data = _parse(serializers.AdminUserDeleteSerializer, request)
        return _deactivated(actor=request.user, user_id=data["user_id"])


class AdminUserDeleteByPathView(APIView):
    permission_classes = [StaffWithPermission]
    staff_permissions = (DEACTIVATE_PERMISSION,)

    @extend_schema(
        operation_id="admin_users_delete_by_path",
        tags=[ADMIN_TAG],
        summary="Deactivate a user (the original client's form: the id in the path, no body)",
        description=DELETE_DESCRIPTION,
        parameters=[PATH_USER_ID],
        responses=DELETE_RESPONSES,
    )
    def delete(self, request, user_id: str):
        user_id = path_id_parse(user_id, field="user_id")
        _parse(serializers.EmptySerializer, request)
        return _deactivated(actor=request.user, user_id=user_id)
