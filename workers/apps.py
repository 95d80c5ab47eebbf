from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkersConfig(AppConfig):
    name = "workers"
    label = "workers"
    verbose_name = _("Scheduler and jobs")
