"""Referral commissions, paid when a referred investor buys a plan (inside that transaction)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from apps.common.money import CENT
from apps.messaging.services import notification_send
from apps.referrals.models import Commission, CommissionRule
from apps.wallet.models import AccountKind, EntryKind
from apps.wallet.services.ledger import entry_post, investor_account, platform_account, transfer_legs


def commissions_pay(*, position) -> list[Commission]:
    """Pay each active level up the investor's referral chain once (I6: ``commission:<pos>:<level>``).

    Runs inside the caller's transaction. Deactivated referrers are skipped (their level is
    not paid to anyone else); a chain never visits the same user twice.
    """
    rules = {rule.level: rule.rate for rule in CommissionRule.objects.filter(is_active=True)}
    paid: list[Commission] = []
    referrer, seen = position.user.referred_by, {position.user_id}
    for level in range(1, max(rules, default=0) + 1):
        if referrer is None or referrer.pk in seen:
            break
        seen.add(referrer.pk)
        rate = rules.get(level)
        amount = (position.principal * rate / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP) if rate else 0
        if rate and amount > 0 and referrer.is_active:
            paid.append(_pay(position=position, level=level, referrer=referrer, rate=rate, amount=amount))
        referrer = referrer.referred_by
    return paid


def _pay(*, position, level: int, referrer, rate: Decimal, amount: Decimal) -> Commission:
    entry = entry_post(
        kind=EntryKind.COMMISSION,
        natural_key=f"commission:{position.pk}:{level}",
        legs=transfer_legs(
            debit=platform_account(AccountKind.REFERRAL_EXPENSE),
            credit=investor_account(user=referrer, kind=AccountKind.AVAILABLE),
            amount=amount,
        ),
        memo=f"Referral commission, level {level}, position #{position.pk}",
        business_date=position.start_date,  # the purchase's business date
    )
    commission = Commission.objects.create(
        position=position,
        level=level,
        referrer=referrer,
        referred_user=position.user,
        rate=rate,
        amount=amount,
        entry=entry,
    )
    notification_send(
        user=referrer,
        kind="commission_earned",
        title=lambda: _("Referral commission"),
        body=lambda: (
            _("You earned %(amount)s %(currency)s because someone you invited invested.")
            % {"amount": amount, "currency": position.currency}
        ),
        link="/wallet/",
    )
    return commission
