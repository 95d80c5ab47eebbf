"""The one application error type.

Services raise ``ApplicationError`` with a stable ``code``; the API turns it into a JSON 400 (or
the status it carries), the portal into a form error, the admin into a message.
"""

from collections.abc import Mapping


class ApplicationError(Exception):
    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        code: str,
        field: str | None = None,
        extra: Mapping[str, object] | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.extra = dict(extra or {})
        if status_code is not None:
            self.status_code = status_code


class ConflictError(ApplicationError):
    """The object is in the wrong state for the operation (HTTP 409)."""

    status_code = 409
