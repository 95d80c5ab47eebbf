"""The Investor 360: everything staff know about one investor, read for the admin's user page.

One selector, ``investor_360_get``, reads each section through its app's selectors and models in a
fixed number of queries whatever the investor holds (each list is the newest few rows with a
count or a link to the full list). A section the viewer has no permission for is ``None`` and
costs nothing: what staff may not see is never read.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.lockout import LockoutStatus, lockout_status_for_user, lockout_usernames
from apps.accounts.models import StaffNote, User, UserEvent
from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

ZERO = Decimal("0.00")
UPLINE_LEVELS = 3
SHOWN = {
    "kyc": 10,
    "positions": 10,
    "requests": 10,
    "referrals": 10,
    "events": 20,
    "signins": 10,
    "notices": 10,
    "threads": 10,
    "notes": 20,
}


# --- what the page shows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MoneyToDate:
    deposited: Decimal  # approved deposits
    deposits_pending: Decimal
    withdrawn: Decimal  # paid-out withdrawals (amounts, fees apart)
    withdrawals_pending: Decimal


@dataclass(frozen=True)
class Referrals:
    upline: list[User]  # the referrer, then theirs, … (nearest first, at most ``UPLINE_LEVELS``)
    direct: list[User]  # the newest direct referrals, with ``invested`` and ``commission_earned``
    total: int
    qualified: int
    commission_total: Decimal | None  # None: the viewer may not see commissions


@dataclass(frozen=True)
class Activity:
    """Account events (the audit trail) and django-axes' sign-in records, each newest first."""

    events: list[UserEvent]
    signins: list  # axes.AccessLog
    failures: list  # axes.AccessFailureLog


@dataclass(frozen=True)
class Notes:
    notes: list[StaffNote]
    total: int


@dataclass(frozen=True)
class Investor360:
    user: User
    lockout: LockoutStatus
    balances: object | None = None  # wallet Balances
    money: MoneyToDate | None = None
    kyc_submissions: list | None = None
    positions: list | None = None
    positions_open: int = 0
    requests: list | None = None  # wallet WalletRequest rows
    referrals: Referrals | None = None
    activity: Activity | None = None
    notices: list | None = None
    threads: list | None = None
    notes: Notes | None = None
    sections: set[str] = field(default_factory=set)  # the sections the viewer may see


# The permission each section needs (any one of them).
SECTION_PERMISSIONS = {
    "balances": ("wallet.view_account",),
    "money": ("wallet.view_deposit", "wallet.view_withdrawal"),
    "kyc": ("kyc.view_submission",),
    "positions": ("investments.view_position",),
    "requests": ("wallet.view_deposit", "wallet.view_withdrawal"),
    "referrals": ("accounts.view_user",),
    "commissions": ("referrals.view_commission",),
    "activity": ("accounts.view_userevent", "accounts.view_user"),
    "notices": ("messaging.view_notification", "messaging.view_thread"),
    "threads": ("messaging.view_thread",),
    "notes": ("accounts.view_staffnote",),
}


def investor_360_sections(*, viewer) -> set[str]:
    return {name for name, permissions in SECTION_PERMISSIONS.items() if any(viewer.has_perm(p) for p in permissions)}


