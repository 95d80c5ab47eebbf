"""Emails about the account, sent by the worker after the transaction that asked for them."""

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from apps.accounts import tokens
from apps.accounts.models import User
from apps.common.emails import email_message_build


def _send(*, user: User, template: str, context: dict) -> None:
    """A security email (always sent): plain text and HTML, in the user's language."""
    context = {"user": user, "platform_name": settings.PLATFORM_NAME, **context}
    with translation.override(user.language):
        subject = render_to_string(f"email/{template}_subject.txt", context).strip()
    email_message_build(
        to=user.email, language=user.language, subject=subject, template=template, context=context
    ).send()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_verification_send_task(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True, is_email_verified=False).first()
    if user is None:
        return
    token = tokens.email_verification_token_make(user=user)
    link = settings.SITE_URL + reverse("portal:verify_email", kwargs={"token": token})
    _send(user=user, template="verify_email", context={"link": link, "token": token})


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def password_reset_email_send_task(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    token = tokens.password_reset_token_make(user=user)
    link = settings.SITE_URL + reverse("portal:password_reset_confirm", kwargs={"token": token})
    _send(user=user, template="password_reset", context={"link": link, "token": token})
