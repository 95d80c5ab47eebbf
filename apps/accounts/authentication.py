"""The API's JWT authentication: simplejwt's, with the two costs of every request made small.

- **The signature check** of an access token is done once per process and token: a token's
  claims are kept (at most ``TOKEN_CACHE_SIZE`` tokens, least recently used dropped) by the exact
  bytes that were verified, so the same bytes can only ever give the same claims. The expiry is
  checked again on every request, and a token close to it (or past it) takes simplejwt's full path,
  so an expired token is refused with the same answer as before.
- **The user** is still read from the database on every request, as one prepared primary-key
  look-up (``apps.common.prepared``) instead of an ORM query built and compiled each time.

Security property (docs/security.md): the user row is read on every request and ``is_active`` is
checked on it, so **a deactivated user's access token is refused on the very next request** (bound:
zero, not the 15 minutes an access token lives); no user state is cached. The answers (401 bodies
and codes) are simplejwt's own.
"""

import functools
import time

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import aware_utcnow

from apps.accounts.selectors import user_get_for_token

TOKEN_CACHE_SIZE = 4096
# A cached token this close to its expiry goes through the full check (and its error message).
EXPIRY_MARGIN_SECONDS = 2
# Ids the prepared look-up takes; any other goes through simplejwt's ORM query (not found).
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


@functools.lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _access_token_claims(raw_token: bytes) -> dict:
    """The verified claims of an access token (raises ``TokenError`` if it is not valid now;
    errors are not cached)."""
    return AccessToken(raw_token).payload


class JWTAuthentication(authentication.JWTAuthentication):
    def get_validated_token(self, raw_token: bytes):
        if tuple(api_settings.AUTH_TOKEN_CLASSES) != (AccessToken,):
            return super().get_validated_token(raw_token)
        try:
            claims = _access_token_claims(bytes(raw_token))
        except TokenError:
            return super().get_validated_token(raw_token)  # simplejwt's own 401
        expiry = claims.get("exp")
        if not isinstance(expiry, int | float) or expiry - time.time() < EXPIRY_MARGIN_SECONDS + api_settings.LEEWAY:
            return super().get_validated_token(raw_token)
        token = AccessToken.__new__(AccessToken)
        token.token = raw_token
        token.current_time = aware_utcnow()
        token.payload = dict(claims)  # a copy: a view may read or change its own
        return token

    def get_user(self, validated_token):
        claim = validated_token.get(api_settings.USER_ID_CLAIM)  # simplejwt writes the id as a string
        user_id = int(claim) if isinstance(claim, str) and claim.isascii() and claim.isdigit() else None
        if (
            api_settings.USER_ID_FIELD != "id"
            or api_settings.CHECK_REVOKE_TOKEN
            or user_id is None
            or not BIGINT_MIN <= user_id <= BIGINT_MAX
        ):
            return super().get_user(validated_token)
        user = user_get_for_token(user_id=user_id)
        # simplejwt's own refusals, word for word.
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        return user


class JWTAuthenticationScheme(SimpleJWTScheme):
    """The API schema's ``jwtAuth`` security scheme for this class, as for simplejwt's own (the
    extension is registered when this module is imported, i.e. with the REST settings)."""

    target_class = JWTAuthentication
