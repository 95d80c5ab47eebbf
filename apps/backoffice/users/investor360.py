"""The Investor 360: an investor's change page in the users admin is the one page staff need about
them. Above the tabs, who they are (status, lock-out, KYC, balances); in the General tab, their KYC
history, referrals, staff notes, positions, requests, account activity, notices and support
threads, then the profile form; the Statement tab (``statement.py``) pages through their ledger
with running balances. Staff users keep the plain change page.

Every figure comes from ``apps.backoffice.selectors.investor360.investor_360_get`` (a fixed number of queries,
only the sections the viewer may see); this module turns it into what the templates show: labels,
money, and links only to pages the viewer may open."""

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from apps.accounts.models import KycStatus, User, UserEvent
from apps.backoffice.selectors.investor360 import (
    SHOWN,
    Investor360,
    account_age_days,
    investor_360_get,
    investor_get_for_360,
)
from apps.wallet.admin.base import money

KYC_VARIANTS = {
    KycStatus.NOT_SUBMITTED: "default",
    KycStatus.PENDING: "warning",
    KycStatus.APPROVED: "success",
    KycStatus.REJECTED: "danger",
}
STATUS_VARIANTS = {
    "pending": "warning",
    "approved": "success",
    "rejected": "danger",
    "cancelled": "default",
    "active": "info",
    "matured": "success",
    "open": "info",
    "waiting_staff": "warning",
    "waiting_investor": "default",
    "resolved": "success",
    "closed": "default",
}
EVENT_ICONS = {
    UserEvent.Kind.SIGNED_UP: "person_add",
    UserEvent.Kind.EMAIL_VERIFIED: "mark_email_read",
    UserEvent.Kind.PASSWORD_CHANGED: "password",
    UserEvent.Kind.PASSWORD_RESET: "lock_reset",
    UserEvent.Kind.PROFILE_UPDATED: "edit",
    UserEvent.Kind.DEACTIVATED: "block",
    UserEvent.Kind.REACTIVATED: "check_circle",
    UserEvent.Kind.KYC_STATUS_SET: "badge",
    UserEvent.Kind.ROLES_CHANGED: "admin_panel_settings",
    UserEvent.Kind.UNLOCKED: "lock_open",
    UserEvent.Kind.VERIFICATION_SENT: "forward_to_inbox",
}


def label(text, variant: str) -> str:
    return render_to_string("unfold/helpers/label.html", {"text": text, "variant": variant})


def _url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def investor_360_context(user: User, *, request: HttpRequest) -> dict | None:
    """What the templates show for ``user`` (``None`` for a user who is gone meanwhile)."""
    user = investor_get_for_360(user_id=user.pk)
    if user is None:
        return None
    viewer = request.user
    data = investor_360_get(user=user, viewer=viewer)
    can = viewer.has_perm
    return {
        "user": user,
        "initials": _initials(user),
        "age_days": account_age_days(user=user),
        "lockout": data.lockout,
        "kyc": label(user.get_kyc_status_display(), KYC_VARIANTS.get(user.kyc_status, "default")),
        "balances": _balances(data),
        "money": _money(data),
        "statement": can("wallet.view_posting"),
        "postings_url": _url("admin:wallet_posting_changelist", account__owner__id__exact=user.pk)
        if can("wallet.view_posting")
        else "",
        "kyc_submissions": _kyc(data, user),
        "referrals": _referrals(data, viewer),
        "notes": _notes(data, request, user),
        "positions": _positions(data, user, viewer),
        "requests": _requests(data, user, viewer),
        "activity": _activity(data, user, viewer),
        "notices": _notices(data, user, viewer),
        "threads": _threads(data, user),
        "shown": SHOWN,
    }


def _initials(user: User) -> str:
    initials = "".join(part[0] for part in (user.first_name, user.last_name) if part) or user.email[0]
    return initials.upper()


