from django.conf import settings


def platform(request) -> dict:
    return {"platform_name": settings.PLATFORM_NAME, "platform_currency": settings.PLATFORM_CURRENCY}
