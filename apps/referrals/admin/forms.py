"""Forms of the referrals admin. They check input with the services' own checks, so a refusal
shows on its field; saving is a service call."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.common.errors import ApplicationError
from apps.referrals.models import CommissionRule, Milestone
from apps.referrals.selectors import ICON_SYMBOLS
from apps.referrals.services.milestones import milestone_clean
from apps.referrals.services.rules import commission_rule_clean


class ServiceCheckedForm(forms.ModelForm):
    """Runs the service's checks on the posted values and shows a refusal on its field."""

    def service_check(self, values: dict) -> None:
        raise NotImplementedError

    def clean(self):
        """Each field on its own, so that every refused field shows its error (and the model's
        constraints, checked afterwards, only see fields that passed)."""
        cleaned = super().clean()
        for name in self._meta.fields:
            if name not in cleaned:
                continue
            try:
                self.service_check({name: cleaned[name]})
            except ApplicationError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


class CommissionRuleForm(ServiceCheckedForm):
    class Meta:
        model = CommissionRule
        fields = ("level", "rate", "is_active")

    def service_check(self, values: dict) -> None:
        commission_rule_clean(values, current=self.instance if self.instance.pk else None)


class MilestoneForm(ServiceCheckedForm):
    class Meta:
        model = Milestone
        fields = ("name", "required_referrals", "reward_amount", "icon", "is_active", "display_order")
        help_texts = {
            "icon": format_lazy(_("One of: {names}; or an emoji."), names=", ".join(ICON_SYMBOLS)),
            "required_referrals": _("Referred users who have bought at least one plan."),
        }

    def service_check(self, values: dict) -> None:
        milestone_clean(values)
