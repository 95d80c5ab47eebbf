"""The shape of ``GET admin/stats/``: first the original system's eight fields with their meaning,
then Bursar's own figures, each described for the schema. It renders
``apps.backoffice.selectors.PlatformStats`` and computes nothing but the queues' ages (measured at
the moment the figures were read). Money is a string with 2 decimals; ratios are strings too."""

from django.conf import settings
from rest_framework import serializers

from apps.accounts.api.serializers import AdminUserSerializer
from apps.common.api.serializers import MoneyField

RATIO_DECIMAL_PLACES = 2


class _AgeSecondsField(serializers.IntegerField):
    """How long a queue's oldest item has waited when the figures were read, in whole seconds."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, allow_null=True, min_value=0, **kwargs)

    def to_representation(self, queue) -> int | None:
        age = queue.age(now=self.context["measured_at"])
        return None if age is None else int(age.total_seconds())


def _ratio_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=None, decimal_places=RATIO_DECIMAL_PLACES, coerce_to_string=True, read_only=True, **kwargs
    )


class AdminStatsQueueHealthSerializer(serializers.Serializer):
    """A queue staff work through: how many items wait, and since when the oldest has."""

    count = serializers.IntegerField(help_text="Items waiting for a staff decision.")
    oldest_at = serializers.DateTimeField(
        source="oldest", allow_null=True, help_text="When the item waiting longest started waiting; null when none."
    )
    oldest_age_seconds = _AgeSecondsField(
        help_text="How long it has waited, in whole seconds, when the figures were read; null when none.",
    )


class AdminStatsDepositFiguresSerializer(serializers.Serializer):
    approved_count = serializers.IntegerField(source="deposits_approved.count", help_text="Deposits approved, ever.")
    approved_total = MoneyField(
        source="deposits_approved.total", help_text="What the approved deposits credited to investors, ever."
    )
    pending_count = serializers.IntegerField(
        source="deposits.count", help_text="Deposits waiting for review (the same as `pending_deposits`)."
    )
    pending_total = MoneyField(source="deposits.total", help_text="What the pending deposits would credit.")


class AdminStatsWithdrawalFiguresSerializer(serializers.Serializer):
    approved_count = serializers.IntegerField(
        source="withdrawals_approved.count", help_text="Withdrawals paid out, ever."
    )
    approved_total = MoneyField(
        source="withdrawals_approved.total", help_text="What the paid withdrawals sent to investors, ever; fees apart."
    )
    pending_count = serializers.IntegerField(
        source="withdrawals.count",
        help_text=(
            "Withdrawals waiting for review, those with a first approval of two included (the same as "
            "`pending_withdrawals`)."
        ),
    )
    pending_total = MoneyField(
        source="withdrawals.total", help_text="What the pending withdrawals would send; fees apart."
    )


class AdminStatsObligationSerializer(serializers.Serializer):
    """What open positions are owed up to a horizon and not paid yet."""

    days = serializers.IntegerField(help_text="The window: the next 7 or 30 days.")
    through = serializers.DateField(help_text="The last business date of the window (`business_date` + `days`).")
    returns = MoneyField(
        help_text=(
            "Returns due by `through` and not paid yet: daily returns for every day after the last day the "
            "accrual job paid, at-maturity returns whole on the maturity date."
        )
    )
    principal = MoneyField(help_text="Principal given back by `through` (positions maturing, plans with capital back).")
    total = MoneyField(help_text="`returns` + `principal`.")


class AdminStatsCoverageHorizonSerializer(serializers.Serializer):
    days = serializers.IntegerField(help_text="The window: the next 7, 30 or 90 days.")
    through = serializers.DateField(help_text="The last business date of the window.")
    due_returns = MoneyField(help_text="Returns due by `through` and not paid yet (as in `obligations`).")
    due_principal = MoneyField(help_text="Principal given back by `through`.")
    owed = MoneyField(help_text="`payable_now` + `due_returns` + `due_principal`.")
    ratio = _ratio_field(
        allow_null=True,
        help_text=(
            "`has` ÷ `owed`, rounded down to 2 places (a ratio of 1.10 is at least 1.10); null when nothing is owed."
        ),
    )
    below_threshold = serializers.BooleanField(help_text="`has` < `threshold` × `owed`, exactly (a warning).")


class AdminStatsCoverageSerializer(serializers.Serializer):
    """What the platform has against what it owes; the same figures as the dashboard's coverage panel."""

    platform_cash = MoneyField(
        help_text="The platform cash account: deposits received minus payouts sent (shown positive when held)."
    )
    treasury = MoneyField(
        source="treasury_amount", help_text="The treasury balance finance staff recorded last (0.00 before any)."
    )
    treasury_as_of = serializers.DateTimeField(
        source="treasury.as_of", allow_null=True, help_text="When that treasury balance was counted; null before any."
    )
    has = MoneyField(help_text="`platform_cash` + `treasury`: what the platform has.")
    investor_available = MoneyField(help_text="Every investor's available balance, summed (payable on request).")
    investor_held = MoneyField(help_text="Every investor's balance held for pending withdrawals, summed.")
    payable_now = MoneyField(help_text="`investor_available` + `investor_held`: owed now, before any obligation.")
    threshold = _ratio_field(help_text="The ratio below which coverage is a warning (`COVERAGE_WARNING_RATIO`).")
    below_threshold = serializers.BooleanField(help_text="True when any horizon is below the threshold.")
    horizons = AdminStatsCoverageHorizonSerializer(many=True, help_text="The next 7, 30 and 90 days.")


