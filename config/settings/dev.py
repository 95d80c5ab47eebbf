"""Local development: the embedded defaults, DEBUG on unless told otherwise."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Links in emails and the referral link point at the address the server is started on:
# ``make run PORT=8203`` gives links on 8203. honcho hands each process its own PORT (web 8203,
# worker 8303, beat 8403), so ``make run`` also gives every process the web's address as SITE_URL.
# A SITE_URL that is set (environment or .env) always rules, here as in production.
if not env.str("SITE_URL", default="").strip():
    _port = env.str("PORT", default="8000").strip() or "8000"
    if not (_port.isascii() and _port.isdigit()):
        raise ImproperlyConfigured(f"PORT must be a port number, not {_port!r}.")
    SITE_URL = f"http://127.0.0.1:{_port}"
