"""Third-party models re-registered under unfold: roles (auth groups), the Celery beat schedule,
django-axes' sign-in records and the API token blacklist; and the users admin again, with an
investor's money on their page (``apps.backoffice.users``).

``apps.backoffice`` comes after those apps in ``INSTALLED_APPS``, so their own admins are
registered (by autodiscovery) before this module replaces them.
"""

from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as BaseAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as BaseAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.models import Group
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import ClockedScheduleAdmin as BaseClockedScheduleAdmin
from django_celery_beat.admin import CrontabScheduleAdmin as BaseCrontabScheduleAdmin
from django_celery_beat.admin import PeriodicTaskAdmin as BasePeriodicTaskAdmin
from django_celery_beat.admin import PeriodicTaskForm, TaskSelectWidget
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from rest_framework_simplejwt.token_blacklist.admin import BlacklistedTokenAdmin as BaseBlacklistedTokenAdmin
from rest_framework_simplejwt.token_blacklist.admin import OutstandingTokenAdmin as BaseOutstandingTokenAdmin
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from unfold.admin import TabularInline
from unfold.decorators import display
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from apps.accounts.models import User
from apps.accounts.roles import ROLES
from apps.backoffice.users.admin import InvestorUserAdmin
from apps.common.admin.changelist import ModelAdmin

admin.site.index_title = _("Dashboard")


def _unregister(*models) -> None:
    for model in models:
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister(
    Group,
    PeriodicTask,
    IntervalSchedule,
    CrontabSchedule,
    SolarSchedule,
    ClockedSchedule,
    AccessAttempt,
    AccessFailureLog,
    AccessLog,
    OutstandingToken,
    BlacklistedToken,
    User,
)

admin.site.register(User, InvestorUserAdmin)


class ReadOnlyAdminMixin:
    """Records kept by a library: staff look, nobody edits."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# --- Roles ------------------------------------------------------------------------------------


@admin.register(Group)
class RoleAdmin(BaseGroupAdmin, ModelAdmin):
    """Staff roles are auth groups (see ``apps.accounts.roles``)."""

    list_display = ("name", "display_members", "display_permissions")

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=Count("user", distinct=True), permission_count=Count("permissions", distinct=True))
        )

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return super().changelist_view(request, {"title": _("Roles"), **(extra_context or {})})

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        """The built-in roles are granted permissions by migrations: they stay."""
        if obj is not None and obj.name in ROLES:
            return False
        return super().has_delete_permission(request, obj)

    @display(description=_("Members"), ordering="member_count")
    def display_members(self, obj: Group) -> int:
        return obj.member_count

    @display(description=_("Permissions"), ordering="permission_count")
    def display_permissions(self, obj: Group) -> int:
        return obj.permission_count


# --- Celery beat (the unfold docs' recipe) ------------------------------------------------------


class UnfoldTaskSelectWidget(UnfoldAdminSelectWidget, TaskSelectWidget):
    pass


class UnfoldPeriodicTaskForm(PeriodicTaskForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].widget = UnfoldAdminTextInputWidget()
        self.fields["regtask"].widget = UnfoldTaskSelectWidget()


class PeriodicTaskInline(TabularInline):
    model = PeriodicTask
    fields = ("name", "task", "enabled")
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0
    show_change_link = True
    verbose_name = _("periodic task using this schedule")
    verbose_name_plural = _("Periodic tasks using this schedule")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(BasePeriodicTaskAdmin, ModelAdmin):
    form = UnfoldPeriodicTaskForm


@admin.register(IntervalSchedule)
class IntervalScheduleAdmin(ModelAdmin):
    inlines = (PeriodicTaskInline,)


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(BaseCrontabScheduleAdmin, ModelAdmin):
    inlines = (PeriodicTaskInline,)


@admin.register(SolarSchedule)
class SolarScheduleAdmin(ModelAdmin):
    inlines = (PeriodicTaskInline,)


@admin.register(ClockedSchedule)
class ClockedScheduleAdmin(BaseClockedScheduleAdmin, ModelAdmin):
    inlines = (PeriodicTaskInline,)


# --- django-axes: sign-in records ----------------------------------------------------------------
# Read-only. Deleting an attempt (superusers) lifts that account's lock-out.


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyAdminMixin, BaseAccessAttemptAdmin, ModelAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdminMixin, BaseAccessFailureLogAdmin, ModelAdmin):
    pass


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, BaseAccessLogAdmin, ModelAdmin):
    pass


# --- API refresh tokens ----------------------------------------------------------------------------


@admin.register(OutstandingToken)
class OutstandingTokenAdmin(ReadOnlyAdminMixin, BaseOutstandingTokenAdmin, ModelAdmin):
    pass


@admin.register(BlacklistedToken)
class BlacklistedTokenAdmin(ReadOnlyAdminMixin, BaseBlacklistedTokenAdmin, ModelAdmin):
    pass
