"""Helpers shared by the messaging views: who may call, parsing, error field names, uploads and
the documented error responses."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from drf_spectacular.utils import OpenApiParameter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission

from apps.common.api.filters import query_params  # noqa: F401  (the views import it from here)
from apps.common.api.parsers import JSONParser
from apps.common.api.paths import path_id_parameter
from apps.common.api.schema import error_response
from apps.common.errors import ApplicationError
from apps.kyc.uploads import upload_limit_install

MESSAGES_TAG = "messages"
THREADS_TAG = "threads"
TASKS_TAG = "tasks"
NOTIFICATIONS_TAG = "notifications"
ADMIN_TAG = "admin"

FILE_CODES = (
    "too_many_files",
    "file_required",
    "file_empty",
    "file_too_large",
    "file_type_invalid",
    "file_unreadable",
    "file_bomb",
    "file_encrypted",
    "file_active_content",
)
TEXT_CODES = (
    ("subject_required", "subject"),
    ("subject_too_long", "subject"),
    ("message_required", "message"),
    ("message_too_long", "message"),
    ("invalid", "message"),
)
ATTACHMENT_CODES = tuple((code, "attachments") for code in FILE_CODES)
STAFF_ONLY = error_response("Not staff, or without the Django permission this action needs.", "permission_denied")
THREAD_NOT_FOUND = error_response("No such conversation, or not one the caller may see.", "not_found")
MESSAGE_NOT_FOUND = error_response("No such message, or not one of the caller's.", "not_found")
SEND_THROTTLED = error_response(
    "The investor sent `MESSAGE_SEND_LIMIT_PER_HOUR` messages (threads, replies, proofs) in the last hour; "
    "or too many requests from this client.",
    "throttled",
)
HANDLE_FORBIDDEN = error_response(
    "Staff without `messaging.handle_thread` (and `messaging.add_thread` to open a conversation).",
    "permission_denied",
)


class InvestorOrStaffWithPermission(BasePermission):
    """Investors pass (selectors and services keep them to their own objects); staff need every
    permission the view's ``staff_method_permissions`` names for the request's method."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not user.is_staff:
            return True
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        needed = getattr(view, "staff_method_permissions", {}).get(method, ())
        return user.has_perms(needed)


def parse(serializer_class, request, **context) -> dict:
    """The request body, validated (400 with field errors otherwise)."""
    serializer = serializer_class(data=request.data, context={"request": request, "user": request.user, **context})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@contextmanager
def api_field_names(names: Mapping[str, str]) -> Iterator[None]:
    """A service's error about one of its own names (``body``, ``title``) names the API's field."""
    try:
        yield
    except ApplicationError as error:
        error.field = names.get(error.field, error.field)
        error.extra_field_errors = {names.get(key, key): value for key, value in error.extra_field_errors.items()}
        raise


def is_multipart(request) -> bool:
    return request.content_type.startswith("multipart/form-data")


class UploadMixin:
    """JSON, or a multipart form with files: a file past ``KYC_MAX_UPLOAD_MB`` is cut off as it
    streams in (the limit handler is installed before anything reads the body), exactly as KYC."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        upload_limit_install(request._request)
        super().initial(request, *args, **kwargs)


def path_id(name: str, description: str) -> OpenApiParameter:
    return path_id_parameter(name, description)
