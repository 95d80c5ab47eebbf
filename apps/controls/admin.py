"""The runtime settings page (constance's, under unfold, saving through our service) and the
read-only change log with its CSV export."""

from constance.admin import Config, ConstanceAdmin
from constance.utils import get_values
from django.contrib import admin, messages
from django.contrib.admin.options import csrf_protect_m
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin as UnfoldModelAdmin
from unfold.decorators import display

from apps.accounts.mfa.step_up import step_up_admin_refusal
from apps.common.admin.changelist import ModelAdmin
from apps.common.admin.exports import CsvExportMixin
from apps.controls.forms import RuntimeSettingsForm
from apps.controls.models import SettingChange
from apps.controls.services import runtime_value_text

if admin.site.is_registered(Config):
    admin.site.unregister([Config])
Config._meta.verbose_name_plural = _("Business settings")  # the page's breadcrumb


class RuntimeSettingsAdmin(ConstanceAdmin, UnfoldModelAdmin):
    """``/admin/constance/config/``: everyone with ``constance.view_config`` sees the values,
    those with ``constance.change_config`` may save. Every save goes through ``settings_save``.
    constance's views come first; unfold's ModelAdmin gives it the back office's admin type."""

    change_list_form = RuntimeSettingsForm

    def save_refusal(self, request: HttpRequest) -> HttpResponse | None:
        """Step-up two-factor authentication: while the session's last code is stale, a page asks
        for a fresh one and posts the submitted values again with it (nothing is checked or written
        before); None lets the save go on."""
        return step_up_admin_refusal(request, title=_("Runtime settings"))

    @csrf_protect_m
    def changelist_view(self, request: HttpRequest, extra_context=None):
        if request.method == "POST":
            return self.settings_save(request, extra_context=extra_context)
        return super().changelist_view(request, extra_context)

    def settings_save(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """The one way a save happens: permission, step-up hook, form checks, then the service
        (``runtime_settings_update``: all or nothing, each change logged with its author)."""
        if not request.user.has_perm("constance.change_config"):
            raise PermissionDenied
        refusal = self.save_refusal(request)
        if refusal is not None:
            return refusal
        form = RuntimeSettingsForm(data=request.POST, files=request.FILES, initial=get_values(), request=request)
        if form.is_valid():
            changed = form.save()
            if form.is_valid():  # the service refused nothing
                self.message_user(request, self._saved_message(changed), messages.SUCCESS)
                return HttpResponseRedirect(request.path)
        # Shown again with its errors: constance's page renders the bound form as it is (as for a
        # GET, so that it neither validates it again nor adds its own "live settings" message).
        self.message_user(request, _("Nothing was saved: correct the values marked below."), messages.ERROR)
        request._runtime_settings_form = form
        request.method = "GET"
        return super().changelist_view(request, extra_context)

    def get_changelist_form(self, request: HttpRequest):
        bound = getattr(request, "_runtime_settings_form", None)
        if bound is not None:
            return lambda *args, **kwargs: bound
        return self.change_list_form

    def get_config_value(self, name, options, form, initial):
        value = super().get_config_value(name, options, form, initial)
        # The Default column shows every default ("0.00", "off"), never "-" for a falsy one.
        default = options[0]
        if isinstance(default, bool):
            value["default"] = _("on") if default else _("off")
        else:
            value["default"] = runtime_value_text(default)
        return value

    @staticmethod
    def _saved_message(changed: list[str]) -> str:
        if not changed:
            return str(_("Nothing changed."))
        return ngettext("Saved %(count)d change: %(names)s.", "Saved %(count)d changes: %(names)s.", len(changed)) % {
            "count": len(changed),
            "names": ", ".join(changed),
        }

    def _log_config_change(self, request, changed_fields):
        """Our own change log (``SettingChange``) replaces constance's admin log entry."""


admin.site.register([Config], RuntimeSettingsAdmin)


@admin.register(SettingChange)
class SettingChangeAdmin(CsvExportMixin, ModelAdmin):
    export_columns = (
        "id",
        "changed_at",
        ("changed_by", "actor__email"),
        ("setting", "name"),
        "old_value",
        "new_value",
    )
    list_display = ("display_changed_at", "display_actor", "name", "display_old", "display_new")
    list_filter = ("name",)
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    date_hierarchy = "changed_at"
    search_fields = ("name", "actor__email")
    search_help_text = _("Setting name or staff email")
    ordering = ("-changed_at", "-id")
    fields = ("changed_at", "actor", "name", "old_value", "new_value")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("actor")

    @display(description=_("When"), ordering="changed_at")
    def display_changed_at(self, change: SettingChange):
        return change.changed_at

    @display(description=_("Changed by"), ordering="actor__email")
    def display_actor(self, change: SettingChange) -> str:
        return change.actor.email if change.actor else "—"

    @display(description=_("Old value"), label=True)
    def display_old(self, change: SettingChange) -> str:
        return change.old_value

    @display(description=_("New value"), label="info")
    def display_new(self, change: SettingChange) -> str:
        return change.new_value

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