class AdminStatsQueuesSerializer(serializers.Serializer):
    deposits = AdminStatsQueueHealthSerializer(help_text="Pending deposits, the oldest by when it was requested.")
    withdrawals = AdminStatsQueueHealthSerializer(help_text="Pending withdrawals, the oldest by when it was requested.")
    kyc = AdminStatsQueueHealthSerializer(
        help_text="KYC submissions waiting for review, the oldest by when it was submitted."
    )


class AdminStatsSerializer(serializers.Serializer):
    """The platform's figures. The first eight fields are the original system's, with its meaning
    (counts as integers; money, as everywhere in this API, as strings); the rest are Bursar's."""

    # --- the original system's fields ---
    total_users = serializers.IntegerField(
        source="investors", help_text="Investors (every non-staff account, deactivated ones included)."
    )
    active_investments = serializers.IntegerField(
        source="active_positions", help_text="Positions running (status active), every investor."
    )
    pending_deposits = serializers.IntegerField(source="deposits.count", help_text="Deposits waiting for review.")
    pending_withdrawals = serializers.IntegerField(
        source="withdrawals.count", help_text="Withdrawals waiting for review."
    )
    pending_kyc = serializers.IntegerField(source="kyc.count", help_text="KYC submissions waiting for review.")
    total_platform_balance = MoneyField(
        source="investor_available_total",
        help_text=(
            "Every investor's `balance` (available to invest or withdraw), summed. Held and invested money "
            "is in `coverage.investor_held` and `invested_principal`."
        ),
    )
    total_earnings = MoneyField(
        source="returns_paid",
        help_text="Returns paid to investors so far, every position (never principal, commissions or rewards).",
    )
    recent_users = AdminUserSerializer(
        source="recent_investors",
        many=True,
        help_text="The 5 newest investors, newest first (deactivated ones too), as `admin/users/` lists them.",
    )
    # --- Bursar's fields ---
    business_date = serializers.DateField(
        source="today", help_text="The business date the figures are for; the obligation windows count from it."
    )
    generated_at = serializers.DateTimeField(
        source="measured_at", help_text="When the figures were read; the queues' ages are measured at it."
    )
    currency = serializers.SerializerMethodField(help_text="The currency of every amount.")
    active_users = serializers.IntegerField(
        source="active_investors", help_text="Investors whose account is active (not deactivated)."
    )
    deposits = AdminStatsDepositFiguresSerializer(
        source="*", help_text="Approved deposits (all time) and pending ones."
    )
    withdrawals = AdminStatsWithdrawalFiguresSerializer(
        source="*", help_text="Paid withdrawals (all time) and pending ones; amounts sent, fees apart."
    )
    invested_principal = MoneyField(help_text="Principal in running positions.")
    commissions_paid = MoneyField(
        help_text="Referral commissions paid to referrers so far, net of any reversal (the ledger's referral expense)."
    )
    obligations = AdminStatsObligationSerializer(
        many=True, help_text="Returns and principal due in the next 7 and 30 days, not paid yet."
    )
    coverage = AdminStatsCoverageSerializer(
        help_text="Coverage: what the platform has against what it owes now and over the next 7, 30 and 90 days."
    )
    queues = AdminStatsQueuesSerializer(
        source="*", help_text="Queue health: how many wait, and for how long the oldest has."
    )

    def get_currency(self, stats) -> str:
        return settings.PLATFORM_CURRENCY