def _balances(data: Investor360) -> list | None:
    if data.balances is None:
        return None
    currency, balances = settings.PLATFORM_CURRENCY, data.balances
    rows = [
        ("available", _("Available"), balances.available),
        ("held", _("Held for withdrawals"), balances.held),
        ("invested", _("Invested"), balances.invested),
        ("total", _("Total"), balances.total),
    ]
    return [(key, title, money(amount, currency)) for key, title, amount in rows]


def _money(data: Investor360) -> list | None:
    if data.money is None:
        return None
    currency, totals = settings.PLATFORM_CURRENCY, data.money
    return [
        ("deposited", _("Deposited"), money(totals.deposited, currency)),
        ("withdrawn", _("Paid out"), money(totals.withdrawn, currency)),
        ("deposits_pending", _("Deposits waiting"), money(totals.deposits_pending, currency)),
        ("withdrawals_pending", _("Withdrawals waiting"), money(totals.withdrawals_pending, currency)),
    ]


def _kyc(data: Investor360, user: User) -> dict | None:
    if data.kyc_submissions is None:
        return None
    return {
        "rows": [
            {
                "submission": submission,
                "url": _url("admin:kyc_submission_change", submission.pk),
                "status": label(submission.get_status_display(), STATUS_VARIANTS.get(submission.status, "default")),
            }
            for submission in data.kyc_submissions
        ],
        "all_url": _url("admin:kyc_submission_changelist", user__id__exact=user.pk),
    }


def _referrals(data: Investor360, viewer) -> dict | None:
    referrals = data.referrals
    if referrals is None:
        return None
    currency = settings.PLATFORM_CURRENCY
    show_commissions = referrals.commission_total is not None
    return {
        "upline": [
            (level, person, _url("admin:accounts_user_change", person.pk))
            for level, person in enumerate(referrals.upline, start=1)
        ],
        "direct": [
            {
                "user": person,
                "url": _url("admin:accounts_user_change", person.pk),
                "commission": money(person.commission_earned, currency) if show_commissions else "",
            }
            for person in referrals.direct
        ],
        "total": referrals.total,
        "qualified": referrals.qualified,
        "commission_total": money(referrals.commission_total, currency) if show_commissions else "",
        "tree_url": _url("admin:referrals_referrer_change", data.user.pk)
        if viewer.has_perm("referrals.view_referrer")
        else "",
    }


def _notes(data: Investor360, request: HttpRequest, user: User) -> dict | None:
    if data.notes is None:
        return None
    may_add = request.user.has_perm("accounts.add_staffnote")
    return {
        "rows": data.notes.notes,
        "total": data.notes.total,
        "add_url": reverse("admin:accounts_user_note_add_detail", args=(user.pk,)) if may_add else "",
    }


def _positions(data: Investor360, user: User, viewer) -> dict | None:
    if data.positions is None:
        return None
    return {
        "rows": [
            {
                "position": position,
                "url": _url("admin:investments_position_change", position.pk),
                "principal": money(position.principal, position.currency),
                "returns_paid": money(position.returns_paid, position.currency),
                "status": label(position.get_status_display(), STATUS_VARIANTS.get(position.status, "default")),
            }
            for position in data.positions
        ],
        "open": data.positions_open,
        "all_url": _url("admin:investments_position_changelist", q=user.email),
    }


def _requests(data: Investor360, user: User, viewer) -> dict | None:
    if data.requests is None:
        return None
    links = []
    if viewer.has_perm("wallet.view_deposit"):
        links.append((_("All deposits"), _url("admin:wallet_deposit_changelist", user__id__exact=user.pk)))
    if viewer.has_perm("wallet.view_withdrawal"):
        links.append((_("All withdrawals"), _url("admin:wallet_withdrawal_changelist", user__id__exact=user.pk)))
    return {
        "rows": [
            {
                "request": row,
                "url": _url(f"admin:wallet_{row.kind}_change", row.id),
                "amount": money(row.amount, row.currency),
                "status": label(row.status_label, STATUS_VARIANTS.get(row.status, "default")),
            }
            for row in data.requests
        ],
        "links": links,
    }


