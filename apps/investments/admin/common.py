"""Columns and forms shared by the investments admins."""

from decimal import Decimal

from django import forms
from django.forms.models import construct_instance
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.forms import BaseDialogForm
from unfold.widgets import UnfoldAdminTextareaWidget

from apps.investments.models import PayoutSchedule, Plan
from apps.investments.services.plans import PLAN_FIELDS

SCHEDULE_LABELS = {PayoutSchedule.DAILY: "info", PayoutSchedule.AT_MATURITY: "warning"}
LINK_CLASS = "text-primary-600 dark:text-primary-500"


def rate_text(rate: Decimal) -> str:
    """``5 % / day``, ``1.25 % / day``: the rate without its trailing zeros (never in exponent form)."""
    text = f"{rate:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _("%(rate)s %% / day") % {"rate": text}


def term_text(days: int) -> str:
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


def admin_link(url_name: str, pk, text) -> str:
    return format_html('<a href="{}" class="{}">{}</a>', reverse(url_name, args=(pk,)), LINK_CLASS, text)


class ConfirmDialogForm(BaseDialogForm):
    """Nothing to fill in: the confirmation is the submit."""


class PlanForm(forms.ModelForm):
    """The plan's add and change form. It parses the fields; the rules (rate and term ranges, the
    maximum at least the minimum, …) are the plan service's, whose refusal the admin shows on the
    field. So the model's own validation is skipped: it would only repeat the service's checks
    with the database constraints' generic messages ("Constraint … is violated")."""

    class Meta:
        model = Plan
        fields = PLAN_FIELDS
        widgets = {
            "description": UnfoldAdminTextareaWidget(attrs={"rows": 3}),
            "risk_disclosure": UnfoldAdminTextareaWidget(attrs={"rows": 4}),
        }

    def _post_clean(self) -> None:
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
