"""The risk panel of the deposit and withdrawal review pages: the investor behind the request and
the signals of ``selectors.risk``, the risky ones highlighted, with a link to the investor's 360.
Other investors on the same address are linked for staff who may open users."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import KycStatus
from apps.controls.runtime import runtime_setting
from apps.wallet.admin.base import money
from apps.wallet.models import Withdrawal
from apps.wallet.selectors.risk import RiskSignals, deposit_risk_signals, withdrawal_risk_signals

KYC_VARIANTS = {
    KycStatus.NOT_SUBMITTED: "default",
    KycStatus.PENDING: "warning",
    KycStatus.APPROVED: "success",
    KycStatus.REJECTED: "danger",
}


def risk_panel(request_obj, *, viewer) -> dict:
    """What the panel shows for one deposit or withdrawal (with its ``user`` loaded)."""
    if isinstance(request_obj, Withdrawal):
        signals = withdrawal_risk_signals(withdrawals=[request_obj])[request_obj.pk]
    else:
        signals = deposit_risk_signals(deposits=[request_obj])[request_obj.pk]
    user, flags = request_obj.user, set(signals.flags)
    rows = [
        _row("kyc", _("KYC"), _kyc(user, viewer), flags),
        _row("account_new", _("Account age"), _age(user, signals), flags),
        _row("withdrawals_exceed_deposits", _("Deposits and withdrawals to date"), _money(signals), flags),
    ]
    if signals.kind == "withdrawal":
        rows += [
            _row("address_new", _("Payout address"), _address_new(signals), flags),
            _row("address_changed", _("Address changed"), _address_changed(signals), flags),
        ]
    rows += [
        _row("address_shared", _("Other investors on this address"), _address_users(signals, viewer), flags),
        _row("daily_limit", _("Withdrawals today"), _daily(signals), flags),
    ]
    can_open_users = viewer.has_perm("accounts.view_user")
    return {
        "investor": user,
        "investor_url": reverse("admin:accounts_user_change", args=(user.pk,)) if can_open_users else "",
        "rows": rows,
        "firing": len(flags),
    }


def _row(key: str, title: str, value: str, flags: set[str]) -> dict:
    return {"key": key, "title": title, "value": value, "risky": key in flags}


def _label(text: str, variant: str) -> str:
    return render_to_string("unfold/helpers/label.html", {"text": text, "variant": variant})


def _kyc(user, viewer) -> str:
    text = _label(user.get_kyc_status_display(), KYC_VARIANTS.get(user.kyc_status, "default"))
    if not viewer.has_perm("kyc.view_submission"):
        return text
    url = f"{reverse('admin:kyc_submission_changelist')}?{urlencode({'user__id__exact': user.pk})}"
    return format_html('{} <a href="{}" class="text-primary-600 dark:text-primary-500">{}</a>', text, url, _("history"))


def _age(user, signals: RiskSignals) -> str:
    days = signals.account_age_days
    age = ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
    joined = formats.date_format(timezone.localtime(user.date_joined), "j M Y")
    return format_html('{} <span class="text-base-500 dark:text-base-400">· {}</span>', age, _("joined %s") % joined)


def _money(signals: RiskSignals) -> str:
    currency = settings.PLATFORM_CURRENCY
    parts = [
        (_("Deposited"), money(signals.deposited, currency)),
        (_("Paid out"), money(signals.withdrawn, currency)),
        (_("Pending withdrawals"), money(signals.withdrawals_pending, currency)),
    ]
    return format_html_join(
        "",
        '<span class="flex flex-row gap-2 justify-between"><span>{}</span>'
        '<span class="font-medium whitespace-nowrap">{}</span></span>',
        parts,
    )


def _address_new(signals: RiskSignals) -> str:
    if signals.address_new:
        return _("New: nothing was ever paid out to it for this investor")
    return _("Known: paid out to before")


def _address_changed(signals: RiskSignals) -> str:
    days = runtime_setting("RISK_ADDRESS_NEW_DAYS")
    first = formats.date_format(timezone.localtime(signals.address_first_used_at), "j M Y")
    if signals.address_changed:
        return _("Switched to it on %(date)s, after using another address") % {"date": first}
    return ngettext(
        "No switch to it in the last %(days)d day (first used %(date)s)",
        "No switch to it in the last %(days)d days (first used %(date)s)",
        days,
    ) % {"days": days, "date": first}


def _address_users(signals: RiskSignals, viewer) -> str:
    if not signals.address:
        return _("No address given")
    if not signals.address_user_count:
        return _("None")
    if viewer.has_perm("accounts.view_user"):
        names = format_html_join(
            "",
            '<li><a href="{}" class="text-primary-600 dark:text-primary-500"><bdi>{}</bdi></a></li>',
            ((reverse("admin:accounts_user_change", args=(user.id,)), user.email) for user in signals.address_users),
        )
    else:
        names = format_html_join("", "<li><bdi>{}</bdi></li>", ((user.email,) for user in signals.address_users))
    more = signals.address_user_count - len(signals.address_users)
    more_text = format_html("<li>{}</li>", _("and %(count)d more") % {"count": more}) if more > 0 else ""
    return format_html('<ul class="flex flex-col gap-1" data-address-users>{}{}</ul>', names, more_text)


def _daily(signals: RiskSignals) -> str:
    currency = settings.PLATFORM_CURRENCY
    return format_html(
        '{} <span class="text-base-500 dark:text-base-400">{}</span>',
        money(signals.withdrawn_today, currency),
        _("of %(limit)s (%(percent)d%%)")
        % {"limit": money(signals.daily_limit, currency), "percent": signals.daily_limit_percent},
    )