def _activity(data: Investor360, user: User, viewer) -> dict | None:
    """Account events and sign-in records in one timeline, newest first."""
    activity = data.activity
    if activity is None:
        return None
    rows = [
        {
            "at": event.created_at,
            "icon": EVENT_ICONS.get(event.kind, "history"),
            "title": event.get_kind_display(),
            "by": _actor(event),
            "detail": _event_detail(event),
            "variant": "",
            "kind": event.kind,
        }
        for event in activity.events
    ]
    rows += [
        {
            "at": signin.attempt_time,
            "icon": "login",
            "title": _("Signed in"),
            "by": "",
            "detail": _where(signin),
            "variant": "",
            "kind": "signed_in",
        }
        for signin in activity.signins
    ]
    rows += [
        {
            "at": failure.attempt_time,
            "icon": "lock" if failure.locked_out else "gpp_maybe",
            "title": _("Sign-in refused: locked out") if failure.locked_out else _("Failed sign-in"),
            "by": "",
            "detail": _where(failure),
            "variant": "danger" if failure.locked_out else "warning",
            "kind": "locked_out" if failure.locked_out else "failed_sign_in",
        }
        for failure in activity.failures
    ]
    rows.sort(key=lambda row: row["at"], reverse=True)
    links = []
    if viewer.has_perm("accounts.view_userevent") or viewer.has_perm("accounts.view_user"):
        links.append((_("All account events"), _url("admin:accounts_userevent_changelist", q=user.email)))
    if viewer.has_perm("axes.view_accesslog"):
        links.append((_("Sign-in log"), _url("admin:axes_accesslog_changelist", q=user.email)))
    if viewer.has_perm("axes.view_accessfailurelog"):
        links.append((_("Failed sign-ins"), _url("admin:axes_accessfailurelog_changelist", q=user.email)))
    return {"rows": rows[: SHOWN["events"]], "links": links}


def _actor(event: UserEvent) -> str:
    if event.actor_id is None:
        return _("system")
    if event.actor_id == event.user_id:
        return _("the user")
    return event.actor.email


def _event_detail(event: UserEvent) -> str:
    """What a KYC status change went from and to (other events say it in their title)."""
    data = event.data or {}
    if event.kind != UserEvent.Kind.KYC_STATUS_SET or not {"from", "to"} <= set(data):
        return ""
    labels = dict(KycStatus.choices)
    return _("from %(from)s to %(to)s") % {
        "from": labels.get(data["from"], data["from"]),
        "to": labels.get(data["to"], data["to"]),
    }


def _where(record) -> str:
    """Where a sign-in came from: the address and the page (portal, admin or API)."""
    return " · ".join(part for part in (record.ip_address or "", record.path_info or "") if part)


def _notices(data: Investor360, user: User, viewer) -> dict | None:
    if data.notices is None:
        return None
    all_url = ""
    if viewer.has_perm("messaging.view_notification"):
        all_url = _url("admin:messaging_notification_changelist", user__id__exact=user.pk)
    return {"rows": data.notices, "all_url": all_url}


def _threads(data: Investor360, user: User) -> dict | None:
    if data.threads is None:
        return None
    return {
        "rows": [
            {
                "thread": thread,
                "url": _url("admin:messaging_thread_change", thread.pk),
                "status": label(thread.get_status_display(), STATUS_VARIANTS.get(thread.status, "default")),
            }
            for thread in data.threads
        ],
        "all_url": _url("admin:messaging_thread_changelist", queue="all", investor__id__exact=user.pk),
    }


class Investor360Mixin:
    """Mixed into the users admin (``apps.backoffice.users.admin``): an investor's change page is
    their 360 (staff users keep the plain change page). The account-events tab gives way to the
    activity timeline of the 360."""

    change_form_template = "backoffice/investor360/change_form.html"

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not obj.is_staff:
            context["investor360"] = investor_360_context(obj, request=request)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_inline_instances(self, request: HttpRequest, obj=None):
        if obj is not None and not obj.is_staff:
            return []
        return super().get_inline_instances(request, obj)
