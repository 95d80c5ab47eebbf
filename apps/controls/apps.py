from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class ControlsConfig(AppConfig):
    name = "apps.controls"
    label = "controls"
    verbose_name = _("Platform controls")

    def ready(self) -> None:
        from constance.signals import config_updated

        from apps.controls.runtime import runtime_snapshot_changed

        # constance's settings page takes its title from constance's app name.
        apps.get_app_config("constance").verbose_name = _("Runtime settings")
        # A value set through constance itself (``manage.py constance set``, its test helper)
        # also replaces the shared snapshot; our own saves do it in apps.controls.services.
        config_updated.connect(runtime_snapshot_changed, dispatch_uid="controls.runtime_snapshot_changed")