def investor_get_for_360(*, user_id) -> User | None:
    """The user with their referrers up to ``UPLINE_LEVELS`` levels (one query); ``None`` for a
    missing or malformed id."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    upline = "__".join(["referred_by"] * UPLINE_LEVELS)
    return User.objects.select_related(upline).filter(pk=user_id).first()


def investor_360_get(*, user: User, viewer) -> Investor360:
    """Every section of the page ``viewer`` may see, for ``user`` (loaded by
    ``investor_get_for_360``, so the referrers cost nothing more)."""
    sections = investor_360_sections(viewer=viewer)
    readers = {
        "balances": lambda: {"balances": _balances(user)},
        "money": lambda: {"money": money_to_date_for_user(user=user)},
        "kyc": lambda: {"kyc_submissions": _kyc_submissions(user)},
        "positions": lambda: _positions(user),
        "requests": lambda: {"requests": _requests(user, viewer)},
        "referrals": lambda: {"referrals": _referrals(user, with_commissions="commissions" in sections)},
        "activity": lambda: {"activity": activity_for_user(user=user)},
        "notices": lambda: {"notices": _notices(user)},
        "threads": lambda: {"threads": _threads(user)},
        "notes": lambda: {"notes": staff_notes_for_user(user=user)},
    }
    values = {}
    for name, read in readers.items():
        if name in sections:
            values.update(read())
    return Investor360(user=user, lockout=lockout_status_for_user(user=user), sections=sections, **values)


# --- sections ----------------------------------------------------------------------------------------


def _balances(user):
    from apps.wallet.selectors import balances_for_user

    return balances_for_user(user=user)


def money_to_date_for_user(*, user) -> MoneyToDate:
    """Deposits and withdrawals to date, approved and pending (two queries)."""
    from apps.wallet.models import Deposit, RequestStatus, Withdrawal

    def sums(model) -> dict:
        return model.objects.filter(user=user).aggregate(
            approved=Sum("amount", filter=Q(status=RequestStatus.APPROVED)),
            pending=Sum("amount", filter=Q(status=RequestStatus.PENDING)),
        )

    deposits, withdrawals = sums(Deposit), sums(Withdrawal)
    return MoneyToDate(
        deposited=deposits["approved"] or ZERO,
        deposits_pending=deposits["pending"] or ZERO,
        withdrawn=withdrawals["approved"] or ZERO,
        withdrawals_pending=withdrawals["pending"] or ZERO,
    )


def _kyc_submissions(user) -> list:
    from apps.kyc.models import Submission

    submissions = Submission.objects.filter(user=user).select_related("reviewed_by")
    return list(submissions.order_by("-submitted_at", "-id")[: SHOWN["kyc"]])


def _positions(user) -> dict:
    from apps.investments.models import Position, PositionStatus
    from apps.investments.selectors import position_list_for_admin

    positions = position_list_for_admin(queryset=Position.objects.filter(user=user))
    return {
        "positions": list(positions.order_by("-created_at", "-id")[: SHOWN["positions"]]),
        "positions_open": Position.objects.filter(user=user, status=PositionStatus.ACTIVE).count(),
    }


def _requests(user, viewer) -> list:
    from apps.wallet.selectors import request_list_for_user

    may_deposits, may_withdrawals = viewer.has_perm("wallet.view_deposit"), viewer.has_perm("wallet.view_withdrawal")
    kind = None if may_deposits and may_withdrawals else ("deposit" if may_deposits else "withdrawal")
    return request_list_for_user(user=user, kind=kind)[: SHOWN["requests"]]


def _referrals(user, *, with_commissions: bool) -> Referrals:
    """Upline from the loaded user; the newest direct referrals (one query), their counts (one) and
    the commissions earned in all (one, for staff who may see commissions)."""
    from apps.referrals.models import Commission
    from apps.referrals.selectors import has_invested

    upline, current = [], user
    for _level in range(UPLINE_LEVELS):
        current = current.referred_by
        if current is None or current.pk == user.pk:
            break
        upline.append(current)
    referred = User.objects.filter(referred_by=user)
    money = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    earned = (
        Commission.objects.filter(referrer=user, referred_user=OuterRef("pk"))
        .order_by()
        .values("referred_user")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    direct = (
        referred.annotate(
            invested=has_invested(),
            commission_earned=Coalesce(Subquery(earned, output_field=money), Value(ZERO), output_field=money),
        )
        .only("id", "email", "first_name", "last_name", "date_joined", "is_active")
        .order_by("-date_joined", "-id")
    )
    counts = referred.annotate(invested=has_invested()).aggregate(
        total=Count("pk"), qualified=Count("pk", filter=Q(invested=True))
    )
    commission_total = None
    if with_commissions:
        commission_total = Commission.objects.filter(referrer=user).aggregate(total=Sum("amount"))["total"] or ZERO
    return Referrals(
        upline=upline,
        direct=list(direct[: SHOWN["referrals"]]),
        total=counts["total"],
        qualified=counts["qualified"],
        commission_total=commission_total,
    )


def activity_for_user(*, user) -> Activity:
    """The newest account events (with who acted) and the newest sign-ins and failed sign-ins
    django-axes recorded for the account (three queries)."""
    from axes.models import AccessFailureLog, AccessLog

    names = lockout_usernames(user=user)
    events = UserEvent.objects.filter(user=user).select_related("actor").order_by("-created_at", "-id")
    signins = AccessLog.objects.filter(username__in=names).order_by("-attempt_time", "-id")
    failures = AccessFailureLog.objects.filter(username__in=names).order_by("-attempt_time", "-id")
    return Activity(
        events=list(events[: SHOWN["events"]]),
        signins=list(signins[: SHOWN["signins"]]),
        failures=list(failures[: SHOWN["signins"]]),
    )


def _notices(user) -> list:
    from apps.messaging.selectors import notification_list_for_user

    return list(notification_list_for_user(user=user)[: SHOWN["notices"]])


def _threads(user) -> list:
    from apps.messaging.models import Thread

    threads = Thread.objects.filter(investor=user).select_related("assignee").order_by("-last_message_at", "-id")
    return list(threads[: SHOWN["threads"]])


def staff_note_list_for_user(*, user) -> QuerySet[StaffNote]:
    return StaffNote.objects.filter(user=user).select_related("author").order_by("-created_at", "-id")


def staff_notes_for_user(*, user) -> Notes:
    """The newest staff notes with their authors, and how many there are (two queries)."""
    notes = staff_note_list_for_user(user=user)
    return Notes(notes=list(notes[: SHOWN["notes"]]), total=notes.count())


def account_age_days(*, user, now: datetime | None = None) -> int:
    return ((now or timezone.now()) - user.date_joined).days
