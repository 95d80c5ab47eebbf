from django.contrib import admin
from django.urls import include, path

from apps.backoffice.search import admin_search_page
from apps.health.views import health_live, health_ready

urlpatterns = [
    path("admin/search/", admin.site.admin_view(admin_search_page)),  # unfold's, without its 500s
    path("admin/reports/", include("apps.backoffice.reports.urls")),
    path("admin/mfa/", include("apps.accounts.mfa.urls")),  # two-factor enrolment and code step
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("health/live", health_live),  # liveness and readiness probes: no auth, no throttle, not in the schema
    path("health/ready", health_ready),
    path("", include("apps.portal.urls")),
]

handler404 = "apps.common.api.not_found.not_found"
