"""``/health/live`` and ``/health/ready``: plain Django views (no auth, no throttle, not in the
OpenAPI schema), JSON, never cached."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from apps.health.checks import readiness_check


@never_cache
@require_safe
def health_live(request: HttpRequest) -> JsonResponse:
    """The process is up and answers; nothing else is looked at."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def health_ready(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, 503 naming the ones that failed."""
    results = readiness_check()
    ready = all(result.ok for result in results)
    body = {"status": "ok" if ready else "fail", "checks": {result.name: result.as_dict() for result in results}}
    return JsonResponse(body, status=200 if ready else 503)
