"""The 404 page: JSON under /api/ (a client never gets Django's HTML page there, even for a path
that matches no route, such as a non-numeric id where the route takes a number)."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from apps.common.middleware import API_PREFIX


def not_found(request: HttpRequest, exception=None):
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return page_not_found(request, exception)
