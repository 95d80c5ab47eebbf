"""Recovery codes, stored hashed: django-otp's ``StaticToken`` keeps its tokens in plain text (and
only 16 characters wide), so the one-time codes live here as HMAC-SHA256 digests keyed by the
project's secret key. A database leak alone gives neither the codes nor a way to test guesses."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecoveryCode(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(_("code digest"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        app_label = "accounts"
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="accounts_recoverycode_user_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"Recovery code #{self.pk} of user {self.user_id}"
