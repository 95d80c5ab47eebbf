"""Forms of the users admin. They validate input for display; every write is a service call.

A failed ``clean_<field>`` also keeps the model's generic unique-constraint error away (Django
skips constraints over fields that already failed), so staff read one clear message."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from unfold import forms as unfold_forms
from unfold.forms import BaseDialogForm
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminTextareaWidget

from apps.accounts import selectors
from apps.accounts.models import STAFF_NOTE_MAX_LENGTH, User

CHANGE_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "phone",
    "country",
    "language",
    "is_active",
    "is_staff",
    "is_superuser",
    "groups",
)
CREATE_FIELDS = ("email", "first_name", "last_name", "phone", "country", "language")


class UserChangeForm(unfold_forms.UserChangeForm):
    class Meta:
        model = User
        fields = CHANGE_FIELDS
        widgets = {"groups": UnfoldAdminCheckboxSelectMultipleWidget}

    def clean_username(self):
        username = self.cleaned_data.get("username") or None
        if username and selectors.user_username_taken(username=username, exclude_id=self.instance.pk):
            raise ValidationError(_("This username is taken."), code="username_taken")
        return username


class UserCreationForm(unfold_forms.UserCreationForm):
    class Meta:
        model = User
        fields = CREATE_FIELDS

    def clean_email(self):
        email = User.objects.normalize_email((self.cleaned_data.get("email") or "").strip())
        if email and selectors.user_email_taken(email=email):
            raise ValidationError(_("An account with this email already exists."), code="email_taken")
        return email

    def password_for_service(self) -> str | None:
        """The password to create the account with; ``None`` when sign-in by password is off."""
        return self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password") else None


class AdminPasswordChangeForm(unfold_forms.AdminPasswordChangeForm):
    def password_for_service(self) -> str | None:
        return self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password") else None

    def save(self, commit=True):  # pragma: no cover - the admin view calls the service instead
        raise NotImplementedError("Passwords are set through services.user_password_set.")


class ConfirmDialogForm(BaseDialogForm):
    """A dialog with nothing to fill in: the confirmation is the submit."""


class StaffNoteDialogForm(BaseDialogForm):
    """A staff note: internal, never shown to the user; kept for good (a correction is a new note)."""

    body = forms.CharField(
        label=_("Note"),
        max_length=STAFF_NOTE_MAX_LENGTH,
        help_text=_("Internal: the user never sees it. Notes cannot be edited or deleted."),
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 5}),
    )
