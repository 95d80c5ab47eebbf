"""The investor's in-app notices (deposit approved, withdrawal paid, …)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from apps.messaging import selectors, services

PAGE_SIZE = 20


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notification_list_for_user(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    unread = any(not notice.is_read for notice in page.object_list)
    return render(request, "portal/notifications.html", {"page": page, "unread": unread})


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return redirect("portal:notifications")
