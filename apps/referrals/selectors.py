"""Every read of the referrals app that has rules: what an investor sees of their referrals
(never another user's email or balance), milestone progress, and the staff views (top
referrers, a user's referral tree).

A *qualified* referral is a referred user who has bought at least one plan (a position exists).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from apps.accounts.models import User
from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from apps.investments.models import Position
from apps.referrals.models import Commission, Milestone, MilestoneAward, Referrer

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
# The icon names staff may pick for a milestone, and what the portal shows for each. Any other
# value (an emoji typed in the admin) is shown as it is.
ICON_SYMBOLS = {
    "trophy": "🏆",
    "medal": "🏅",
    "bronze": "🥉",
    "silver": "🥈",
    "gold": "🥇",
    "star": "⭐",
    "gem": "💎",
    "vip": "💎",
    "crown": "👑",
    "rocket": "🚀",
}


def icon_symbol(icon: str) -> str:
    if icon in ICON_SYMBOLS:
        return ICON_SYMBOLS[icon]
    return icon if icon and not icon.isascii() else ICON_SYMBOLS["trophy"]


def referral_link_for_user(*, user) -> str:
    """The full sign-up link carrying the user's code: ``{SITE_URL}/r/<code>/``."""
    return settings.SITE_URL + reverse("portal:signup_referral", kwargs={"code": user.referral_code})


# --- building blocks ----------------------------------------------------------------------------


def has_invested() -> Exists:
    """For a queryset of users: whether the user has bought a plan."""
    return Exists(Position.objects.filter(user=OuterRef("pk")))


def _money(expression) -> Coalesce:
    return Coalesce(expression, Value(ZERO), output_field=MONEY)


def _count_of(queryset: QuerySet, group_by: str) -> Coalesce:
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _sum_of(queryset: QuerySet, group_by: str) -> Coalesce:
    return _money(Subquery(queryset.order_by().values(group_by).annotate(s=Sum("amount")).values("s")))


# --- the investor's own view --------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneProgress:
    id: int
    name: str
    required_referrals: int
    reward_amount: Decimal
    currency: str
    icon: str
    symbol: str
    qualified: int
    achieved: bool
    awarded: bool

    @property
    def progress(self) -> int:
        """Qualified referrals counted towards this milestone (at most the number required)."""
        return min(self.qualified, self.required_referrals)

    @property
    def percent(self) -> int:
        return self.progress * 100 // self.required_referrals


@dataclass(frozen=True)
class ReferralStats:
    total_referrals: int
    qualified_referrals: int
    total_commission: Decimal
    total_rewards: Decimal
    packs: list[MilestoneProgress] = field(default_factory=list)


def referral_counts_for_user(*, user) -> tuple[int, int]:
    """(referred users, qualified referred users), in one query."""
    counts = (
        User.objects.filter(referred_by=user)
        .annotate(invested=has_invested())
        .aggregate(total=Count("pk"), qualified=Count("pk", filter=Q(invested=True)))
    )
    return counts["total"], counts["qualified"]


def commission_total_for_user(*, user) -> Decimal:
    return Commission.objects.filter(referrer=user).aggregate(total=Sum("amount"))["total"] or ZERO


def reward_total_for_user(*, user) -> Decimal:
    return MilestoneAward.objects.filter(user=user).aggregate(total=Sum("amount"))["total"] or ZERO


def milestone_list_active() -> QuerySet[Milestone]:
    """The public catalogue of referral packs, in display order."""
    return Milestone.objects.filter(is_active=True).order_by("display_order", "required_referrals", "id")


def milestone_progress_for_user(*, user, qualified: int) -> list[MilestoneProgress]:
    """Each active milestone with the user's progress towards it (one query)."""
    milestones = milestone_list_active().annotate(
        awarded=Exists(MilestoneAward.objects.filter(user=user, milestone=OuterRef("pk")))
    )
    return [
        MilestoneProgress(
            id=milestone.pk,
            name=milestone.name,
            required_referrals=milestone.required_referrals,
            reward_amount=milestone.reward_amount,
            currency=milestone.currency,
            icon=milestone.icon,
            symbol=icon_symbol(milestone.icon),
            qualified=qualified,
            achieved=qualified >= milestone.required_referrals,
            awarded=milestone.awarded,
        )
        for milestone in milestones
    ]


