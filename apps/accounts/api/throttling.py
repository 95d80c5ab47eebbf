"""Tighter per-client limits on the endpoints that guess passwords, create accounts or send mail."""

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

LOGIN_SCOPE = "auth_login"
SIGNUP_SCOPE = "auth_signup"
PASSWORD_FORGOT_SCOPE = "auth_password_forgot"


class AuthRateThrottle(ScopedRateThrottle):
    """Keyed by the view's ``throttle_scope`` and the client (user id, else IP address).

    A rate set in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` under the scope wins; otherwise
    the default below applies. Read on every request, so ``override_settings`` works in tests.
    """

    default_rates = {LOGIN_SCOPE: "20/minute", SIGNUP_SCOPE: "10/minute", PASSWORD_FORGOT_SCOPE: "5/minute"}

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or self.default_rates.get(self.scope)


AUTH_THROTTLE_CLASSES = [*api_settings.DEFAULT_THROTTLE_CLASSES, AuthRateThrottle]
