"""Test settings: fast hashing, in-memory email, eager Celery (a real worker is started only by
the tests that need one), and a file-backed SQLite test database so worker processes can share
it."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env, logging_settings

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# The daily jobs work their chunks themselves; the tests of the fan-out switch it on.
JOBS_FAN_OUT = env.bool("JOBS_FAN_OUT", default=False)
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if not KYC_S3_BUCKET:  # noqa: F405
    # One folder per test process; tests that look at the files use the ``kyc_storage`` fixture.
    STORAGES["kyc"] = {
        **STORAGES["kyc"],
        "OPTIONS": {**STORAGES["kyc"]["OPTIONS"], "location": VAR_DIR / f"test-kyc-{os.getpid()}"},
    }
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    # Generic limits out of the way; the auth endpoints keep their real per-client limits.
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # noqa: F405
        "anon": "10000/minute",
        "user": "10000/minute",
    },
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so worker and server processes started by tests can share it; one per
    # test process so parallel runs never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
# Each test process keeps its own in-memory cache (tests clear it; parallel runs must not share it).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Quiet: warnings and errors only, in the plain format (a worker started by a test logs at the
# level of its --loglevel).
LOGGING = logging_settings(log_format="plain", level="WARNING")
# The runtime settings' shared snapshot (apps.controls.runtime) never expires in tests: a test that
# travels in time must not turn a cached read into a query. Writers still replace it on every save.
RUNTIME_SETTINGS_CACHE_SECONDS = None
