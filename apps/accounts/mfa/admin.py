"""The admin site hook: the sign-in form asks for the code (``forms.AdminLoginForm``); the rest of
the enforcement is ``middleware.StaffMfaMiddleware``."""

from django.contrib import admin


def admin_site_install() -> None:
    from apps.accounts.mfa.forms import AdminLoginForm

    admin.site.login_form = AdminLoginForm
    admin.site.login_template = "admin/login.html"
