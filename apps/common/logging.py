"""Logs: structlog over the standard library, one format for every line a process writes.

``LOG_FORMAT=json`` (production's default) writes one JSON object per line; ``plain`` (the default
elsewhere) writes readable ``key=value`` lines. Both carry the same fields. Django hands
``LOGGING`` to :func:`logging_configure` (``LOGGING_CONFIG``) when any process starts (web,
worker, beat, ``manage.py``); the Celery worker and beat call it again instead of installing
their own handlers (``workers/celery.py``).

:class:`RequestLogMiddleware` writes one line per request (``event="request"``: request id, user
id, method, path without its query string, status, duration in ms, client address) and answers
with the request id in ``X-Request-ID``. The id is bound to the logging context for the whole
request, so every line written meanwhile carries it, and django-structlog's Celery integration
copies it into the tasks the request enqueues.
"""

import logging
import logging.config
import re
import time
import uuid
from typing import Any

import structlog
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django_structlog.middlewares.request import RequestMiddleware

LOG_FORMATS = ("json", "plain")
REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept when it looks like an id: 1 to 128 letters, digits and ``._:-``,
# starting with a letter or a digit (UUIDs, ULIDs, hex trace ids). Anything else is replaced.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
# Fields whose value is never written, whatever logs them (defence in depth: nothing we log
# should carry one, and the request line has no body, header or query string).
SECRET_FIELD_PATTERN = re.compile(r"pass(word)?|secret|token|authori[sz]ation|cookie|otp|api_?key|csrf", re.I)
REDACTED = "[redacted]"

REQUEST_LOGGER_NAME = "bursar.request"
request_logger = structlog.get_logger(REQUEST_LOGGER_NAME)


# --- Configuration -------------------------------------------------------------------------------


def secrets_redact(logger: Any, method_name: str, event_dict: dict) -> dict:
    """Replace the value of any field named like a secret (``password``, ``token``, …)."""
    for key in event_dict:
        if key != "event" and SECRET_FIELD_PATTERN.search(key):
            event_dict[key] = REDACTED
    return event_dict


# Run on every line: structlog's own (before ``wrap_for_formatter``) and the standard library's
# (Django, Celery, other libraries: as the formatter's ``foreign_pre_chain``).
SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def formatter_build(*, log_format: str) -> structlog.stdlib.ProcessorFormatter:
    """The one formatter of the console handler: JSON objects or readable lines."""
    if log_format == "json":
        renderers = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        renderers = [structlog.dev.ConsoleRenderer(colors=False)]
    return structlog.stdlib.ProcessorFormatter(
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, secrets_redact, *renderers],
        foreign_pre_chain=SHARED_PROCESSORS,
    )


def logging_settings(*, log_format: str, level: str) -> dict:
    """``LOGGING``: every logger through one console handler in ``log_format``."""
    if log_format not in LOG_FORMATS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}; got {log_format!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": "apps.common.logging.formatter_build", "log_format": log_format}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "axes": {"level": "WARNING"},
            # The request line already says every 4xx; Django's own lines stay for 5xx (traceback).
            "django.request": {"level": "ERROR"},
            # runserver's access line repeats the request line (development only).
            "django.server": {"level": "ERROR"},
        },
    }


def structlog_configure() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def logging_configure(config: dict) -> None:
    """``LOGGING_CONFIG``: the standard library from ``LOGGING``, then structlog on top of it."""
    logging.config.dictConfig(config)
    structlog_configure()


# --- Requests ------------------------------------------------------------------------------------


def request_id_clean(value: str | None) -> str:
    """The incoming id when it is a sane one, else a new UUID."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return str(uuid.uuid4())


def path_for_log(request: HttpRequest) -> str:
    """The path without its query string, and with any URL part named like a secret (the
    password-reset and email-verification tokens) replaced."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name, value in (match.kwargs if match else {}).items():
        if SECRET_FIELD_PATTERN.search(name) and isinstance(value, str) and value:
            path = path.replace(value, REDACTED)
    return path


class RequestLogMiddleware(RequestMiddleware):
    """django-structlog's request middleware, with one line per request instead of two (no
    ``request_started``), the duration and the path without its query string (which may carry a
    token), a sanitised upstream ``X-Request-ID``, and the id echoed on every response."""

    def prepare(self, request: HttpRequest) -> None:
        request.request_id = request_id_clean(request.headers.get(REQUEST_ID_HEADER))
        request.log_started = time.perf_counter()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request.request_id)
        if hasattr(request, "user"):
            self.bind_user_id(request)  # again at the end: an API token is only read by the view
        else:  # under /api/ no session user is worked out (apps.common.middleware): none yet
            structlog.contextvars.bind_contextvars(user_id=None)

    def handle_response(self, request: HttpRequest, response: HttpResponse) -> None:
        response.headers[REQUEST_ID_HEADER] = request.request_id
        try:
            exception = getattr(request, "_raised_exception", None)
            if exception is not None:
                delattr(request, "_raised_exception")
            level = self.level_for(request, response)
            # The line's fields (the client address above all) are only worked out when it is
            # written: below the configured level (LOG_LEVEL=WARNING, say) a 200 costs nothing here.
            if not logging.getLogger(REQUEST_LOGGER_NAME).isEnabledFor(level):
                return
            self.bind_user_id(request)
            fields = self.request_fields(request, response)
            if exception is not None:
                fields["error"] = type(exception).__name__
            request_logger.log(level, "request", **fields)
        finally:
            structlog.contextvars.clear_contextvars()

    def _process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """An exception the view raised: remembered for the request line (the traceback is
        Django's ``django.request`` error line, with the same request id). A 404 or 403 raised
        as an exception is an ordinary answer, as in django-structlog."""
        if not isinstance(exception, (Http404, PermissionDenied)):
            request._raised_exception = exception

    def level_for(self, request: HttpRequest, response: HttpResponse) -> int:
        # Probes poll every few seconds: their lines are debug unless they fail.
        if request.path.startswith("/health/") and response.status_code < 400:
            return logging.DEBUG
        return self._log_level_for_status_code(response.status_code)

    @staticmethod
    def request_fields(request: HttpRequest, response: HttpResponse) -> dict:
        from axes.helpers import get_client_ip_address

        return {
            "method": request.method,
            "path": path_for_log(request),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - request.log_started) * 1000, 1),
            "ip": get_client_ip_address(request),
        }
