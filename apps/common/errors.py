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
        field_errors: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.extra = dict(extra or {})
        # Several fields at once ({"field": ["message", …]}), for forms with more than one error.
        self.extra_field_errors = {name: list(messages) for name, messages in (field_errors or {}).items()}
        if status_code is not None:
            self.status_code = status_code

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """Every field error: the one named by ``field`` and any others."""
        errors = dict(self.extra_field_errors)
        if self.field and self.field not in errors:
            errors[self.field] = [self.message]
        return errors


class ConflictError(ApplicationError):
    """The object is in the wrong state for the operation (HTTP 409)."""

    status_code = 409
