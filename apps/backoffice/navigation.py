"""The admin sidebar, declared once and filtered per request.

Each item names an admin URL. Items whose URL cannot be reversed (the model of a later issue, not
registered yet) and items the staff member may not open are dropped; sections left empty are
dropped too. So the sidebar can list every domain up front and grows by itself as apps land.

An item's permission is, in order: a callable ``(request) -> bool``; an ``"app_label.codename"``
string; or, when omitted, the view-or-change permission of the ModelAdmin behind an
``admin:<app>_<model>_changelist`` URL (any staff member for other URLs).

A badge (e.g. a pending-queue count) is a callable ``(request) -> int | str | None`` or a dotted
path to one; a dotted path that does not import yet is ignored, and a falsy value shows nothing.
A badge may also return ``(value, variant)`` to choose its colour for this request (the inbox:
red when threads are past their SLA).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

Permission = str | Callable[[HttpRequest], bool] | None
Badge = str | Callable[[HttpRequest], int | str | tuple[int | str | None, str] | None] | None


@dataclass(frozen=True)
class NavItem:
    title: str
    icon: str
    url_name: str
    permission: Permission = None
    badge: Badge = None
    badge_variant: str = "warning"


@dataclass(frozen=True)
class NavSection:
    title: str | None
    items: tuple[NavItem, ...]


SIDEBAR: tuple[NavSection, ...] = (
    NavSection(None, (NavItem(_("Dashboard"), "dashboard", "admin:index", permission=lambda request: True),)),
    NavSection(
        _("People"),
        (
            NavItem(_("Users"), "group", "admin:accounts_user_changelist"),
            NavItem(_("Roles"), "badge", "admin:auth_group_changelist"),
            NavItem(_("Account events"), "history", "admin:accounts_userevent_changelist"),
        ),
    ),
    NavSection(
        _("Money"),
        (
            NavItem(
                _("Deposits"),
                "south_west",
                "admin:wallet_deposit_changelist",
                badge="apps.backoffice.badges.deposits_pending",
            ),
            NavItem(
                _("Withdrawals"),
                "north_east",
                "admin:wallet_withdrawal_changelist",
                badge="apps.backoffice.badges.withdrawals_pending",
            ),
            NavItem(
                _("Adjustments"),
                "tune",
                "admin:wallet_adjustment_changelist",
                badge="apps.backoffice.badges.adjustments_waiting_for_checker",
            ),
            NavItem(_("Daily close"), "event_available", "reports:daily_close", permission="wallet.view_entry"),
            NavItem(_("Ledger entries"), "receipt_long", "admin:wallet_entry_changelist"),
            NavItem(_("Accounts"), "account_balance_wallet", "admin:wallet_account_changelist"),
            NavItem(_("Deposit addresses"), "qr_code_2", "admin:wallet_depositaddress_changelist"),
            NavItem(_("Treasury balances"), "savings", "admin:wallet_treasurybalance_changelist"),
        ),
    ),
    NavSection(
        _("Investments"),
        (
            NavItem(_("Plans"), "inventory_2", "admin:investments_plan_changelist"),
            NavItem(_("Positions"), "trending_up", "admin:investments_position_changelist"),
            NavItem(_("Risk acceptances"), "task_alt", "admin:investments_riskdisclosureacceptance_changelist"),
        ),
    ),
    NavSection(
        _("Referrals"),
        (
            NavItem(_("Top referrers"), "leaderboard", "admin:referrals_referrer_changelist"),
            NavItem(_("Commissions"), "paid", "admin:referrals_commission_changelist"),
            NavItem(_("Commission rules"), "rule", "admin:referrals_commissionrule_changelist"),
            NavItem(_("Milestones"), "military_tech", "admin:referrals_milestone_changelist"),
            NavItem(_("Milestone awards"), "emoji_events", "admin:referrals_milestoneaward_changelist"),
        ),
    ),
    NavSection(
        _("KYC"),
        (
            NavItem(
                _("Submissions"),
                "verified_user",
                "admin:kyc_submission_changelist",
                badge="apps.backoffice.badges.kyc_pending",
            ),
            NavItem(_("Document accesses"), "visibility", "admin:kyc_documentaccess_changelist"),
        ),
    ),
    NavSection(
        _("Messages"),
        (
            NavItem(
                _("Inbox"), "inbox", "admin:messaging_thread_changelist", badge="apps.backoffice.badges.support_inbox"
            ),
            NavItem(
                _("Task proofs"),
                "fact_check",
                "admin:messaging_taskassignment_changelist",
                badge="apps.backoffice.badges.task_proofs_submitted",
            ),
            NavItem(_("Tasks"), "task_alt", "admin:messaging_task_changelist"),
            NavItem(_("Announcements"), "campaign", "admin:messaging_announcement_changelist"),
            NavItem(_("Canned replies"), "quickreply", "admin:messaging_cannedreply_changelist"),
            NavItem(_("Attachment accesses"), "visibility", "admin:messaging_attachmentaccess_changelist"),
        ),
    ),
    NavSection(
        _("System"),
        (
            NavItem(
                _("Scheduler heartbeat"),
                "monitor_heart",
                "admin:workers_heartbeat_changelist",
                badge="apps.backoffice.badges.scheduler_stale",
                badge_variant="danger",
            ),
            NavItem(_("Periodic tasks"), "schedule", "admin:django_celery_beat_periodictask_changelist"),
            NavItem(_("Crontabs"), "calendar_month", "admin:django_celery_beat_crontabschedule_changelist"),
            NavItem(_("Intervals"), "timer", "admin:django_celery_beat_intervalschedule_changelist"),
            NavItem(
                _("Job runs"),
                "play_circle",
                "admin:workers_jobrun_changelist",
                badge="apps.backoffice.badges.job_runs_failed",
                badge_variant="danger",
            ),
            NavItem(_("Job locks"), "lock_clock", "admin:workers_joblock_changelist"),
            NavItem(
                _("Failed logins"),
                "lock_person",
                "admin:axes_accessattempt_changelist",
                badge="apps.backoffice.badges.accounts_locked_out",
                badge_variant="danger",
            ),
            NavItem(_("Sign-in log"), "login", "admin:axes_accesslog_changelist"),
            NavItem(_("Runtime settings"), "settings", "admin:constance_config_changelist"),
            NavItem(_("Setting changes"), "manage_history", "admin:controls_settingchange_changelist"),
        ),
    ),
)


def sidebar_navigation(request: HttpRequest, sidebar: tuple[NavSection, ...] = SIDEBAR) -> list[dict]:
    """unfold's ``SIDEBAR["navigation"]``: the sections and items this request may see."""
    registry = _changelist_registry()
    sections = []
    for section in sidebar:
        items = [entry for item in section.items if (entry := _item_entry(request, item, registry))]
        if items:
            sections.append({"title": section.title, "separator": bool(sections), "items": items})
    return sections


