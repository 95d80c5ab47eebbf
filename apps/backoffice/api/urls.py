from django.urls import path

from apps.backoffice.api import views

urlpatterns = [
    path("admin/stats/", views.AdminStatsView.as_view(), name="api-admin-stats"),
]
