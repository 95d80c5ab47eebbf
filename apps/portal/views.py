"""Investor portal views (placeholders until the portal pages are written)."""

from django.http import HttpResponse


def _todo(request, **kwargs):
    return HttpResponse("todo")


home = signup = signup_referral = login = logout = verify_email = verify_email_resend = _todo
password_forgot = password_reset_confirm = password_change = profile = language_set = _todo
