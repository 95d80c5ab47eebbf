"""The ledger, read-only for everyone: entries (with their postings), postings and accounts.

Only services write these rows (and database triggers refuse edits), so there is no add, change or
delete here. The lists will hold millions of rows (DESIGN §7, P3): no whole-table count (a capped
paginator), no full result count, no facet counts, every column selected in the list query, and
only the primary key to order by, newest first."""

from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import (
    AutocompleteSelectFilter,
    ChoicesDropdownFilter,
    RadioFilter,
    RangeDateFilter,
)
from unfold.decorators import action, display

from apps.backoffice.changelist import ModelAdmin
from apps.wallet.admin.base import ReadOnlyAdminMixin, money, money_cell, short_date, user_link
from apps.wallet.admin.export import ledger_csv_response
from apps.wallet.admin.forms import EXPORT_MAX_DAYS, LedgerExportForm
from apps.wallet.admin.paginator import CappedCountPaginator
from apps.wallet.models import Account, Entry, Posting
from apps.wallet.selectors import account_balance_shown

AMOUNT_CLASSES = {True: "text-green-700 dark:text-green-400", False: "text-red-700 dark:text-red-400"}
# Entry -> the request that caused it: (reverse accessor, admin URL name).
ENTRY_SOURCES = (
    ("deposit", "admin:wallet_deposit_change"),
    ("withdrawal_held", "admin:wallet_withdrawal_change"),
    ("withdrawal_closed", "admin:wallet_withdrawal_change"),
    ("adjustment", "admin:wallet_adjustment_change"),
)


def signed_amount(amount, currency: str) -> str:
    return format_html(
        '<span class="font-medium whitespace-nowrap {}">{}</span>', AMOUNT_CLASSES[amount > 0], money(amount, currency)
    )


def account_link(account: Account) -> str:
    owner = account.owner.email if account.owner_id else _("platform")
    url = reverse("admin:wallet_account_change", args=(account.pk,))
    return format_html(
        '<a href="{}" class="text-primary-600 dark:text-primary-500">{}</a> · {}',
        url,
        owner,
        account.get_kind_display(),
    )


