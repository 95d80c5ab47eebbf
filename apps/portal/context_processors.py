from django.conf import settings

# Each language named in itself, so a reader finds theirs whatever the page's language.
LANGUAGE_AUTONYMS = {"en": "English", "ar": "العربية"}


def platform(request) -> dict:
    return {
        "platform_name": settings.PLATFORM_NAME,
        "platform_currency": settings.PLATFORM_CURRENCY,
        "language_choices": [(code, LANGUAGE_AUTONYMS.get(code, code)) for code, _name in settings.LANGUAGES],
    }
