"""The email copy of a notice: a plain-text and an HTML part, in the recipient's language (right to
left for Arabic), built from ``templates/email/notification.{txt,html}``."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from apps.common.emails import email_message_build  # the generic builder, also imported from here
from apps.messaging.models import Notification


def absolute_link(link: str) -> str:
    if not link:
        return ""
    return link if link.startswith(("http://", "https://")) else f"{settings.SITE_URL}{link}"


def notification_email_build(notice: Notification) -> EmailMultiAlternatives:
    user = notice.user
    return email_message_build(
        to=user.email,
        language=user.language,
        subject=f"{settings.PLATFORM_NAME}: {notice.title}",
        template="notification",
        context={"notice": notice, "user": user, "link": absolute_link(notice.link)},
    )
