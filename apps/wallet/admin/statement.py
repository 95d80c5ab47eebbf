"""The statement tab of the users admin: the investor's available-balance postings, newest first,
each with the running balance it left (``selectors.statement_for_user``)."""

from django.contrib.admin.utils import unquote
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from unfold.datasets import BaseDataset
from unfold.decorators import display

from apps.accounts.models import User
from apps.backoffice.changelist import ModelAdmin
from apps.wallet.admin.base import money_cell
from apps.wallet.admin.ledger import signed_amount
from apps.wallet.admin.paginator import CappedCountPaginator
from apps.wallet.models import Posting
from apps.wallet.selectors import statement_for_user

STATEMENT_PAGE = 50


class StatementDatasetAdmin(ModelAdmin):
    list_display = (
        "display_entry",
        "display_business_date",
        "display_kind",
        "display_memo",
        "display_amount",
        "display_balance_after",
    )
    list_display_links = None
    list_per_page = STATEMENT_PAGE
    paginator = CappedCountPaginator
    show_full_result_count = False
    sortable_by = ()
    actions = None

    def get_queryset(self, request: HttpRequest):
        user = User.objects.filter(pk=_user_id(self.extra_context.get("object"))).first()
        if user is None:
            return Posting.objects.none()
        return statement_for_user(user=user)

    def get_ordering(self, request: HttpRequest):
        return ("-id",)

    @display(description=_("Entry"))
    def display_entry(self, obj: Posting) -> str:
        url = reverse("admin:wallet_entry_change", args=(obj.entry_id,))
        return format_html('<a href="{}" class="text-primary-600 dark:text-primary-500">#{}</a>', url, obj.entry_id)

    @display(description=_("Business date"))
    def display_business_date(self, obj: Posting) -> str:
        return formats.date_format(obj.entry.business_date, "j M Y")

    @display(description=_("Kind"), label=True)
    def display_kind(self, obj: Posting) -> str:
        return obj.entry.get_kind_display()

    @display(description=_("Memo"))
    def display_memo(self, obj: Posting) -> str:
        return Truncator(obj.entry.memo).chars(50)

    @display(description=_("Amount"))
    def display_amount(self, obj: Posting) -> str:
        return signed_amount(obj.amount, obj.currency)

    @display(description=_("Balance after"))
    def display_balance_after(self, obj: Posting) -> str:
        return money_cell(obj.balance_after, obj.currency)


def _user_id(object_id) -> int | None:
    try:
        return int(unquote(str(object_id)))
    except (TypeError, ValueError):
        return None


class UserStatementDataset(BaseDataset):
    model = Posting
    model_admin = StatementDatasetAdmin
    tab = True
    title = _("Statement")
