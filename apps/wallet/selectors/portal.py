"""What the investor's wallet pages show: requests, overview, deposit and withdrawal terms."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    CharField,
    DecimalField,
    F,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import KycStatus
from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from apps.controls.runtime import runtime_setting
from apps.wallet.models import (
    Deposit,
    DepositAddress,
    RequestStatus,
    Withdrawal,
)
from apps.wallet.selectors.balances import (
    ZERO,
    Balances,
    balances_for_user,
    deposit_address_list_active,
    withdrawal_total_today_for_user,
)

REQUEST_KIND_DEPOSIT = "deposit"
REQUEST_KIND_WITHDRAWAL = "withdrawal"
REQUEST_KIND_LABELS = {REQUEST_KIND_DEPOSIT: _("Deposit"), REQUEST_KIND_WITHDRAWAL: _("Withdrawal")}
WALLET_RECENT_REQUESTS = 10
# The columns of one request row, in the order both branches of the union select them.
_WALLET_REQUEST_COLUMNS = ("r_kind", "r_id", "r_amount", "r_fee", "r_currency", "r_status", "r_detail", "r_created_at")


@dataclass(frozen=True)
class WalletRequest:
    """One deposit or withdrawal request of an investor, as their wallet lists it."""

    kind: str
    id: int
    amount: Decimal
    fee: Decimal
    currency: str
    status: str
    detail: str  # a deposit's method (network), a withdrawal's destination address
    created_at: datetime

    @property
    def total(self) -> Decimal:
        """What the request moves: a withdrawal holds its amount plus its fee."""
        return self.amount + self.fee

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING

    @property
    def kind_label(self) -> str:
        return REQUEST_KIND_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return RequestStatus(self.status).label


class WalletRequestList:
    """The investor's requests, newest first, lazily: a slice is one query and ``count()`` one
    more, so a ``Paginator`` pages through it in two queries whatever its length."""

    def __init__(self, queryset: QuerySet) -> None:
        self._queryset = queryset

    def count(self) -> int:
        return self._queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(values) for values in self._queryset[index]]
        return self._row(self._queryset[index])

    @staticmethod
    def _row(values: dict) -> WalletRequest:
        return WalletRequest(**{name.removeprefix("r_"): values[name] for name in _WALLET_REQUEST_COLUMNS})


def _wallet_request_rows(queryset: QuerySet, *, kind: str, fee, detail: str) -> QuerySet:
    money = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    return (
        queryset.order_by()
        .annotate(
            r_kind=Cast(Value(kind), output_field=CharField()),
            r_id=F("id"),
            r_amount=F("amount"),
            r_fee=Cast(fee, output_field=money),
            r_currency=F("currency"),
            r_status=F("status"),
            r_detail=F(detail),
            r_created_at=F("created_at"),
        )
        .values(*_WALLET_REQUEST_COLUMNS)
    )


def request_list_for_user(*, user, status: str | None = None, kind: str | None = None) -> WalletRequestList:
    """The investor's own deposit and withdrawal requests in one list, newest first (one SQL
    ``UNION ALL``), optionally of one status and/or one kind."""
    filters = {"user": user, **({"status": status} if status else {})}
    deposits = Deposit.objects.filter(**filters) if kind in (None, REQUEST_KIND_DEPOSIT) else Deposit.objects.none()
    withdrawals = Withdrawal.objects.filter(**filters)
    if kind not in (None, REQUEST_KIND_WITHDRAWAL):
        withdrawals = withdrawals.none()
    queryset = _wallet_request_rows(deposits, kind=REQUEST_KIND_DEPOSIT, fee=Value(ZERO), detail="method").union(
        _wallet_request_rows(withdrawals, kind=REQUEST_KIND_WITHDRAWAL, fee=F("fee"), detail="address"), all=True
    )
    return WalletRequestList(queryset.order_by("-r_created_at", "-r_id"))


@dataclass(frozen=True)
class WalletOverview:
    currency: str
    balances: Balances
    deposit_addresses: list[DepositAddress]
    recent_requests: list[WalletRequest]


def wallet_overview_for_user(*, user, recent: int = WALLET_RECENT_REQUESTS) -> WalletOverview:
    """The wallet page: balances, where to send deposits, and the latest requests (3 queries)."""
    return WalletOverview(
        currency=settings.PLATFORM_CURRENCY,
        balances=balances_for_user(user=user),
        deposit_addresses=list(deposit_address_list_active()),
        recent_requests=request_list_for_user(user=user)[:recent],
    )


@dataclass(frozen=True)
class DepositTerms:
    currency: str
    minimum: Decimal
    maximum: Decimal
    addresses: list[DepositAddress]

    @property
    def networks(self) -> list[str]:
        return sorted({address.network for address in self.addresses})


def deposit_terms_get() -> DepositTerms:
    """What the deposit form shows: the limits and the platform's active addresses."""
    return DepositTerms(
        currency=settings.PLATFORM_CURRENCY,
        minimum=runtime_setting("DEPOSIT_MIN"),
        maximum=runtime_setting("DEPOSIT_MAX"),
        addresses=list(deposit_address_list_active()),
    )


WITHDRAWAL_EXAMPLE_AMOUNT = Decimal("100.00")


@dataclass(frozen=True)
class WithdrawalTerms:
    currency: str
    available: Decimal
    minimum: Decimal
    maximum: Decimal
    daily_limit: Decimal
    requested_today: Decimal
    fee_fixed: Decimal
    fee_percent: Decimal
    example_amount: Decimal
    example_fee: Decimal
    kyc_status: str
    kyc_blocks: bool  # identity verification is required and this investor's is not approved

    @property
    def remaining_today(self) -> Decimal:
        return max(self.daily_limit - self.requested_today, ZERO)

    @property
    def has_fee(self) -> bool:
        return bool(self.fee_fixed or self.fee_percent)

    @property
    def example_total(self) -> Decimal:
        return self.example_amount + self.example_fee


def withdrawal_terms_for_user(*, user) -> WithdrawalTerms:
    """What the withdrawal form shows: the available balance, the limits, what is left of
    today's limit, the fee rule (charged on top: the hold is amount + fee) with a worked
    example, and whether the investor's identity check stops them."""
    from apps.wallet.services.withdrawals import withdrawal_fee_for  # services import this module

    example = min(max(WITHDRAWAL_EXAMPLE_AMOUNT, runtime_setting("WITHDRAWAL_MIN")), runtime_setting("WITHDRAWAL_MAX"))
    return WithdrawalTerms(
        currency=settings.PLATFORM_CURRENCY,
        available=balances_for_user(user=user).available,
        minimum=runtime_setting("WITHDRAWAL_MIN"),
        maximum=runtime_setting("WITHDRAWAL_MAX"),
        daily_limit=runtime_setting("WITHDRAWAL_DAILY_LIMIT"),
        requested_today=withdrawal_total_today_for_user(user=user),
        fee_fixed=runtime_setting("WITHDRAWAL_FEE_FIXED"),
        fee_percent=runtime_setting("WITHDRAWAL_FEE_PERCENT"),
        example_amount=example,
        example_fee=withdrawal_fee_for(example),
        kyc_status=user.kyc_status,
        kyc_blocks=runtime_setting("KYC_REQUIRED_FOR_WITHDRAWAL") and user.kyc_status != KycStatus.APPROVED,
    )
