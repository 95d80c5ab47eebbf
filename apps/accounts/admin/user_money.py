"""The money section of the users admin: an investor's balances (available, held, invested) on
the change page, and their statement in its own tab. Read through the wallet selectors; shown to
staff who may see the ledger."""

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from apps.accounts.models import User
from apps.wallet.admin.base import money
from apps.wallet.admin.statement import UserStatementDataset, user_postings_url
from apps.wallet.selectors import balances_for_user


class UserMoneyMixin:
    """Mixed into ``UserAdmin``, whose ``get_readonly_fields`` adds ``_money_fields``."""

    def _money_fields(self, request: HttpRequest, obj: User | None) -> tuple[str, ...]:
        if obj is None or obj.is_staff or not request.user.has_perm("wallet.view_account"):
            return ()
        if request.user.has_perm("wallet.view_posting"):
            return ("display_balances", "display_postings")
        return ("display_balances",)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        fields = self._money_fields(request, obj)
        return (*fieldsets, (_("Money"), {"fields": fields})) if fields else fieldsets

    def get_changeform_datasets(self, request: HttpRequest) -> list:
        """The statement tab, on an investor's change page."""
        object_id = (request.resolver_match.kwargs if request.resolver_match else {}).get("object_id")
        if not object_id or not request.user.has_perm("wallet.view_posting"):
            return []
        user = self._detail_target(request, object_id)
        return [UserStatementDataset] if user is not None and not user.is_staff else []

    @display(description=_("Balances"))
    def display_balances(self, obj: User) -> str:
        balances, currency = balances_for_user(user=obj), settings.PLATFORM_CURRENCY
        rows = [
            ("available", _("Available"), balances.available),
            ("held", _("Held for withdrawals"), balances.held),
            ("invested", _("Invested"), balances.invested),
            ("total", _("Total"), balances.total),
        ]
        context = {"rows": [(key, label, money(amount, currency)) for key, label, amount in rows]}
        return render_to_string("admin/wallet/user_balances.html", context)

    @display(description=_("Ledger"))
    def display_postings(self, obj: User) -> str:
        return format_html(
            '<a href="{}" class="text-primary-600 dark:text-primary-500">{}</a>',
            user_postings_url(obj.pk),
            _("All postings on this investor's accounts"),
        )
