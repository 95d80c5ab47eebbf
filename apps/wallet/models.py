"""The double-entry ledger and the requests that move money through it.

``Account`` rows hold cached balances; an ``Entry`` is one business event with a unique natural
key; its ``Posting`` legs sum to zero and record the account's running balance. Entries and
postings are append-only (database triggers); corrections are reversing entries.
"""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.models import money_field


def currency_field() -> models.CharField:
    return models.CharField(_("currency"), max_length=3, default=settings.PLATFORM_CURRENCY, editable=False)


class AccountKind(models.TextChoices):
    # per investor
    AVAILABLE = "available", _("Available")
    HELD = "held", _("Held for withdrawals")
    INVESTED = "invested", _("Invested")
    # platform
    CASH = "cash", _("Platform cash / clearing")
    RETURN_EXPENSE = "return_expense", _("Return expense")
    REFERRAL_EXPENSE = "referral_expense", _("Referral expense")
    REWARD_EXPENSE = "reward_expense", _("Reward expense")
    TASK_REWARD_EXPENSE = "task_reward_expense", _("Task reward expense")
    FEE_INCOME = "fee_income", _("Fee income")
    ADJUSTMENTS = "adjustments", _("Adjustments")


INVESTOR_KINDS = (AccountKind.AVAILABLE, AccountKind.HELD, AccountKind.INVESTED)
PLATFORM_KINDS = tuple(kind for kind in AccountKind if kind not in INVESTOR_KINDS)


