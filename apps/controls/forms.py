"""The runtime settings page's form: constance's, with our checks and our save."""

from constance.forms import ConstanceForm

from apps.common.errors import ApplicationError
from apps.controls.services import runtime_settings_update, runtime_values_errors


class RuntimeSettingsForm(ConstanceForm):
    """Checks the whole set (a minimum above its maximum is an error on the minimum) and saves
    through ``runtime_settings_update``, which logs every change with the staff member."""

    def __init__(self, initial, request=None, *args, **kwargs):
        super().__init__(initial, request, *args, **kwargs)
        self.request = request

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned[name] for name in self.fields if name != "version" and name in cleaned}
        if len(values) == len(self.fields) - 1:  # every field parsed: check them together
            for name, messages in runtime_values_errors(values=values).items():
                for message in messages:
                    self.add_error(name, message)
        return cleaned

    def save(self) -> list[str]:
        values = {name: self.cleaned_data[name] for name in self.fields if name != "version"}
        values = {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}
        try:
            changes = runtime_settings_update(actor=self.request.user, values=values)
        except ApplicationError as error:
            for name, messages in error.field_errors.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
            if not error.field_errors:
                self.add_error(None, error.message)
            return []
        return [change.name for change in changes]
