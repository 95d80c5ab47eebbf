"""Sign-in by email (case-insensitive) or username, for the portal, the admin and the API."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class EmailOrUsernameBackend(ModelBackend):
    """Accepts an email or a username in ``username``.

    Inactive users authenticate (so forms can say "this account is deactivated" instead of
    "wrong password"), but ``get_user`` refuses them, so an inactive user has no session.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = (username or kwargs.get("email") or "").strip()
        if not identifier or password is None:
            return None
        user_model = get_user_model()
        user = (
            user_model.objects.filter(Q(email__iexact=identifier) | Q(username__iexact=identifier))
            .order_by("-is_active", "id")
            .first()
        )
        if user is None:
            user_model().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password):
            return user
        return None

    def user_can_authenticate(self, user) -> bool:
        return True

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
