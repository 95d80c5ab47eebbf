"""Wallet pages of the investor portal: balances, deposit and withdrawal requests, the statement.

Each view parses input, calls one service or selector, and renders. Only the signed-in
investor's own data is ever read (every selector and service filters by owner; another
investor's request is a 404). A refused submit is a form error and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from apps.investments.selectors import returns_by_posting_for_user
from apps.portal.exports import statement_csv_lines
from apps.portal.forms import wallet as forms
from apps.portal.templatetags.money import money_text
from apps.portal.views.common import bound, safe_next
from apps.wallet import selectors
from apps.wallet.services import deposits, withdrawals

PAGE_SIZE = 20


def _page(request: HttpRequest, rows):
    """One page of ``rows``; a missing, non-numeric or out-of-range ``?page=`` gives the first
    or the last page, never an error."""
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_safe
def wallet(request: HttpRequest) -> HttpResponse:
    overview = selectors.wallet_overview_for_user(user=request.user)
    return render(request, "portal/wallet/wallet.html", {"overview": overview})


@login_required
@require_http_methods(["GET", "POST"])
def deposit(request: HttpRequest) -> HttpResponse:
    terms = selectors.deposit_terms_get()
    form = bound(forms.DepositForm, request, terms=terms)
    if form.is_bound and form.is_valid():
        try:
            created = deposits.deposit_request_create(user=request.user, **form.service_arguments())
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            message = _("Deposit request #%(number)s for %(amount)s was sent. Staff will check it and credit you.")
            amount = money_text(created.amount, created.currency)
            messages.success(request, message % {"number": created.pk, "amount": amount})
            return redirect("portal:wallet")
    return render(request, "portal/wallet/deposit.html", {"form": form, "terms": terms})


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest) -> HttpResponse:
    terms = selectors.withdrawal_terms_for_user(user=request.user)
    form = bound(forms.WithdrawalForm, request, terms=terms)
    if form.is_bound and form.is_valid():
        try:
            created = withdrawals.withdrawal_request_create(user=request.user, **form.service_arguments())
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            message = _(
                "Withdrawal request #%(number)s was sent: %(total)s is held (%(amount)s plus a fee of %(fee)s) "
                "until staff pay it."
            )
            currency = created.currency
            values = {
                "number": created.pk,
                "total": money_text(created.total, currency),
                "amount": money_text(created.amount, currency),
                "fee": money_text(created.fee, currency),
            }
            messages.success(request, message % values)
            return redirect("portal:wallet")
    return render(request, "portal/wallet/withdraw.html", {"form": form, "terms": terms})


def _after_cancel(request: HttpRequest) -> HttpResponse:
    return redirect(safe_next(request, request.POST.get("next"), reverse("portal:wallet")))


def _cancel_refused(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    if error.status_code == 404:
        raise Http404(error.message)
    messages.error(request, error.message)
    return _after_cancel(request)


@login_required
@require_POST
def withdrawal_cancel(request: HttpRequest, withdrawal_id: int) -> HttpResponse:
    try:
        cancelled = withdrawals.withdrawal_cancel(withdrawal_id=withdrawal_id, user=request.user)
    except ApplicationError as error:
        return _cancel_refused(request, error)
    message = _("Withdrawal request #%(number)s was cancelled: %(total)s is available again.")
    total = money_text(cancelled.total, cancelled.currency)
    messages.success(request, message % {"number": cancelled.pk, "total": total})
    return _after_cancel(request)


@login_required
@require_POST
def deposit_cancel(request: HttpRequest, deposit_id: int) -> HttpResponse:
    try:
        cancelled = deposits.deposit_cancel(deposit_id=deposit_id, user=request.user)
    except ApplicationError as error:
        return _cancel_refused(request, error)
    messages.success(request, _("Deposit request #%(number)s was cancelled.") % {"number": cancelled.pk})
    return _after_cancel(request)


@login_required
@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    form = forms.RequestFilterForm(request.GET)
    page = None
    if form.is_valid():
        page = _page(request, selectors.request_list_for_user(user=request.user, **form.selector_arguments()))
    return render(request, "portal/wallet/requests.html", {"form": form, "page": page})


@login_required
@require_safe
def statement(request: HttpRequest) -> HttpResponse:
    form = forms.StatementFilterForm(request.GET)
    page = None
    if form.is_valid():
        page = _page(request, selectors.statement_for_user(user=request.user, **form.selector_arguments()))
        page.object_list = list(page.object_list)
        returns = returns_by_posting_for_user(user=request.user, postings=page.object_list)
        for posting in page.object_list:  # a day's "returns" line opens into its positions
            posting.position_returns = returns.get(posting.pk, ())
    return render(request, "portal/wallet/statement.html", {"form": form, "page": page})


@login_required
@require_safe
def statement_csv(request: HttpRequest) -> HttpResponse:
    """The statement with the same filters, as a streamed CSV download. Bad filters go back to
    the statement page, which shows what is wrong with them."""
    form = forms.StatementFilterForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('portal:wallet_statement')}?{request.GET.urlencode()}")
    postings = selectors.statement_for_user(user=request.user, **form.selector_arguments())
    response = StreamingHttpResponse(statement_csv_lines(postings), content_type="text/csv; charset=utf-8")
    filename = form.csv_filename(today=business_date_today())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
