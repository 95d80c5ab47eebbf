"""The back office's two-factor pages (under ``/admin/mfa/``; namespace ``mfa``)."""

from django.contrib import admin
from django.urls import path

from apps.accounts.mfa import views

app_name = "mfa"

urlpatterns = [
    path("enrol/", admin.site.admin_view(views.enrol), name="enrol"),
    path("recovery-codes/", admin.site.admin_view(views.recovery_codes), name="recovery_codes"),
    path("verify/", admin.site.admin_view(views.verify), name="verify"),
]
