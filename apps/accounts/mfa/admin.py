"""The admin site hook: the sign-in form asks for the code (``forms.AdminLoginForm``); the rest of
the enforcement is ``middleware.StaffMfaMiddleware``. django-otp's own device admins are taken off
the site: devices (their secrets) change only through ``mfa.services``."""

from django.contrib import admin


def admin_site_install() -> None:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.accounts.mfa.forms import AdminLoginForm

    admin.site.login_form = AdminLoginForm
    admin.site.login_template = "admin/login.html"
    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