class Account(models.Model):
    # indexed by wallet_account_one_per_owner_kind (owner, kind, currency), which serves every
    # look-up by owner; one index fewer to maintain on the daily balance updates
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AccountKind.choices)
    currency = currency_field()
    balance = money_field(_("balance"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind", "currency"],
                condition=Q(owner__isnull=False),
                name="wallet_account_one_per_owner_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency"], condition=Q(owner__isnull=True), name="wallet_account_one_platform_kind"
            ),
            models.CheckConstraint(
                condition=(
                    Q(owner__isnull=False, kind__in=INVESTOR_KINDS) | Q(owner__isnull=True, kind__in=PLATFORM_KINDS)
                ),
                name="wallet_account_owner_matches_kind",
            ),
            # I3: investor accounts never go negative.
            models.CheckConstraint(
                condition=Q(owner__isnull=True) | Q(balance__gte=0), name="wallet_account_investor_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner or 'platform'} · {self.get_kind_display()}"


class EntryKind(models.TextChoices):
    DEPOSIT = "deposit", _("Deposit")
    WITHDRAWAL_HOLD = "withdrawal_hold", _("Withdrawal requested (funds held)")
    WITHDRAWAL_PAYOUT = "withdrawal_payout", _("Withdrawal paid")
    WITHDRAWAL_RELEASE = "withdrawal_release", _("Withdrawal released")
    ADJUSTMENT = "adjustment", _("Adjustment")
    INVESTMENT = "investment", _("Investment")
    RETURN = "return", _("Daily return")
    MATURITY = "maturity", _("Principal returned")
    COMMISSION = "commission", _("Referral commission")
    REWARD = "reward", _("Milestone reward")
    TASK_REWARD = "task_reward", _("Task reward")
    REVERSAL = "reversal", _("Reversal")


class Entry(models.Model):
    """One business event. ``natural_key`` makes each event happen at most once (I6)."""

    kind = models.CharField(_("kind"), max_length=24, choices=EntryKind.choices)
    natural_key = models.CharField(_("natural key"), max_length=120)
    business_date = models.DateField(_("business date"))
    currency = currency_field()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Staff member or investor who caused it; empty for the system."),
    )
    memo = models.CharField(_("memo"), max_length=255, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["natural_key"], name="wallet_entry_natural_key_unique")]
        # The admin lists entries newest first, filtered by kind or business date (P3).
        indexes = [
            models.Index(fields=["kind", "-id"], name="wallet_entry_kind_id"),
            models.Index(fields=["business_date", "-id"], name="wallet_entry_date_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.natural_key}"


class Posting(models.Model):
    """One leg of an entry: a signed amount on one account and that account's balance after it."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="postings")
    # indexed by wallet_posting_account_id (account, id), which also serves plain account look-ups
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings", db_index=False)
    amount = money_field(_("amount"))
    balance_after = money_field(_("balance after"))
    currency = currency_field()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "id"], name="wallet_posting_account_id")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="wallet_posting_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+} on account {self.account_id}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# The request queues (deposits, withdrawals, adjustments) list pending requests first, then the
# newest: the admin orders by ``PENDING_FIRST.asc(), "-created_at", "-id"`` and each queue has an
# index on exactly those expressions, so a queue's first page reads 50 index entries instead of
# sorting the whole table (P3). Change one, change the other.
PENDING_FIRST = Case(
    When(status=RequestStatus.PENDING, then=Value(0)), default=Value(1), output_field=models.IntegerField()
)


def queue_index(name: str) -> models.Index:
    return models.Index(PENDING_FIRST, F("created_at").desc(), F("id").desc(), name=name)


class RequestNumber(models.Model):
    """One id space shared by deposits and withdrawals, so the API's ``transaction_id`` names
    exactly one request (as in the original system, where both were one table)."""

    class Meta:
        verbose_name = _("request number")

    def __str__(self) -> str:
        return str(self.pk)


def request_number_next() -> int:
    return RequestNumber.objects.create().pk


class DepositAddress(models.Model):
    network = models.CharField(_("network"), max_length=40, help_text=_("e.g. TRC20, ERC20, BTC"))
    address = models.CharField(_("address"), max_length=200)
    label = models.CharField(_("label"), max_length=80, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("deposit address")
        verbose_name_plural = _("deposit addresses")
        ordering = ["network", "id"]
        constraints = [models.UniqueConstraint(fields=["network", "address"], name="wallet_deposit_address_unique")]

    def __str__(self) -> str:
        return f"{self.network}: {self.address}"


class Deposit(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deposits")
    amount = money_field(_("amount"))
    currency = currency_field()
    method = models.CharField(_("method"), max_length=40, blank=True)
    sender_address = models.CharField(_("sender address"), max_length=200, blank=True)
    transaction_hash = models.CharField(_("transaction hash"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    admin_note = models.TextField(_("staff note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    confirmed_hash = models.CharField(
        _("confirmed hash"),
        max_length=200,
        blank=True,
        help_text=_("The transfer hash the approving staff member confirmed; empty when none was confirmed."),
    )
    entry = models.OneToOneField(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="deposit")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("deposit")
        verbose_name_plural = _("deposits")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Covering (amount): the pending queue's count, total and oldest read the index alone.
            models.Index(fields=["status", "-created_at"], include=["amount"], name="wallet_deposit_status_time"),
            models.Index(fields=["user", "-created_at"], name="wallet_deposit_user_time"),
            queue_index("wallet_deposit_queue"),
            # The staff dashboard's charts: deposits credited per day, and each investor's first
            # (``first_deposits_by_day``). Approved rows only: one index insert on approval.
            models.Index(
                fields=["reviewed_at"],
                include=["user", "id", "amount"],
                condition=Q(status=RequestStatus.APPROVED),
                name="wallet_deposit_credited",
            ),
            models.Index(
                fields=["user", "reviewed_at", "id"],
                condition=Q(status=RequestStatus.APPROVED),
                name="wallet_deposit_user_credited",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_deposit_amount_positive"),
            models.UniqueConstraint(
                Lower("transaction_hash"), condition=~Q(transaction_hash=""), name="wallet_deposit_hash_unique"
            ),
            models.CheckConstraint(
                condition=Q(status=RequestStatus.APPROVED, entry__isnull=False) | ~Q(status=RequestStatus.APPROVED),
                name="wallet_deposit_approved_has_entry",
            ),
            # A confirmed hash is the deposit's own hash (the approval fills it in when the
            # investor gave none), so the hash-unique constraint covers it too.
            models.CheckConstraint(
                condition=Q(confirmed_hash="") | Q(confirmed_hash=F("transaction_hash")),
                name="wallet_deposit_confirmed_hash_is_its_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"Deposit #{self.pk}"


class Withdrawal(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="withdrawals")
    amount = money_field(_("amount"), help_text=_("Sent to the investor."))
    fee = money_field(_("fee"), default=0)
    currency = currency_field()
    address = models.CharField(_("destination address"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    needs_two_approvals = models.BooleanField(_("needs two approvals"), default=False)
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_approved_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    payout_hash = models.CharField(_("payout transaction hash"), max_length=200, blank=True)
    admin_note = models.TextField(_("staff note"), blank=True)
    hold_entry = models.OneToOneField(
        Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="withdrawal_held"
    )
    close_entry = models.OneToOneField(
        Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="withdrawal_closed"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Covering (amount): the pending queue's count, total and oldest read the index alone.
            models.Index(fields=["status", "-created_at"], include=["amount"], name="wallet_withdrawal_status_time"),
            models.Index(fields=["user", "-created_at"], name="wallet_withdrawal_user_time"),
            queue_index("wallet_withdrawal_queue"),
            # The staff dashboard's chart of withdrawals paid per day (approved rows only).
            models.Index(
                fields=["reviewed_at"],
                include=["amount"],
                condition=Q(status=RequestStatus.APPROVED),
                name="wallet_withdrawal_paid",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_withdrawal_amount_positive"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="wallet_withdrawal_fee_not_negative"),
            # I8: the second approver is never the first.
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.APPROVED)
                | Q(first_approved_by__isnull=True)
                | ~Q(first_approved_by=F("reviewed_by")),
                name="wallet_withdrawal_four_eyes",
            ),
            models.UniqueConstraint(
                Lower("payout_hash"), condition=~Q(payout_hash=""), name="wallet_withdrawal_payout_hash_unique"
            ),
            models.CheckConstraint(
                condition=Q(status=RequestStatus.PENDING, close_entry__isnull=True)
                | (~Q(status=RequestStatus.PENDING) & Q(close_entry__isnull=False)),
                name="wallet_withdrawal_closed_has_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"Withdrawal #{self.pk}"

    @property
    def total(self):
        return self.amount + self.fee


class AdjustmentDirection(models.TextChoices):
    CREDIT = "credit", _("Credit")
    DEBIT = "debit", _("Debit")


class Adjustment(models.Model):
    """A manual credit or debit with a reason. Above the four-eyes threshold it waits for a
    second staff member (maker ≠ checker)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="adjustments")
    direction = models.CharField(_("direction"), max_length=6, choices=AdjustmentDirection.choices)
    amount = money_field(_("amount"))
    currency = currency_field()
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    check_note = models.TextField(_("checker's note"), blank=True)
    entry = models.OneToOneField(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustment")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["-created_at", "-id"]
        permissions = [("check_adjustment", "Can approve or reject another staff member's adjustment")]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="wallet_adjustment_status_time"),
            queue_index("wallet_adjustment_queue"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_adjustment_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="wallet_adjustment_reason_required"),
            # I8: maker is never checker.
            models.CheckConstraint(
                condition=Q(checker__isnull=True) | ~Q(checker=F("maker")), name="wallet_adjustment_four_eyes"
            ),
        ]

    def __str__(self) -> str:
        return f"Adjustment #{self.pk}"


class IdempotencyRecord(models.Model):
    """A stored response for (user, Idempotency-Key): the same key and body replay it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=120)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="wallet_idempotency_user_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class TreasuryBalance(models.Model):
    """A treasury balance finance staff record by hand: the platform's own reserves held outside
    its clearing account (bank, custody, cold wallets), as counted at ``as_of``. Append-only (no
    admin or service edits or deletes one); the one with the latest ``as_of`` is current (of two
    with the same ``as_of``, the one recorded last). The coverage panel adds it to platform cash."""

    amount = money_field(_("amount"))
    currency = currency_field()
    as_of = models.DateTimeField(_("as of"), help_text=_("When the balance was counted."))
    note = models.CharField(_("note"), max_length=255, blank=True, help_text=_("Where it was counted, e.g. a bank."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("treasury balance")
        verbose_name_plural = _("treasury balances")
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(F("as_of").desc(), F("id").desc(), name="wallet_treasury_current")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="wallet_treasury_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency} ({self.as_of:%Y-%m-%d %H:%M})"
