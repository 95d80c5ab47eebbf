"""Investment pages of the investor portal: the plans on offer, buying one (amount → preview →
accept and confirm; the risk disclosure is asked for only while the investor has not accepted
its current version), the investor's positions and one position with its schedule.

Each view parses input, calls one service or selector, and renders. Only the signed-in
investor's own positions are read (another investor's is a 404); an inactive or unknown plan
is a 404. A refused confirmation is a form error and changes nothing. Every page works without
JavaScript: the preview is a GET of the amount form, the confirmation a POST.
"""

from datetime import timedelta

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from apps.common.errors import ApplicationError
from apps.investments import selectors
from apps.investments.services.positions import Quote, investment_open, investment_quote
from apps.portal.forms import investments as forms
from apps.portal.templatetags.money import money_text
from apps.wallet.selectors import balances_for_user

PAGE_SIZE = 20
SCHEDULE_PAGE_SIZE = 60


@login_required
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    context = {
        "offers": selectors.plan_offer_list(),
        "available": balances_for_user(user=request.user).available,
        "currency": settings.PLATFORM_CURRENCY,
    }
    return render(request, "portal/investments/plans.html", context)


def _quote(form: forms.InvestAmountForm, plan_id: int) -> Quote | None:
    """The preview of a valid amount, or ``None`` (with the refusal on the form)."""
    if not (form.is_bound and form.is_valid()):
        return None
    try:
        return investment_quote(plan_id=plan_id, amount=form.cleaned_data["amount"])
    except ApplicationError as error:
        form.add_service_error(error)
        return None


def _confirm(request: HttpRequest, form: forms.InvestConfirmForm, plan) -> HttpResponse | None:
    """Open the position and redirect to it; ``None`` (with the refusal on the form) if refused."""
    if not form.is_valid():
        return None
    if form.cleaned_data["terms_version"] != selectors.plan_terms_version(plan):
        form.add_error(
            None, _("This plan's terms changed since your preview. Check the new figures and confirm again.")
        )
        return None
    try:
        position = investment_open(
            user=request.user,
            plan_id=plan.pk,
            ip_address=get_client_ip_address(request),
            **form.service_arguments(),
        )
    except ApplicationError as error:
        form.add_service_error(error)
        return None
    message = _("You invested %(amount)s in %(plan)s. It earns from %(first)s and matures on %(maturity)s.")
    values = {
        "amount": money_text(position.principal, position.currency),
        "plan": plan.name,
        "first": formats.date_format(position.start_date + timedelta(days=1), "DATE_FORMAT"),
        "maturity": formats.date_format(position.maturity_date, "DATE_FORMAT"),
    }
    messages.success(request, message % values)
    return redirect("portal:investment", position_id=position.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_invest(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get_for_investing(plan_id=plan_id)
    if plan is None:
        raise Http404(_("This plan does not exist or is no longer offered."))
    currency = settings.PLATFORM_CURRENCY
    confirm_form = None
    if request.method == "POST" and "confirm" in request.POST:
        confirm_form = forms.InvestConfirmForm(data=request.POST, plan=plan, currency=currency)
        if (done := _confirm(request, confirm_form, plan)) is not None:
            return done
    source = request.POST if request.method == "POST" else request.GET
    amount_data = {"amount": source["amount"]} if "amount" in source else None
    form = forms.InvestAmountForm(data=amount_data, plan=plan, currency=currency)
    quote = _quote(form, plan.pk)
    if quote is not None and confirm_form is None:
        confirm_form = forms.InvestConfirmForm(plan=plan, currency=currency)
    context = {
        "offer": selectors.plan_offer_of(plan),
        "form": form,
        "quote": quote,
        "confirm_form": confirm_form if quote is not None else None,
        "preview": selectors.quote_preview(quote=quote) if quote is not None else None,
        "terms_version": selectors.plan_terms_version(plan),
        "risk": selectors.risk_disclosure_state_for(user=request.user, plan=plan) if quote is not None else None,
        "available": balances_for_user(user=request.user).available,
        "currency": currency,
    }
    return render(request, "portal/investments/invest.html", context)


@login_required
@require_safe
def position_list(request: HttpRequest) -> HttpResponse:
    positions = selectors.position_list_for_portal(user=request.user)
    page = Paginator(positions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": selectors.position_rows(positions=page.object_list),
        "balances": balances_for_user(user=request.user),
        "currency": settings.PLATFORM_CURRENCY,
    }
    return render(request, "portal/investments/positions.html", context)


@login_required
@require_safe
def position_detail(request: HttpRequest, position_id: int) -> HttpResponse:
    detail = selectors.position_detail_for_user(user=request.user, position_id=position_id)
    if detail is None:
        raise Http404(_("No such investment."))
    position = detail.position
    schedule = selectors.position_schedule_for_portal(position=position)
    number = request.GET.get("page") or selectors.schedule_page_for_today(
        position=position, page_size=SCHEDULE_PAGE_SIZE
    )
    context = {
        "detail": detail,
        "position": position,
        "page": Paginator(schedule, SCHEDULE_PAGE_SIZE).get_page(number),
        "schedule_pages": selectors.schedule_pages(position=position, page_size=SCHEDULE_PAGE_SIZE),
    }
    return render(request, "portal/investments/position.html", context)
