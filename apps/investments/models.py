"""Plans and positions. Buying a plan freezes its terms onto the position: editing the plan
never changes an open position. Accruals are one row per (position, business date) (I5)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.models import money_field

RATE_MAX_DIGITS = 9
RATE_DECIMAL_PLACES = 4


def rate_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=RATE_MAX_DIGITS, decimal_places=RATE_DECIMAL_PLACES, **kwargs)


class PayoutSchedule(models.TextChoices):
    DAILY = "daily", _("Every day")
    AT_MATURITY = "at_maturity", _("At maturity")


class Plan(models.Model):
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    min_amount = money_field(_("minimum amount"))
    max_amount = money_field(_("maximum amount"))
    daily_rate = rate_field(_("daily rate (% per day)"))
    term_days = models.PositiveIntegerField(_("term (days)"))
    payout_schedule = models.CharField(
        _("payout schedule"), max_length=12, choices=PayoutSchedule.choices, default=PayoutSchedule.DAILY
    )
    capital_back = models.BooleanField(_("principal returned at maturity"), default=True)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    display_order = models.PositiveIntegerField(_("display order"), default=0)
    risk_disclosure = models.TextField(_("risk disclosure"), blank=True)
    risk_disclosure_version = models.PositiveIntegerField(
        _("risk disclosure version"),
        default=1,
        editable=False,
        help_text=_("Raised by one each time the risk disclosure's text changes."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["display_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_amount__gt=0), name="investments_plan_min_positive"),
            models.CheckConstraint(condition=Q(max_amount__gte=F("min_amount")), name="investments_plan_max_ge_min"),
            models.CheckConstraint(
                condition=Q(daily_rate__gt=0, daily_rate__lte=100), name="investments_plan_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(term_days__gte=1, term_days__lte=3650), name="investments_plan_term_range"
            ),
            models.CheckConstraint(
                condition=Q(risk_disclosure_version__gte=1), name="investments_plan_disclosure_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlanChange(models.Model):
    """History of a plan: who changed what, when (written by the plan services)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("plan change")
        verbose_name_plural = _("plan changes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class RiskDisclosureAcceptance(models.Model):
    """An investor's acceptance of one version of a plan's risk disclosure: when, from which IP
    address, and the SHA-256 of the text accepted. At most one per (investor, plan, version);
    append-only in the database (``apps.investments.db_guards``). Written by the purchase
    (``investment_open``) in its own transaction."""

    # indexed by the unique (user, plan, version) constraint, which also serves the user look-ups
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_acceptances", db_index=False
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="risk_acceptances")
    version = models.PositiveIntegerField(_("disclosure version"))
    text_sha256 = models.CharField(_("SHA-256 of the text accepted"), max_length=64)
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk disclosure acceptance")
        verbose_name_plural = _("risk disclosure acceptances")
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "plan", "version"], name="investments_risk_accepted_once"),
            models.CheckConstraint(condition=Q(version__gte=1), name="investments_risk_acceptance_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.plan_id} v{self.version}"


class PositionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MATURED = "matured", _("Matured")


class Position(models.Model):
    """A bought plan. Every term is a copy taken at purchase."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="positions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="positions")
    principal = money_field(_("principal"))
    currency = models.CharField(_("currency"), max_length=3, default=settings.PLATFORM_CURRENCY, editable=False)
    daily_rate = rate_field(_("daily rate (% per day)"))
    term_days = models.PositiveIntegerField(_("term (days)"))
    payout_schedule = models.CharField(_("payout schedule"), max_length=12, choices=PayoutSchedule.choices)
    capital_back = models.BooleanField(_("principal returned at maturity"))
    start_date = models.DateField(_("bought on (business date)"))
    maturity_date = models.DateField(_("matures on"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PositionStatus.choices, default=PositionStatus.ACTIVE, db_index=True
    )
    terms_accepted_at = models.DateTimeField(_("terms accepted at"))
    terms_snapshot = models.JSONField(_("accepted terms"), default=dict)
    open_entry = models.OneToOneField(
        "wallet.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="position_opened"
    )
    maturity_entry = models.OneToOneField(
        "wallet.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="position_matured"
    )
    matured_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "maturity_date"], name="investments_pos_status_mat"),
            models.Index(fields=["user", "-created_at"], name="investments_pos_user_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="investments_position_principal_positive"),
            models.CheckConstraint(condition=Q(term_days__gte=1), name="investments_position_term_positive"),
            models.CheckConstraint(
                condition=Q(maturity_date__gt=F("start_date")), name="investments_position_matures_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status=PositionStatus.ACTIVE) | Q(maturity_entry__isnull=False),
                name="investments_position_matured_has_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"Position #{self.pk}"


class Accrual(models.Model):
    """The return due to a position for one business date (I5: at most one per date), exact to the
    cent (I10). ``posting`` is the posting that paid it (empty until paid): for daily plans the
    investor's one "returns" posting of that date, which carries the sum of the day's accruals of
    all their positions; for at-maturity plans the maturity entry's posting to their available
    balance."""

    # indexed by the unique (position, business_date) constraint, which also serves position look-ups
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="accruals", db_index=False)
    business_date = models.DateField(_("business date"))
    amount = money_field(_("amount"))
    # Not indexed: a million rows a day are written with it, and the accruals of one posting are
    # found by (the posting's investor's positions, date) through the unique index above.
    posting = models.ForeignKey(
        "wallet.Posting", null=True, blank=True, on_delete=models.PROTECT, related_name="accruals", db_index=False
    )

    class Meta:
        verbose_name = _("accrual")
        verbose_name_plural = _("accruals")
        ordering = ["position", "business_date"]
        indexes = [models.Index(fields=["business_date"], name="investments_accrual_date")]
        constraints = [
            models.UniqueConstraint(fields=["position", "business_date"], name="investments_accrual_once_per_date"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="investments_accrual_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.position_id} {self.business_date}"
