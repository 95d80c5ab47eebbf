"""Treasury balances: finance staff record by hand what the platform holds outside its clearing
account; the dashboard's coverage panel adds the current one (latest "as of") to platform cash.
Recorded through ``services.treasury.treasury_balance_record``; the history is never edited or
deleted, so the admin has an add form and a read-only list."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display
from unfold.widgets import UnfoldAdminDecimalFieldWidget, UnfoldAdminSplitDateTimeWidget, UnfoldAdminTextInputWidget

from apps.backoffice.changelist import ModelAdmin
from apps.common.errors import ApplicationError
from apps.wallet.admin.base import ServiceAddFormMixin, money_cell, short_date
from apps.wallet.models import TreasuryBalance
from apps.wallet.selectors import treasury_balance_history
from apps.wallet.services.treasury import treasury_balance_record

TREASURY_FIELDS = ("amount", "as_of", "note")


class TreasuryBalanceForm(forms.ModelForm):
    """The add form. Its save is ``treasury_balance_record``, never ``form.save``."""

    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=Decimal("0.01"),
        max_digits=20,
        decimal_places=2,
        help_text=_("What the treasury holds, in the platform currency: positive, at most 2 decimals."),
        widget=UnfoldAdminDecimalFieldWidget,
    )
    as_of = forms.SplitDateTimeField(
        label=_("As of"),
        help_text=_("When it was counted (not in the future)."),
        widget=UnfoldAdminSplitDateTimeWidget,
    )

    class Meta:
        model = TreasuryBalance
        fields = TREASURY_FIELDS
        widgets = {"note": UnfoldAdminTextInputWidget}


@admin.register(TreasuryBalance)
class TreasuryBalanceAdmin(ServiceAddFormMixin, ModelAdmin):
    form = TreasuryBalanceForm
    list_display = ("id", "display_as_of", "display_amount", "display_current", "note", "display_recorded")
    list_display_links = ("id",)
    list_per_page = 50
    show_full_result_count = False
    sortable_by = ()
    ordering = ("-as_of", "-id")
    fields = ("id", "amount", "currency", "as_of", "note", "recorded_by", "recorded_at")
    readonly_fields = fields
    add_fieldsets = ((None, {"fields": TREASURY_FIELDS}),)

    def get_queryset(self, request: HttpRequest):
        return treasury_balance_history()

    def get_fieldsets(self, request: HttpRequest, obj=None):
        return self.add_fieldsets if obj is None else ((None, {"fields": self.fields}),)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return () if obj is None else self.readonly_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"as_of": timezone.localtime().replace(second=0, microsecond=0)}

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    # --- the add form: its save is the service ------------------------------------------------------

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        """A refusal of the service (amount, date, permission) becomes a form error."""
        if request.method != "POST":
            return super().add_view(request, form_url, extra_context)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.get_form(request, None, fields=TREASURY_FIELDS)(request.POST)
        if form.is_valid():
            try:
                balance = treasury_balance_record(
                    amount=form.cleaned_data["amount"],
                    as_of=form.cleaned_data["as_of"],
                    note=form.cleaned_data.get("note", ""),
                    actor=request.user,
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return self._recorded(request, balance)
        return self._add_page(request, form, form_url, extra_context)

    def _recorded(self, request: HttpRequest, balance: TreasuryBalance) -> HttpResponseRedirect:
        self.log_addition(request, balance, [{"added": {}}])
        self.message_user(
            request,
            _("Treasury balance of %(amount)s recorded, as of %(as_of)s.")
            % {"amount": f"{balance.amount:,.2f} {balance.currency}", "as_of": short_date(balance.as_of)},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:wallet_treasurybalance_changelist"))

    # --- columns ----------------------------------------------------------------------------------

    @display(description=_("As of"))
    def display_as_of(self, obj: TreasuryBalance) -> str:
        return short_date(obj.as_of)

    @display(description=_("Amount"))
    def display_amount(self, obj: TreasuryBalance) -> str:
        return money_cell(obj.amount, obj.currency)

    @display(description=_("Current"))
    def display_current(self, obj: TreasuryBalance) -> str:
        if not obj.is_current:
            return ""
        return format_html(
            '<span class="bg-green-100 font-semibold leading-normal px-2 py-0.5 rounded-default text-[11px] '
            'text-green-700 uppercase whitespace-nowrap dark:bg-green-500/20 dark:text-green-400">{}</span>',
            _("current"),
        )

    @display(description=_("Recorded"))
    def display_recorded(self, obj: TreasuryBalance) -> str:
        return format_html("{} · {}", obj.recorded_by.email, short_date(obj.recorded_at))