class LedgerListMixin(ReadOnlyAdminMixin):
    """The shared settings of the big ledger lists."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    list_filter_submit = True
    ordering = ("-id",)
    sortable_by = ()
    actions = None


class PostingInline(ReadOnlyAdminMixin, TabularInline):
    model = Posting
    fields = ("display_account", "display_amount", "display_balance_after")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    hide_title = True
    verbose_name_plural = _("Postings")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("account__owner").order_by("id")

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("wallet.view_entry") or request.user.has_perm("wallet.view_posting")

    @display(description=_("Account"))
    def display_account(self, obj: Posting) -> str:
        return account_link(obj.account)

    @display(description=_("Amount"))
    def display_amount(self, obj: Posting) -> str:
        return signed_amount(obj.amount, obj.currency)

    @display(description=_("Balance after"))
    def display_balance_after(self, obj: Posting) -> str:
        return money_cell(obj.balance_after, obj.currency)


@admin.register(Entry)
class EntryAdmin(LedgerListMixin, ModelAdmin):
    list_display = (
        "id",
        "display_kind",
        "natural_key",
        "display_business_date",
        "display_actor",
        "display_memo",
        "display_created",
    )
    list_display_links = ("id",)
    list_filter = (("kind", ChoicesDropdownFilter), ("business_date", RangeDateFilter))
    search_fields = ("natural_key", "memo")
    search_help_text = _("An entry number, an exact natural key (deposit:12, withdrawal:7:hold) or words of the memo")
    fields = (
        "id",
        "kind",
        "natural_key",
        "business_date",
        "currency",
        "actor",
        "memo",
        "display_source",
        "reverses",
        "display_reversed_by",
        "created_at",
    )
    readonly_fields = fields
    inlines = (PostingInline,)
    actions_list = ("export_csv",)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("actor")

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        """Each kind of term by its index: a number is the entry id, a term with a colon the
        natural key (unique index); anything else is looked for in the memo."""
        term = search_term.strip()
        if not term:
            return queryset, False
        number = term.removeprefix("#")
        if number.isdigit():
            return queryset.filter(pk=int(number)), False
        if ":" in term:
            return queryset.filter(natural_key=term), False
        return queryset.filter(memo__icontains=term), False

    @display(description=_("Kind"), label=True)
    def display_kind(self, obj: Entry) -> str:
        return obj.get_kind_display()

    @display(description=_("Business date"))
    def display_business_date(self, obj: Entry) -> str:
        return formats.date_format(obj.business_date, "j M Y")

    @display(description=_("Actor"))
    def display_actor(self, obj: Entry) -> str:
        return obj.actor.email if obj.actor else _("system")

    @display(description=_("Memo"))
    def display_memo(self, obj: Entry) -> str:
        return Truncator(obj.memo).chars(60)

    @display(description=_("Created"))
    def display_created(self, obj: Entry) -> str:
        return short_date(obj.created_at)

    @display(description=_("Caused by"))
    def display_source(self, obj: Entry) -> str:
        for accessor, url_name in ENTRY_SOURCES:
            try:
                source = getattr(obj, accessor)
            except ObjectDoesNotExist:
                continue
            url = reverse(url_name, args=(source.pk,))
            return format_html('<a href="{}" class="text-primary-600 dark:text-primary-500">{}</a>', url, source)
        return "-"

    @display(description=_("Reversed by"))
    def display_reversed_by(self, obj: Entry) -> str:
        try:
            reversal = obj.reversed_by
        except ObjectDoesNotExist:
            return "-"
        url = reverse("admin:wallet_entry_change", args=(reversal.pk,))
        return format_html('<a href="{}" class="text-primary-600 dark:text-primary-500">{}</a>', url, reversal)

    def has_export_permission(self, request: HttpRequest, obj=None) -> bool:
        """A method rather than ``"wallet.view_entry"`` in ``permissions``: unfold's system check
        looks dotted permissions up in the database, which breaks ``migrate`` on a fresh one."""
        return request.user.has_perm("wallet.view_entry")

    @action(description=_("Export CSV"), icon="download", permissions=["export"], url_path="export")
    def export_csv(self, request: HttpRequest):
        """Asks for a range of business dates, then streams its postings as CSV."""
        form = LedgerExportForm(request.GET if "date_from" in request.GET else None)
        if form.is_valid():
            return ledger_csv_response(date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"])
        if form.is_bound:
            self.message_user(request, _("Nothing was exported: correct the dates below."), messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Export the ledger"),
            "opts": self.opts,
            "form": form,
            "max_days": EXPORT_MAX_DAYS,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/wallet/ledger_export.html", context)


class AccountSideFilter(RadioFilter):
    title = _("side")
    parameter_name = "side"

    def lookups(self, request: HttpRequest, model_admin):
        return (("investor", _("Investor")), ("platform", _("Platform")))

    def queryset(self, request: HttpRequest, queryset):
        if self.value() in ("investor", "platform"):
            return queryset.filter(owner__isnull=self.value() == "platform")
        return queryset


@admin.register(Account)
class AccountAdmin(LedgerListMixin, ModelAdmin):
    list_display = ("id", "display_owner", "display_kind", "display_balance", "display_created")
    list_display_links = ("id",)
    list_filter = (("kind", ChoicesDropdownFilter), AccountSideFilter)
    search_fields = ("owner__email",)
    search_help_text = _("Owner email")
    fields = ("id", "owner", "kind", "currency", "display_balance", "created_at", "display_postings")
    readonly_fields = fields
    list_before_template = "admin/wallet/account_sign_note.html"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("owner")

    @display(description=_("Owner"))
    def display_owner(self, obj: Account) -> str:
        return user_link(obj.owner) if obj.owner_id else _("platform")

    @display(description=_("Kind"), label=True)
    def display_kind(self, obj: Account) -> str:
        return obj.get_kind_display()

    @display(description=_("Balance"))
    def display_balance(self, obj: Account) -> str:
        """On its normal side (as on the dashboard); where the ledger stores the opposite sign, the
        stored figure beside it (the running balances of the postings list are stored figures)."""
        shown = account_balance_shown(kind=obj.kind, balance=obj.balance, is_platform=obj.owner_id is None)
        if shown == obj.balance:
            return format_html('<span class="font-medium whitespace-nowrap">{}</span>', money(shown, obj.currency))
        return format_html(
            '<span class="font-medium whitespace-nowrap" data-shown>{}</span>'
            ' <span class="text-base-500 text-xs whitespace-nowrap dark:text-base-400" data-stored>{}</span>',
            money(shown, obj.currency),
            _("stored as %(amount)s") % {"amount": money(obj.balance, obj.currency)},
        )

    @display(description=_("Opened"))
    def display_created(self, obj: Account) -> str:
        return short_date(obj.created_at)

    @display(description=_("Postings"))
    def display_postings(self, obj: Account) -> str:
        url = reverse("admin:wallet_posting_changelist") + f"?account__id__exact={obj.pk}"
        return format_html(
            '<a href="{}" class="text-primary-600 dark:text-primary-500">{}</a>', url, _("All postings, newest first")
        )


@admin.register(Posting)
class PostingAdmin(LedgerListMixin, ModelAdmin):
    list_display = (
        "id",
        "display_entry",
        "display_business_date",
        "display_account",
        "display_amount",
        "display_balance_after",
    )
    list_display_links = ("id",)
    list_filter = (
        ("account__kind", ChoicesDropdownFilter),
        ("entry__kind", ChoicesDropdownFilter),
        ("entry__business_date", RangeDateFilter),
        ("account__owner", AutocompleteSelectFilter),
        ("account", AutocompleteSelectFilter),
    )
    fields = ("id", "entry", "account", "amount", "balance_after", "currency")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("entry", "account__owner")

    @display(description=_("Entry"))
    def display_entry(self, obj: Posting) -> str:
        url = reverse("admin:wallet_entry_change", args=(obj.entry_id,))
        return format_html(
            '<a href="{}" class="text-primary-600 dark:text-primary-500">#{}</a> {}',
            url,
            obj.entry_id,
            obj.entry.get_kind_display(),
        )

    @display(description=_("Business date"))
    def display_business_date(self, obj: Posting) -> str:
        return formats.date_format(obj.entry.business_date, "j M Y")

    @display(description=_("Account"))
    def display_account(self, obj: Posting) -> str:
        return account_link(obj.account)

    @display(description=_("Amount"))
    def display_amount(self, obj: Posting) -> str:
        return signed_amount(obj.amount, obj.currency)

    @display(description=_("Balance after"))
    def display_balance_after(self, obj: Posting) -> str:
        return money_cell(obj.balance_after, obj.currency)
