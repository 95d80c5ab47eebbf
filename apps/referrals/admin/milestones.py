"""Milestones ("referral packs"): added, changed, activated and deactivated through
``services.milestones``. A milestone somebody has been awarded is never deleted: deactivate it."""

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.contrib.filters.admin import BooleanRadioFilter
from unfold.decorators import action, display

from apps.backoffice.changelist import ModelAdmin
from apps.common.errors import ApplicationError
from apps.referrals.admin.forms import MilestoneForm
from apps.referrals.models import Milestone
from apps.referrals.selectors import icon_symbol
from apps.referrals.services.milestones import (
    MILESTONE_FIELDS,
    milestone_active_set,
    milestone_create,
    milestone_delete,
    milestone_update,
)
from apps.wallet.admin.base import money_cell


@admin.register(Milestone)
class MilestoneAdmin(ModelAdmin):
    form = MilestoneForm
    list_display = (
        "display_name",
        "required_referrals",
        "display_reward",
        "display_active",
        "display_awards",
        "display_order",
    )
    list_display_links = ("display_name",)
    list_filter = (("is_active", BooleanRadioFilter),)
    search_fields = ("name",)
    ordering = ("display_order", "required_referrals", "id")
    fields = MILESTONE_FIELDS
    actions = ("activate_milestones", "deactivate_milestones")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(award_count=Count("awards"))

    def get_actions(self, request: HttpRequest):
        """No bulk delete: each deletion is checked on its own (awarded milestones stay)."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.awards.exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Milestone, form, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in MILESTONE_FIELDS}
        if change:
            saved = milestone_update(milestone_id=obj.pk, actor=request.user, fields=values)
        else:
            saved = milestone_create(actor=request.user, **values)
        obj.__dict__.update(saved.__dict__)

    def delete_model(self, request: HttpRequest, obj: Milestone) -> None:
        milestone_delete(milestone_id=obj.pk, actor=request.user)

    def delete_view(self, request: HttpRequest, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- columns ----------------------------------------------------------------------------------

    @display(description=_("Milestone"), header=True, ordering="name")
    def display_name(self, obj: Milestone):
        return [obj.name, f"{icon_symbol(obj.icon)} {obj.icon}"]

    @display(description=_("Reward"), ordering="reward_amount")
    def display_reward(self, obj: Milestone) -> str:
        return money_cell(obj.reward_amount, obj.currency)

    @display(description=_("Active"), boolean=True, ordering="is_active")
    def display_active(self, obj: Milestone) -> bool:
        return obj.is_active

    @display(description=_("Awarded"), ordering="award_count")
    def display_awards(self, obj: Milestone) -> int:
        return obj.award_count

    # --- actions ----------------------------------------------------------------------------------

    def _set_active(self, request: HttpRequest, queryset, *, is_active: bool) -> int:
        changed = 0
        for milestone in queryset.filter(is_active=not is_active):
            milestone_active_set(milestone_id=milestone.pk, actor=request.user, is_active=is_active)
            changed += 1
        return changed

    @action(description=_("Activate selected milestones"), permissions=["change"], icon="check_circle")
    def activate_milestones(self, request: HttpRequest, queryset) -> None:
        count = self._set_active(request, queryset, is_active=True)
        message = ngettext("Activated %(count)d milestone.", "Activated %(count)d milestones.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @action(description=_("Deactivate selected milestones"), permissions=["change"], icon="block")
    def deactivate_milestones(self, request: HttpRequest, queryset) -> None:
        count = self._set_active(request, queryset, is_active=False)
        message = ngettext("Deactivated %(count)d milestone.", "Deactivated %(count)d milestones.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
