"""Production: the same knobs as base, with the dangerous ones required and the rest stricter."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOG_LEVEL, database_config, env, logging_settings

DEBUG = False


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production.")
    return value


SECRET_KEY_MIN_LENGTH = 50


def _secret_key(name: str) -> str:
    """The signing key: long and varied enough that it cannot be guessed (Django's own bar in
    ``check --deploy``: 50 characters, 5 different ones, not a generated development key)."""
    value = _required(name)
    if len(value) < SECRET_KEY_MIN_LENGTH or len(set(value)) < 5 or value.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            f"{name} is too weak for production ({len(value)} characters): use at least "
            f"{SECRET_KEY_MIN_LENGTH} random characters, for example the output of "
            '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
        )
    return value


SECRET_KEY = _secret_key("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in _required("DJANGO_ALLOWED_HOSTS").split(",") if host.strip()]
DATABASES = {"default": database_config(_required("DATABASE_URL"))}
CELERY_BROKER_URL = _required("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Throttle counters must be shared by every process: default the cache to the Redis broker.
if CELERY_BROKER_URL.startswith("redis") and not env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url_config(CELERY_BROKER_URL)}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Probes poll over plain HTTP inside the cluster: answer them instead of redirecting to https.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True

# One JSON object per log line, for the log collector (LOG_FORMAT=plain to read them by eye).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING = logging_settings(log_format=LOG_FORMAT, level=LOG_LEVEL)
