"""The change log of the runtime settings: one row per setting changed, written in the same
transaction as the change (``apps.controls.services.runtime_settings_update``). Append-only."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SettingChange(models.Model):
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    # Null for a change made outside the admin (a command, a test helper); staff are never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    name = models.CharField(_("setting"), max_length=100)
    # As text, the way the settings page shows them: "100.00", "24", "true"/"false".
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)

    class Meta:
        verbose_name = _("setting change")
        verbose_name_plural = _("setting changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["name", "-changed_at"], name="controls_change_name_time")]

    def __str__(self) -> str:
        return f"{self.name}: {self.old_value} → {self.new_value}"
