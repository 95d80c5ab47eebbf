"""Reports under ``/admin/reports/``, behind the admin's own sign-in (``admin_view``)."""

from django.contrib import admin
from django.urls import path

from apps.backoffice.reports.views import daily_close_csv_view, daily_close_view

app_name = "reports"

urlpatterns = [
    path("daily-close/", admin.site.admin_view(daily_close_view), name="daily_close"),
    path("daily-close/csv/", admin.site.admin_view(daily_close_csv_view), name="daily_close_csv"),
]