def referral_stats_for_user(*, user) -> ReferralStats:
    """The investor's referral figures and milestone progress, in four queries."""
    total, qualified = referral_counts_for_user(user=user)
    return ReferralStats(
        total_referrals=total,
        qualified_referrals=qualified,
        total_commission=commission_total_for_user(user=user),
        total_rewards=reward_total_for_user(user=user),
        packs=milestone_progress_for_user(user=user, qualified=qualified),
    )


def referral_list_for_user(*, user) -> QuerySet[User]:
    """The users the investor referred, newest first, with only what the investor may see: first
    name, join date, whether they invested, and the commission the investor earned from them."""
    earned = Commission.objects.filter(referrer=user, referred_user=OuterRef("pk"))
    return (
        User.objects.filter(referred_by=user)
        .annotate(has_invested=has_invested(), commission_earned=_sum_of(earned, "referred_user"))
        .only("id", "first_name", "date_joined")
        .order_by("-date_joined", "-id")
    )


def commission_list_for_user(*, user) -> QuerySet[Commission]:
    """The commissions the investor earned, newest first (no details of the investor who paid it)."""
    return Commission.objects.filter(referrer=user).only("id", "level", "rate", "amount", "created_at")


@dataclass(frozen=True)
class ReferralOverview:
    """The investor's referrals page: their code and link, figures, milestone progress and the
    latest commissions (the referred users are listed page by page: ``referral_list_for_user``)."""

    referral_code: str
    referral_link: str
    currency: str
    stats: ReferralStats
    recent_commissions: list[Commission]
    more_commissions: bool  # older commissions exist beyond ``recent_commissions``


RECENT_COMMISSIONS = 20


def referral_overview_for_user(*, user) -> ReferralOverview:
    commissions = list(commission_list_for_user(user=user)[: RECENT_COMMISSIONS + 1])
    return ReferralOverview(
        referral_code=user.referral_code,
        referral_link=referral_link_for_user(user=user),
        currency=settings.PLATFORM_CURRENCY,
        stats=referral_stats_for_user(user=user),
        recent_commissions=commissions[:RECENT_COMMISSIONS],
        more_commissions=len(commissions) > RECENT_COMMISSIONS,
    )


# --- staff ------------------------------------------------------------------------------------------


def referrer_list_for_staff(*, everyone: bool = False) -> QuerySet[Referrer]:
    """Users who referred someone (with ``everyone``: all users), best first: by qualified
    referrals, then commissions earned. One query: each figure is a correlated aggregate."""
    referrals = User.objects.filter(referred_by=OuterRef("pk"))
    users = Referrer.objects.all() if everyone else Referrer.objects.filter(Exists(referrals))
    return users.annotate(
        total_referrals=_count_of(referrals, "referred_by"),
        qualified_referrals=_count_of(referrals.filter(has_invested()), "referred_by"),
        total_commission=_sum_of(Commission.objects.filter(referrer=OuterRef("pk")), "referrer"),
        rewards=_sum_of(MilestoneAward.objects.filter(user=OuterRef("pk")), "user"),
    ).order_by("-qualified_referrals", "-total_commission", "-total_referrals", "id")


@dataclass(frozen=True)
class AffiliateSummary:
    total_referrals: int  # users who signed up with someone's code
    total_commissions: Decimal  # every referral commission paid, all levels
    active_referrers: int  # users who earned at least one commission


AFFILIATE_TOP = 5


def affiliate_summary_for_staff() -> AffiliateSummary:
    """The programme at a glance (two aggregate queries), as the original client's affiliates
    screen shows it above the list."""
    referred = User.objects.filter(referred_by__isnull=False).aggregate(total=Count("id"))
    commissions = Commission.objects.aggregate(
        total=_money(Sum("amount")),
        referrers=Count("referrer", distinct=True),
    )
    return AffiliateSummary(
        total_referrals=referred["total"],
        total_commissions=commissions["total"],
        active_referrers=commissions["referrers"],
    )


