"""What every portal form shares: service errors shown on the right field, left-to-right inputs."""

from apps.common.errors import ApplicationError


def ltr(**attrs) -> dict:
    """Emails, phones, codes, addresses, amounts and passwords read left to right even on an
    Arabic page."""
    return {"dir": "ltr", **attrs}


class ServiceErrorFormMixin:
    """Puts an ``ApplicationError`` on the field it names (or on the form when it names none)."""

    # service field name -> form field name, when they differ
    service_field_names: dict[str, str] = {}
    # error code -> form field name, for errors that name no field but belong to one
    service_code_fields: dict[str, str] = {}

    def add_service_error(self, error: ApplicationError) -> None:
        if error.extra_field_errors:
            for name, messages in error.field_errors.items():
                field = self.service_field_names.get(name, name)
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            return
        field = self.service_field_names.get(error.field or "", error.field)
        field = field or self.service_code_fields.get(error.code)
        self.add_error(field if field in self.fields else None, error.message)
