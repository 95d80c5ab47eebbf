"""The investor's referrals page: their code and link, the users they invited (first name, join
date and whether they invested; never an email or a balance), commissions earned and milestone
progress. Reads only the signed-in investor's own data."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.referrals import selectors

PAGE_SIZE = 20


@login_required
@require_safe
def referrals(request: HttpRequest) -> HttpResponse:
    overview = selectors.referral_overview_for_user(user=request.user)
    page = Paginator(selectors.referral_list_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/referrals/referrals.html", {"overview": overview, "page": page})
