from django.conf import settings

from apps.messaging import selectors as messaging_selectors

# Each language named in itself, so a reader finds theirs whatever the page's language.
LANGUAGE_AUTONYMS = {"en": "English", "ar": "العربية"}


def platform(request) -> dict:
    return {
        "platform_name": settings.PLATFORM_NAME,
        "platform_currency": settings.PLATFORM_CURRENCY,
        "language_choices": [(code, LANGUAGE_AUTONYMS.get(code, code)) for code, _name in settings.LANGUAGES],
    }


def investor_header(request) -> dict:
    """The header's unread badges (threads with staff messages not read yet, unread notices) and
    the pinned-announcement banner, for a signed-in investor only: three queries, whatever the
    number of threads, messages and notices. Staff and visitors get nothing (and no query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {}
    unread_threads = messaging_selectors.investor_unread_thread_count(user=user)
    unread_notices = messaging_selectors.notification_unread_count(user=user)
    return {
        "header_unread_threads": unread_threads,
        "header_unread_notices": unread_notices,
        "header_unread_total": unread_threads + unread_notices,
        "announcement_banner": messaging_selectors.notification_banner_for_user(user=user),
    }