# --- a user's referral tree (staff) -------------------------------------------------------------

TREE_DEPTH = 3
TREE_NODES_PER_LEVEL = 200
CHAIN_MAX = 10


@dataclass
class TreeNode:
    user: User
    level: int
    has_invested: bool
    referral_count: int
    commission_to_root: Decimal
    children: list["TreeNode"] = field(default_factory=list)


@dataclass(frozen=True)
class TreeLevel:
    level: int
    users: int
    qualified: int
    shown: int
    commission: Decimal


@dataclass(frozen=True)
class ReferralTree:
    user: User
    chain: list[User]  # the user's referrer, then that referrer's referrer, … (nearest first)
    stats: ReferralStats
    levels: list[TreeLevel]
    nodes: list[TreeNode]  # the directly referred users, each with their own referrals below


def referrer_chain_for_user(*, user, limit: int = CHAIN_MAX) -> list[User]:
    """The user's referrers upwards, nearest first (a chain never visits a user twice)."""
    chain, seen, current = [], {user.pk}, user.referred_by_id
    while current is not None and current not in seen and len(chain) < limit:
        referrer = (
            User.objects.filter(pk=current)
            .only("id", "email", "first_name", "last_name", "referred_by", "is_active")
            .first()
        )
        if referrer is None:
            break
        chain.append(referrer)
        seen.add(referrer.pk)
        current = referrer.referred_by_id
    return chain


def _tree_level(*, root, parent_ids: list[int]) -> QuerySet[User]:
    referrals = User.objects.filter(referred_by=OuterRef("pk"))
    earned = Commission.objects.filter(referrer=root, referred_user=OuterRef("pk"))
    return (
        User.objects.filter(referred_by_id__in=parent_ids)
        .exclude(pk=root.pk)
        .annotate(
            invested=has_invested(),
            referral_count=_count_of(referrals, "referred_by"),
            commission_to_root=_sum_of(earned, "referred_user"),
        )
        .only("id", "email", "first_name", "last_name", "date_joined", "referred_by", "is_active")
        .order_by("date_joined", "id")
    )


def _level_totals(*, root, level: int, shown: int) -> TreeLevel:
    """Every user ``level`` steps below ``root`` (not only those listed)."""
    users = User.objects.filter(**{"__".join(["referred_by"] * level): root}).exclude(pk=root.pk)
    counts = users.annotate(invested=has_invested()).aggregate(
        total=Count("pk"), qualified=Count("pk", filter=Q(invested=True))
    )
    commission = Commission.objects.filter(referrer=root, level=level).aggregate(total=Sum("amount"))["total"]
    return TreeLevel(
        level=level, users=counts["total"], qualified=counts["qualified"], shown=shown, commission=commission or ZERO
    )


def referral_tree_get(*, user, depth: int = TREE_DEPTH, per_level: int = TREE_NODES_PER_LEVEL) -> ReferralTree:
    """The user's referrer chain upwards and their referred users downwards ``depth`` levels, each
    user with whether they invested, how many they referred and the commission the root earned
    from them; at most ``per_level`` users are listed per level (the counts cover them all)."""
    nodes_by_id: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    levels: list[TreeLevel] = []
    parent_ids = [user.pk]
    for level in range(1, depth + 1):
        rows = list(_tree_level(root=user, parent_ids=parent_ids)[:per_level])
        levels.append(_level_totals(root=user, level=level, shown=len(rows)))
        for row in rows:
            node = TreeNode(
                user=row,
                level=level,
                has_invested=row.invested,
                referral_count=row.referral_count,
                commission_to_root=row.commission_to_root,
            )
            nodes_by_id[row.pk] = node
            (roots if level == 1 else nodes_by_id[row.referred_by_id].children).append(node)
        parent_ids = [row.pk for row in rows]
        if not parent_ids:
            break
    return ReferralTree(
        user=user,
        chain=referrer_chain_for_user(user=user),
        stats=referral_stats_for_user(user=user),
        levels=levels,
        nodes=roots,
    )
