"""Commission rules: one per level, rate in percent of the amount invested. Added and changed
through ``services.rules``; deactivated, never deleted."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from apps.backoffice.changelist import ModelAdmin
from apps.referrals.admin.forms import CommissionRuleForm
from apps.referrals.models import CommissionRule
from apps.referrals.services.rules import commission_rule_create, commission_rule_update
from apps.wallet.admin.base import short_date


@admin.register(CommissionRule)
class CommissionRuleAdmin(ModelAdmin):
    form = CommissionRuleForm
    list_display = ("display_level", "display_rate", "display_active", "display_updated")
    list_display_links = ("display_level",)
    ordering = ("level",)
    fields = ("level", "rate", "is_active")
    actions = None

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CommissionRule, form, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in self.fields}
        if change:
            saved = commission_rule_update(rule_id=obj.pk, actor=request.user, fields=values)
        else:
            saved = commission_rule_create(actor=request.user, **values)
        obj.__dict__.update(saved.__dict__)

    @display(description=_("Level"), ordering="level")
    def display_level(self, obj: CommissionRule) -> str:
        return _("Level %(level)d") % {"level": obj.level}

    @display(description=_("Rate"), ordering="rate")
    def display_rate(self, obj: CommissionRule) -> str:
        return f"{obj.rate.normalize():f}%"

    @display(description=_("Active"), boolean=True, ordering="is_active")
    def display_active(self, obj: CommissionRule) -> bool:
        return obj.is_active

    @display(description=_("Updated"), ordering="updated_at")
    def display_updated(self, obj: CommissionRule) -> str:
        return short_date(obj.updated_at)
