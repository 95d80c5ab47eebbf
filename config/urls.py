from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/reports/", include("apps.backoffice.reports.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("", include("apps.portal.urls")),
]
