"""Emails in the platform's shape: a plain-text and an HTML part from ``email/<template>.txt`` and
``.html``, in the recipient's language (right to left for Arabic). Any app sends them (accounts'
security emails, messaging's notices), so they live below every app."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation


def email_message_build(
    *, to: str, language: str, subject: str, template: str, context: dict
) -> EmailMultiAlternatives:
    """One email from ``email/<template>.txt`` and ``email/<template>.html`` in ``language``."""
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "platform_name": settings.PLATFORM_NAME,
            "site_url": settings.SITE_URL,
            "language": language,
            "rtl": translation.get_language_bidi(),
            **context,
        }
        text = text_render(f"email/{template}.txt", context)
        html = render_to_string(f"email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    return message


def text_render(template_name: str, context: dict) -> str:
    """A plain-text template rendered without HTML escaping: a name like O'Brien or a subject with
    "<" reaches the text part as typed (the HTML part escapes them)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))
