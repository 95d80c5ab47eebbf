"""The investor's in-app notices (deposit approved, a reply from support, a new task, …), their
email choices, and the dismissal of an announcement's banner. Another investor's notice is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from apps.common.errors import ApplicationError
from apps.messaging import selectors, services
from apps.portal.forms.messages import NotificationPreferencesForm
from apps.portal.views.common import safe_next

PAGE_SIZE = 20
TEMPLATE = "portal/notifications.html"


def _page(request: HttpRequest, *, preferences_form=None) -> HttpResponse:
    user = request.user
    page = Paginator(selectors.notification_list_for_user(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "unread": any(not notice.is_read for notice in page.object_list)}
    if not user.is_staff:
        preference = selectors.notification_preferences_get(user=user)
        context["preferences_form"] = preferences_form or NotificationPreferencesForm.for_preferences(preference)
    return render(request, TEMPLATE, context)


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return redirect("portal:notifications")


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(safe_next(request, request.POST.get("next"), reverse("portal:notifications")))


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        services.notification_mark_read(user=request.user, notification_id=notification_id)
    except ApplicationError as error:
        raise Http404(error.message) from None
    return _back(request)


@login_required
@require_POST
def notification_dismiss(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Hide an announcement's banner (the notice stays in the list, read)."""
    try:
        services.notification_dismiss(user=request.user, notification_id=notification_id)
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404(error.message) from None
        messages.error(request, error.message)
    return _back(request)


@login_required
@require_POST
def notification_preferences(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff:
        raise Http404
    form = NotificationPreferencesForm(data=request.POST)
    if form.is_valid():
        try:
            services.notification_preferences_update(user=request.user, **form.service_arguments())
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your email choices were saved."))
            return redirect(reverse("portal:notifications") + "#preferences")
    return _page(request, preferences_form=form)