def _item_entry(request: HttpRequest, item: NavItem, registry: dict) -> dict | None:
    try:
        link = reverse(item.url_name)
    except NoReverseMatch:
        return None
    if not _item_permitted(request, item, registry):
        return None
    entry = {"title": item.title, "icon": item.icon, "link": link}
    badge, variant = _badge_value(request, item.badge), item.badge_variant
    if isinstance(badge, tuple):
        badge, variant = badge
    if badge:
        entry.update(badge=badge, badge_variant=variant)
    return entry


def _item_permitted(request: HttpRequest, item: NavItem, registry: dict) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if callable(item.permission):
        return bool(item.permission(request))
    if isinstance(item.permission, str):
        return user.has_perm(item.permission)
    model_admin = registry.get(item.url_name)
    return model_admin.has_view_or_change_permission(request) if model_admin else True


def _changelist_registry() -> dict:
    """``admin:<app>_<model>_changelist`` -> its ModelAdmin, for every registered model."""
    return {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist": model_admin
        for model, model_admin in admin.site._registry.items()
    }


def _badge_value(request: HttpRequest, badge: Badge) -> int | str | tuple | None:
    if badge is None:
        return None
    if isinstance(badge, str):
        try:
            badge = import_string(badge)
        except ImportError:
            return None
    return badge(request)
