"""Referral commissions and milestones. ``referred_by`` lives on the user (set once at sign-up)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class CommissionRule(models.Model):
    """Level 1 is the investor's referrer, level 2 the referrer's referrer, and so on."""

    level = models.PositiveSmallIntegerField(_("level"), unique=True)
    rate = models.DecimalField(_("rate (% of the amount invested)"), max_digits=7, decimal_places=4)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("commission rule")
        verbose_name_plural = _("commission rules")
        ordering = ["level"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=10), name="referrals_rule_level_range"),
            models.CheckConstraint(condition=Q(rate__gt=0, rate__lte=100), name="referrals_rule_rate_range"),
        ]

    def __str__(self) -> str:
        return f"L{self.level}: {self.rate}%"


class Commission(models.Model):
    """One per (position, level), posted from referral expense to the referrer (I6)."""

    position = models.ForeignKey("investments.Position", on_delete=models.PROTECT, related_name="commissions")
    level = models.PositiveSmallIntegerField(_("level"))
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commissions_earned")
    referred_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rate = models.DecimalField(_("rate"), max_digits=7, decimal_places=4)
    amount = models.DecimalField(_("amount"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    entry = models.OneToOneField("wallet.Entry", on_delete=models.PROTECT, related_name="commission")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["position", "level"], name="referrals_commission_once_per_level"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="referrals_commission_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} L{self.level} {self.amount}"
