"""The ``Idempotency-Key`` header for money-moving POSTs.

A view calls ``self.idempotent(request, action)`` once its input is valid. Without the header the
action simply runs. With it, the same user sending the same key with the same body to the same
endpoint gets the stored response (status and body, plus ``Idempotent-Replayed: true``) and
nothing runs again. Stored: 2xx responses and 4xx business errors raised by the action. Not
stored: malformed or invalid input (refused before the key is looked at) and 5xx.
"""

import json
from collections.abc import Callable

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.schema import error_response
from apps.common.errors import ApplicationError
from apps.wallet.models import IdempotencyRecord
from apps.wallet.services.idempotency import (
    idempotency_abandon,
    idempotency_begin,
    idempotency_finish,
    idempotency_request_hash,
)

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_KEY_MAX_LENGTH = IdempotencyRecord._meta.get_field("key").max_length

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=IDEMPOTENCY_KEY_HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    # What the server takes: 1 to 200 characters, not only spaces (spaces around it are dropped).
    type={"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX_LENGTH, "pattern": r"\S"},
    description=(
        f"Optional, at most {IDEMPOTENCY_KEY_MAX_LENGTH} characters, unique per request you mean to make "
        "(e.g. a UUID); keys belong to the caller. Sending the same key with the same body to the same "
        "endpoint again returns the first response (same status and body, with the header "
        f"`{REPLAYED_HEADER}: true`) and does nothing twice. Responses stored: success and business errors "
        "(4xx); invalid input is refused before the key is used. The same key with another body or on "
        "another endpoint: 409 `idempotency_key_reused`; while the first request is still running: 409 "
        "`idempotency_in_progress`."
    ),
)
IDEMPOTENCY_CONFLICT_CODES = ("idempotency_key_reused", "idempotency_in_progress")
IDEMPOTENCY_KEY_INVALID = ("idempotency_key_invalid", IDEMPOTENCY_KEY_HEADER)


def idempotency_conflict(description: str, *codes: str):
    """The 409 response of an idempotent endpoint: its own wrong-state codes and the key's."""
    return error_response(
        f"{description} Or the Idempotency-Key was reused for another request, or its first request is still running.",
        *codes,
        *IDEMPOTENCY_CONFLICT_CODES,
    )


class IdempotentAPIView(APIView):
    #: Names the endpoint in the request hash: a key reused on another endpoint is refused.
    idempotency_scope: str = ""

    def idempotent(self, request: Request, action: Callable[[], Response], *, body=None) -> Response:
        """``body``: what the request asks, when it is not the body alone (a path form's id put into
        the body form): the same request by path or by body is one request."""
        key = self._idempotency_key(request)
        if key is None:
            return action()
        scope = self.idempotency_scope or type(self).__name__
        request_hash = idempotency_request_hash(scope=scope, body=request.data if body is None else body)
        stored = idempotency_begin(user=request.user, key=key, scope=scope, request_hash=request_hash)
        if stored is not None:
            return Response(stored.response_body, status=stored.response_status, headers={REPLAYED_HEADER: "true"})
        try:
            response = action()
        except Exception as exc:
            response = self.get_exception_handler()(exc, self.get_exception_handler_context())
            if response is None or not 400 <= response.status_code < 500:
                idempotency_abandon(user=request.user, key=key)
                raise
        if response.status_code >= 500:
            idempotency_abandon(user=request.user, key=key)
            return response
        body = json.loads(JSONRenderer().render(response.data) or b"null")
        idempotency_finish(user=request.user, key=key, status=response.status_code, body=body)
        return response

    @staticmethod
    def _idempotency_key(request: Request) -> str | None:
        key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
        if key is None:
            return None
        # The bound is on the header as sent (the schema's maxLength), the spaces around it included.
        too_long = len(key) > IDEMPOTENCY_KEY_MAX_LENGTH
        key = key.strip()
        if not key or too_long:
            raise ApplicationError(
                _("The Idempotency-Key header must have 1 to %(max)s characters.")
                % {"max": IDEMPOTENCY_KEY_MAX_LENGTH},
                code="idempotency_key_invalid",
                field=IDEMPOTENCY_KEY_HEADER,
            )
        return key
