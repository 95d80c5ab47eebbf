from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class StaffWithPermission(BasePermission):
    """Active staff holding at least one of the view's ``staff_permissions`` (Django model
    permissions such as ``wallet.change_deposit``; superusers hold them all)."""

    message = _("Only staff with the matching permission can do this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        return any(user.has_perm(permission) for permission in view.staff_permissions)
