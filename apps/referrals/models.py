"""Referral commissions and milestones. ``referred_by`` lives on the user (set once at sign-up).

Every write is a service (``services``); rules and milestones keep their history in
``ReferralChange``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class CommissionRule(models.Model):
    """Level 1 is the investor's referrer, level 2 the referrer's referrer, and so on."""

    level = models.PositiveSmallIntegerField(_("level"), unique=True)
    # xgettext:no-python-format
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


class Milestone(models.Model):
    """A referral pack: ``required_referrals`` qualified referrals earn ``reward_amount``, once per
    user (see ``MilestoneAward``). A qualified referral is a referred user who bought a plan."""

    name = models.CharField(_("name"), max_length=50)
    required_referrals = models.PositiveIntegerField(_("qualified referrals required"))
    reward_amount = models.DecimalField(_("reward"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    currency = models.CharField(_("currency"), max_length=3, default=settings.PLATFORM_CURRENCY, editable=False)
    icon = models.CharField(_("icon"), max_length=50, default="trophy")
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    display_order = models.PositiveIntegerField(_("display order"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["display_order", "required_referrals", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(required_referrals__gte=1), name="referrals_milestone_required_min"),
            models.CheckConstraint(condition=Q(reward_amount__gt=0), name="referrals_milestone_reward_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class MilestoneAward(models.Model):
    """A milestone granted to a user: at most one per (user, milestone), paid by ``entry``
    (reward expense → the user's available balance, natural key ``milestone:<user>:<id>``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="milestone_awards")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="awards")
    amount = models.DecimalField(_("amount"), max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    currency = models.CharField(_("currency"), max_length=3, default=settings.PLATFORM_CURRENCY, editable=False)
    qualified_referrals = models.PositiveIntegerField(_("qualified referrals when granted"))
    business_date = models.DateField(_("business date"))
    entry = models.OneToOneField("wallet.Entry", on_delete=models.PROTECT, related_name="milestone_award")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("milestone award")
        verbose_name_plural = _("milestone awards")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "milestone"], name="referrals_award_once_per_user"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="referrals_award_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id} → {self.user_id}"


class ReferralChange(models.Model):
    """History of the referral settings: who created, changed or deleted a rule or a milestone."""

    class Subject(models.TextChoices):
        RULE = "rule", _("Commission rule")
        MILESTONE = "milestone", _("Milestone")

    subject = models.CharField(_("subject"), max_length=10, choices=Subject.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    label = models.CharField(_("object"), max_length=100)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("referral settings change")
        verbose_name_plural = _("referral settings changes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject", "object_id"], name="referrals_change_subject")]

    def __str__(self) -> str:
        return f"{self.subject} {self.label} @ {self.created_at:%Y-%m-%d %H:%M}"


class Referrer(User):
    """The users admin seen from the referral side: top referrers and each user's referral tree."""

    class Meta:
        proxy = True
        verbose_name = _("referrer")
        verbose_name_plural = _("top referrers")
