"""Settings shared by every environment.

Every knob is an environment variable read through one ``environ.Env()``; the README table and
``.env.example`` list them all. ``prod.py`` only makes values required or stricter.
"""

import io
import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# What follows an unquoted value after whitespace and "#" is a comment, as in .env.example.
ENV_FILE_COMMENT = re.compile(r"^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*=(?![\"']).*?)\s+#.*$")


def env_file_read(path: Path) -> None:
    """``.env`` into the environment (never over a variable already set), with the comments
    after unquoted values and the spaces before them removed (django-environ keeps them)."""
    if not path.exists():
        return
    lines = [ENV_FILE_COMMENT.sub(r"\1", line).rstrip() for line in path.read_text(encoding="utf8").splitlines()]
    environ.Env.read_env(io.StringIO("\n".join(lines)), overwrite=False)


env_file_read(BASE_DIR / ".env")

VAR_DIR = Path(env.str("BURSAR_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core -------------------------------------------------------------------------------------
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me-in-production-0123456789")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The base of every link in emails and of the referral link. Empty counts as unset; in development
# (``dev.py``) an unset SITE_URL follows the port the server runs on.
SITE_URL = (env.str("SITE_URL", default="").strip() or "http://127.0.0.1:8000").rstrip("/")
PLATFORM_NAME = env.str("PLATFORM_NAME", default="Bursar")

INSTALLED_APPS = [
    # unfold must come before django.contrib.admin
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.constance",  # unfold's templates for constance's settings page
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "constance",
    "csp",
    "django_structlog",
    "apps.accounts",
    "apps.backoffice",
    "apps.portal",
    "apps.wallet",
    "apps.investments",
    "apps.referrals",
    "apps.kyc",
    "apps.messaging",
    "apps.controls",
    "workers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, with the plain header (no nonce, no per-view policy) built once per process
    "apps.common.csp.CSPMiddleware",
    # after CSPMiddleware, so that it answers first: the admin's and the API docs' own policies
    "apps.common.csp.SectionPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # the session user, django-otp's check of it and flash messages: not under /api/ (token only)
    "apps.common.middleware.PageAuthenticationMiddleware",
    "apps.common.middleware.PageOTPMiddleware",
    # one log line per request, with its request id (echoed in X-Request-ID)
    "apps.common.logging.RequestLogMiddleware",
    "apps.accounts.mfa.middleware.StaffMfaMiddleware",
    "apps.common.middleware.PrivateResponseMiddleware",
    "apps.common.middleware.PageMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # axes last: it turns a locked-out login into a 429 response
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.portal.context_processors.platform",
                "apps.portal.context_processors.investor_header",
                "csp.context_processors.nonce",
            ],
        },
    },
]


# --- Database ---------------------------------------------------------------------------------
# Embedded default: SQLite under var/ with IMMEDIATE transactions (writers serialise at BEGIN,
# so a read-then-write transaction never fails half-way with "database is locked").
def database_config(url: str) -> dict:
    """One database from a URL, with the engine-specific options every environment needs."""
    config = env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            }
        )
    else:
        if config["ENGINE"] == "django.db.backends.postgresql":
            # Django's backend with a health check that needs no round trip (apps.common.db)
            config["ENGINE"] = "apps.common.db.postgresql"
        config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
        config["CONN_HEALTH_CHECKS"] = True
    config["ATOMIC_REQUESTS"] = False
    return config


DATABASES = {"default": database_config(env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))}
# The reads every API request makes (apps.common.prepared) run as prepared statements on PostgreSQL:
# off behind a pooler that cannot keep them (PgBouncer before 1.21 in transaction mode).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.accounts.backends.EmailOrUsernameBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"  # the investor dashboard
LOGOUT_REDIRECT_URL = "portal:login"
EMAIL_VERIFICATION_MAX_AGE_DAYS = env.int("EMAIL_VERIFICATION_MAX_AGE_DAYS", default=3)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=3600)

# Lock-out after repeated failed logins (portal, admin and API alike), by account.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "apps.accounts.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Every failed sign-in is also kept (up to 1,000 per account): the Investor 360 lists them.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# A failed sign-in's form data is kept with it: two-factor codes are masked there like passwords.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp", "code"]
SILENCED_SYSTEM_CHECKS = [
    # Email uniqueness is case-insensitive: a UniqueConstraint on Lower("email"), which the check
    # cannot see; the authentication backend looks emails up with iexact.
    "auth.W004",
    # Lock-out is counted per account on purpose (an office behind one address must not lock
    # everyone out); floods from one address are stopped by the API's anonymous throttle.
    "axes.W006",
]
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Two-factor authentication (django-otp) -----------------------------------------------------
# Staff always sign in with a TOTP code (RFC 6238: SHA-1, 6 digits, 30 s, django-otp's defaults);
# investors when they have set up a device. See apps/accounts/mfa and docs/security.md.
OTP_TOTP_ISSUER = PLATFORM_NAME  # the account name authenticator apps show
# django-otp's own per-device throttle (1, 2, 4, 8… seconds after successive wrong codes), on top
# of the per-account lock-out that every wrong code also counts toward.
OTP_TOTP_THROTTLE_FACTOR = 1
# Step-up: sensitive staff actions ask for a fresh code once the last one is older than this.
MFA_STEP_UP_MINUTES = env.int("MFA_STEP_UP_MINUTES", default=15)
if MFA_STEP_UP_MINUTES < 1:
    raise ImproperlyConfigured("MFA_STEP_UP_MINUTES must be at least 1.")
MFA_RECOVERY_CODE_COUNT = 10  # one-time codes shown once at enrolment, stored hashed

# --- Cache (API throttle counters, lock-out) ------------------------------------------------------
# One process's memory by default; production points it at Redis so every process shares counts.
# Throttle counters live in the cache, so every process must see the same one: by default a file
# cache under var/ (web workers, worker and beat on one machine share it); production, Redis.
CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
PLATFORM_TIME_ZONE = env.str("PLATFORM_TIME_ZONE", default="UTC")
PLATFORM_CURRENCY = env.str("PLATFORM_CURRENCY", default="USD")

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- KYC documents ----------------------------------------------------------------------------
# A private storage of its own: a folder under var/ that no URL serves, or, with KYC_S3_BUCKET
# set, a private S3 bucket (server-side encryption, random names, presigned URLs ≤ 5 minutes).
KYC_MAX_UPLOAD_MB = env.int("KYC_MAX_UPLOAD_MB", default=5)
if KYC_MAX_UPLOAD_MB < 1:
    raise ImproperlyConfigured("KYC_MAX_UPLOAD_MB must be at least 1.")
# Images above this many pixels are refused as decompression bombs before they are decoded.
KYC_MAX_IMAGE_PIXELS = env.int("KYC_MAX_IMAGE_PIXELS", default=50_000_000)
KYC_PRESIGNED_URL_SECONDS = env.int("KYC_PRESIGNED_URL_SECONDS", default=300)
if not 1 <= KYC_PRESIGNED_URL_SECONDS <= 300:
    raise ImproperlyConfigured("KYC_PRESIGNED_URL_SECONDS must be between 1 and 300 (5 minutes).")
KYC_MIN_AGE = env.int("KYC_MIN_AGE", default=18)
KYC_S3_BUCKET = env.str("KYC_S3_BUCKET", default="")
KYC_LOCAL_ROOT = Path(env.str("KYC_LOCAL_ROOT", default="") or VAR_DIR / "kyc")


def kyc_s3_storage(
    *,
    bucket: str,
    expire: int,
    access_key: str | None = None,
    secret_key: str | None = None,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    location: str = "kyc",
    addressing_style: str | None = None,
) -> dict:
    """``STORAGES["kyc"]`` on S3: private objects, encrypted at rest, never overwritten, shown only
    through presigned URLs that live ``expire`` seconds (tests build the same on a local S3)."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "access_key": access_key,
            "secret_key": secret_key,
            "region_name": region_name,
            "endpoint_url": endpoint_url,
            "location": location,
            "default_acl": "private",
            "object_parameters": {"ServerSideEncryption": "AES256", "CacheControl": "private, no-store"},
            "querystring_auth": True,
            "querystring_expire": expire,
            "file_overwrite": False,
            "signature_version": "s3v4",
            "addressing_style": addressing_style,
        },
    }


if KYC_S3_BUCKET:
    STORAGES["kyc"] = kyc_s3_storage(
        bucket=KYC_S3_BUCKET,
        expire=KYC_PRESIGNED_URL_SECONDS,
        access_key=env.str("AWS_ACCESS_KEY_ID", default="") or None,
        secret_key=env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        region_name=env.str("AWS_S3_REGION_NAME", default="") or None,
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        location=env.str("KYC_S3_PREFIX", default="kyc"),
        addressing_style=env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
    )
else:
    STORAGES["kyc"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # No base_url: these files have no public URL; staff read them through the admin view.
        "OPTIONS": {"location": KYC_LOCAL_ROOT, "base_url": None, "file_permissions_mode": 0o600},
    }

# --- Email ------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Bursar <no-reply@bursar.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"


def kyc_image_origins(*, bucket: str, endpoint_url: str, region: str) -> list[str]:
    """Where a staff member's browser fetches a KYC image from: on S3, the presigned URL the
    document view redirects to (images only; PDFs are streamed by us)."""
    if not bucket:
        return []
    if endpoint_url:
        return [re.sub(r"^(https?://[^/]+).*$", r"\1", endpoint_url.strip())]
    hosts = [f"{bucket}.s3.amazonaws.com"] + ([f"{bucket}.s3.{region}.amazonaws.com"] if region else [])
    return [f"https://{host}" for host in hosts]


# Content-Security-Policy (django-csp): scripts from our origin or with the request's nonce
# ({{ CSP_NONCE }}), no inline style, no plugin, no framing, forms post only to us; images also as
# data: URLs (QR codes, charts). The admin's looser script/style rules: apps.common.csp.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'", csp_constants.NONCE],
        "img-src": [
            "'self'",
            "data:",
            *kyc_image_origins(
                bucket=KYC_S3_BUCKET,
                endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
                region=env.str("AWS_S3_REGION_NAME", default=""),
            ),
        ],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.accounts.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["apps.common.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "apps.common.api.pagination.Pagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=20),
    "EXCEPTION_HANDLER": "apps.common.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "apps.common.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "apps.common.api.throttling.UserRateThrottle",  # DRF's scope and rate, counted in O(1)
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
        "auth_login": env.str("API_THROTTLE_LOGIN", default="20/minute"),
        "auth_signup": env.str("API_THROTTLE_SIGNUP", default="10/minute"),
        "auth_password_forgot": env.str("API_THROTTLE_PASSWORD_FORGOT", default="5/minute"),
    },
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_MAX_PAGE_SIZE = 100

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_CLAIM": "user_id",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Bursar API",
    "DESCRIPTION": "Investor and staff API of the Bursar back office. Money is a string with 2 decimals.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Choice sets shared by several components under one field name (`type`, `status`).
    "ENUM_NAME_OVERRIDES": {
        "TransactionTypeEnum": "apps.wallet.api.serializers.API_TRANSACTION_TYPES",
        "TransactionStatusEnum": "apps.wallet.selectors.TRANSACTION_STATUSES",
        "RequestStatusEnum": "apps.wallet.models.RequestStatus",
        "PositionStatusEnum": "apps.investments.models.PositionStatus",
    },
}


# --- Money ------------------------------------------------------------------------------------
def env_money(name: str, default: str) -> Decimal:
    """A non-negative amount with at most 2 decimals, from the environment."""
    raw = env.str(name, default=default)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise ImproperlyConfigured(f"{name} must be an amount like 100.00, got {raw!r}.")
    return value


DEPOSIT_MIN = env_money("DEPOSIT_MIN", "10.00")
DEPOSIT_MAX = env_money("DEPOSIT_MAX", "1000000.00")
WITHDRAWAL_MIN = env_money("WITHDRAWAL_MIN", "10.00")
WITHDRAWAL_MAX = env_money("WITHDRAWAL_MAX", "100000.00")
WITHDRAWAL_DAILY_LIMIT = env_money("WITHDRAWAL_DAILY_LIMIT", "250000.00")
WITHDRAWAL_FEE_FIXED = env_money("WITHDRAWAL_FEE_FIXED", "0.00")
WITHDRAWAL_FEE_PERCENT = env_money("WITHDRAWAL_FEE_PERCENT", "0.00")
KYC_REQUIRED_FOR_WITHDRAWAL = env.bool("KYC_REQUIRED_FOR_WITHDRAWAL", default=True)
# Risk signals on the deposit and withdrawal review pages: a payout address an investor started
# using this many days ago or less, after using another one, is flagged as changed; an account
# younger than RISK_ACCOUNT_NEW_DAYS is flagged as new.
RISK_ADDRESS_NEW_DAYS = env.int("RISK_ADDRESS_NEW_DAYS", default=30)
RISK_ACCOUNT_NEW_DAYS = env.int("RISK_ACCOUNT_NEW_DAYS", default=7)
if RISK_ADDRESS_NEW_DAYS < 1 or RISK_ACCOUNT_NEW_DAYS < 0:
    raise ImproperlyConfigured("RISK_ADDRESS_NEW_DAYS must be at least 1 and RISK_ACCOUNT_NEW_DAYS at least 0.")
# Withdrawals and manual adjustments strictly above this need a second staff member (I8).
FOUR_EYES_THRESHOLD = env_money("FOUR_EYES_THRESHOLD", "10000.00")
LEDGER_ALERT_EMAILS = env.list("LEDGER_ALERT_EMAILS", default=[])
# Positions per chunk in the daily jobs (accrual, maturity): one transaction each, never splitting
# one investor's positions.
ACCRUAL_CHUNK_SIZE = env.int("ACCRUAL_CHUNK_SIZE", default=20000)
if ACCRUAL_CHUNK_SIZE < 1:
    raise ImproperlyConfigured("ACCRUAL_CHUNK_SIZE must be at least 1.")
# Send the daily jobs' chunks to every worker process through the broker (workers.chunks). Off on
# SQLite, which takes one writer at a time: there the job works its chunks one after another.
JOBS_FAN_OUT = env.bool("JOBS_FAN_OUT", default=not DATABASES["default"]["ENGINE"].endswith("sqlite3"))
JOBS_CHUNK_QUEUE = env.str("JOBS_CHUNK_QUEUE", default="")  # empty: Celery's default queue
JOBS_CHUNK_POLL_SECONDS = 0.1  # how often the job looks whether chunks taken by others are done
# On PostgreSQL, the longest a chunk's transaction may run one statement or sit idle before the
# database rolls it back (a stuck worker's chunk becomes pending again and the job takes it over);
# a chunk of 20,000 positions takes about a second. 0: no bound.
JOBS_CHUNK_TIMEOUT_SECONDS = env.float("JOBS_CHUNK_TIMEOUT_SECONDS", default=600)
if JOBS_CHUNK_TIMEOUT_SECONDS < 0:
    raise ImproperlyConfigured("JOBS_CHUNK_TIMEOUT_SECONDS must be 0 (no bound) or more.")


# --- Messaging center -------------------------------------------------------------------------
# SLA: hours staff have to answer, by priority: the first answer of a thread, then each next one.
def env_hours_by_priority(name: str, default: dict[str, int]) -> dict[str, int]:
    """``low=72,normal=24,high=4,urgent=1``: a whole number of hours (≥ 1) for every priority."""
    raw = env.str(name, default="")
    values = dict(default)
    for item in filter(None, (part.strip() for part in raw.split(","))):
        key, _sep, hours = item.partition("=")
        if key.strip() not in default or not hours.strip().isdigit() or int(hours) < 1:
            raise ImproperlyConfigured(f"{name} must look like low=72,normal=24,high=4,urgent=1; got {raw!r}.")
        values[key.strip()] = int(hours)
    return values


SUPPORT_SLA_FIRST_RESPONSE_HOURS = env_hours_by_priority(
    "SUPPORT_SLA_FIRST_RESPONSE_HOURS", {"low": 48, "normal": 24, "high": 8, "urgent": 2}
)
SUPPORT_SLA_NEXT_RESPONSE_HOURS = env_hours_by_priority(
    "SUPPORT_SLA_NEXT_RESPONSE_HOURS", {"low": 72, "normal": 24, "high": 12, "urgent": 4}
)
# Threads resolved, or waiting on the investor, this many days are closed by a job (with a notice).
SUPPORT_AUTO_CLOSE_DAYS = env.int("SUPPORT_AUTO_CLOSE_DAYS", default=7)
if SUPPORT_AUTO_CLOSE_DAYS < 1:
    raise ImproperlyConfigured("SUPPORT_AUTO_CLOSE_DAYS must be at least 1.")
# Messages one investor may send per hour (new threads, replies, proofs), portal and API together.
MESSAGE_SEND_LIMIT_PER_HOUR = env.int("MESSAGE_SEND_LIMIT_PER_HOUR", default=30)
# Days a task stays open when staff create it through the original API (which sends no expiry).
TASK_DEFAULT_EXPIRY_DAYS = env.int("TASK_DEFAULT_EXPIRY_DAYS", default=14)
# Recipients per transaction when an announcement or a task is delivered (20,000 measured 1.15× a
# bare INSERT … SELECT in bench/announcements.py, 5,000 1.41×); announcement emails per connection.
DELIVERY_CHUNK_SIZE = env.int("DELIVERY_CHUNK_SIZE", default=20000)
EMAIL_BATCH_SIZE = env.int("EMAIL_BATCH_SIZE", default=200)
if DELIVERY_CHUNK_SIZE < 1 or EMAIL_BATCH_SIZE < 1:
    raise ImproperlyConfigured("DELIVERY_CHUNK_SIZE and EMAIL_BATCH_SIZE must be at least 1.")

# --- Runtime settings (django-constance) and maintenance mode ------------------------------------
# Business settings staff change in the admin (Runtime settings), effective at once on every
# process: the values above, read from the environment, are only the defaults of a setting nobody
# has saved yet. Code reads them through ``apps.controls.runtime.runtime_setting(NAME)`` (never
# ``settings.NAME`` nor ``constance.config``); every save goes through
# ``apps.controls.services.runtime_settings_update`` (validated, logged with old and new value).
# Infrastructure knobs (chunk sizes, batch sizes, alert addresses, KYC upload limits) stay
# environment-only. See docs/runtime-settings.md.
from django.utils.text import format_lazy  # noqa: E402

CONSTANCE_BACKEND = "constance.backends.database.DatabaseBackend"
# The stored values are cached by apps.controls.runtime as one snapshot in the "default" cache
# (shared by every process: a file cache by default, Redis in production), refreshed on every
# save; constance's own per-key cache stays off (it refuses a per-process memory cache, and it
# would cache a rolled-back save). Reads go to the database when the snapshot is missing.
CONSTANCE_DATABASE_CACHE_BACKEND = None
RUNTIME_SETTINGS_CACHE_SECONDS = 60
CONSTANCE_SUPERUSER_ONLY = False  # staff with constance.view_config / change_config
CONSTANCE_ADDITIONAL_FIELDS = {
    "money": [
        "apps.controls.fields.RuntimeDecimalField",
        {"widget": "unfold.widgets.UnfoldAdminDecimalFieldWidget"},
    ],
    "text": [
        "django.forms.CharField",
        {"widget": "unfold.widgets.UnfoldAdminTextareaWidget", "required": False, "max_length": 500},
    ],
    bool: [
        "django.forms.BooleanField",
        {"widget": "unfold.widgets.UnfoldBooleanSwitchWidget", "required": False},
    ],
    int: ["django.forms.IntegerField", {"widget": "unfold.widgets.UnfoldAdminIntegerFieldWidget"}],
}
MAINTENANCE_MESSAGE_DEFAULT = env.str(
    "MAINTENANCE_MESSAGE",
    default="Bursar is under maintenance: deposits, withdrawals and investments are paused for a "
    "short while. Your balances are safe and every page can still be read.",
)
SLA_PRIORITIES = ("low", "normal", "high", "urgent")  # one setting per priority: constance has no dict type
CONSTANCE_CONFIG = {
    "MAINTENANCE_MODE": (
        env.bool("MAINTENANCE_MODE", default=False),
        _("Maintenance mode: every money command is refused and the daily jobs wait (they catch up after)."),
        bool,
    ),
    "MAINTENANCE_MESSAGE": (MAINTENANCE_MESSAGE_DEFAULT, _("Message shown to investors and staff while on."), "text"),
    "MAINTENANCE_RETRY_AFTER_SECONDS": (
        env.int("MAINTENANCE_RETRY_AFTER_SECONDS", default=900),
        _("Seconds the API tells clients to wait (Retry-After) while maintenance is on."),
        int,
    ),
    "DEPOSIT_MIN": (DEPOSIT_MIN, _("Smallest deposit request."), "money"),
    "DEPOSIT_MAX": (DEPOSIT_MAX, _("Largest deposit request."), "money"),
    "WITHDRAWAL_MIN": (WITHDRAWAL_MIN, _("Smallest withdrawal request (before the fee)."), "money"),
    "WITHDRAWAL_MAX": (WITHDRAWAL_MAX, _("Largest withdrawal request (before the fee)."), "money"),
    "WITHDRAWAL_DAILY_LIMIT": (WITHDRAWAL_DAILY_LIMIT, _("Total an investor may withdraw per day."), "money"),
    "WITHDRAWAL_FEE_FIXED": (WITHDRAWAL_FEE_FIXED, _("Fixed fee per withdrawal."), "money"),
    "WITHDRAWAL_FEE_PERCENT": (WITHDRAWAL_FEE_PERCENT, _("Fee per withdrawal, percent of the amount."), "money"),
    "KYC_REQUIRED_FOR_WITHDRAWAL": (
        KYC_REQUIRED_FOR_WITHDRAWAL,
        _("Withdrawals need an approved identity verification (KYC)."),
        bool,
    ),
    "FOUR_EYES_THRESHOLD": (
        FOUR_EYES_THRESHOLD,
        _("Withdrawals, adjustments and task rewards above this need a second staff member."),
        "money",
    ),
    "RISK_ADDRESS_NEW_DAYS": (
        RISK_ADDRESS_NEW_DAYS,
        _("Days a newly used payout address is flagged as changed."),
        int,
    ),
    "RISK_ACCOUNT_NEW_DAYS": (RISK_ACCOUNT_NEW_DAYS, _("Days an account is flagged as new (0: never)."), int),
    "COVERAGE_WARNING_RATIO": (
        env_money("COVERAGE_WARNING_RATIO", "1.10"),  # also read below, beside the admin's settings
        _("The dashboard warns when cash covers less than this multiple of what is owed."),
        "money",
    ),
    **{
        f"SUPPORT_SLA_{kind.upper()}_RESPONSE_HOURS_{priority.upper()}": (
            hours[priority],
            format_lazy(label, priority=priority),
            int,
        )
        for kind, hours, label in (
            ("first", SUPPORT_SLA_FIRST_RESPONSE_HOURS, _("Hours staff have to answer a new {priority} thread.")),
            ("next", SUPPORT_SLA_NEXT_RESPONSE_HOURS, _("Hours staff have to answer each next {priority} message.")),
        )
        for priority in SLA_PRIORITIES
    },
    "SUPPORT_AUTO_CLOSE_DAYS": (
        SUPPORT_AUTO_CLOSE_DAYS,
        _("Days after which resolved or waiting threads are closed."),
        int,
    ),
    "MESSAGE_SEND_LIMIT_PER_HOUR": (
        MESSAGE_SEND_LIMIT_PER_HOUR,
        _("Messages one investor may send per hour."),
        int,
    ),
    "TASK_DEFAULT_EXPIRY_DAYS": (
        TASK_DEFAULT_EXPIRY_DAYS,
        _("Days a task stays open when created without an expiry."),
        int,
    ),
}
CONSTANCE_CONFIG_FIELDSETS = (
    (_("Maintenance"), {"fields": ("MAINTENANCE_MODE", "MAINTENANCE_MESSAGE", "MAINTENANCE_RETRY_AFTER_SECONDS")}),
    (_("Deposits"), {"fields": ("DEPOSIT_MIN", "DEPOSIT_MAX")}),
    (
        _("Withdrawals"),
        {
            "fields": (
                "WITHDRAWAL_MIN",
                "WITHDRAWAL_MAX",
                "WITHDRAWAL_DAILY_LIMIT",
                "WITHDRAWAL_FEE_FIXED",
                "WITHDRAWAL_FEE_PERCENT",
                "KYC_REQUIRED_FOR_WITHDRAWAL",
            )
        },
    ),
    (
        _("Approvals and risk"),
        {"fields": ("FOUR_EYES_THRESHOLD", "RISK_ADDRESS_NEW_DAYS", "RISK_ACCOUNT_NEW_DAYS", "COVERAGE_WARNING_RATIO")},
    ),
    (
        _("Support"),
        {
            "fields": (
                *(
                    f"SUPPORT_SLA_{kind}_RESPONSE_HOURS_{p.upper()}"
                    for kind in ("FIRST", "NEXT")
                    for p in SLA_PRIORITIES
                ),
                "SUPPORT_AUTO_CLOSE_DAYS",
                "MESSAGE_SEND_LIMIT_PER_HOUR",
                "TASK_DEFAULT_EXPIRY_DAYS",
            ),
            "collapse": True,
        },
    ),
)

# --- Celery -----------------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport under var/ (no broker server needed).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_QUEUE_DIR = Path(env.str("CELERY_BROKER_QUEUE_DIR", default=str(VAR_DIR / "celery" / "queue")))
CELERY_BROKER_CONTROL_DIR = Path(env.str("CELERY_BROKER_CONTROL_DIR", default=str(VAR_DIR / "celery" / "control")))
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for folder in (CELERY_BROKER_QUEUE_DIR, CELERY_BROKER_CONTROL_DIR, CELERY_BROKER_QUEUE_DIR.parent / "processed"):
        folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_QUEUE_DIR),
        "data_folder_out": str(CELERY_BROKER_QUEUE_DIR),
        "control_folder": str(CELERY_BROKER_CONTROL_DIR),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True
# How stale the scheduler heartbeat may get before the dashboard calls beat down.
SCHEDULER_HEARTBEAT_STALE_SECONDS = env.int("SCHEDULER_HEARTBEAT_STALE_SECONDS", default=180)

# --- Layers (issue 12 §5) ----------------------------------------------------------------------
# accounts sits below the wallet and messaging and never imports them (tests/test_architecture.py);
# what it needs of them is named here, as EMAIL_BACKEND names the mailer.
USER_BALANCES_READER = "apps.wallet.selectors.balances_for_user"  # the balances of the profile API
NOTICE_BACKEND = "apps.messaging.notice_backend.NotificationNoticeBackend"  # apps.common.notices

# --- Admin (django-unfold) ---------------------------------------------------------------------
# The staff dashboard's coverage panel turns to a warning when what the platform has (cash plus
# the treasury balance recorded last) is below this multiple of what it owes.
COVERAGE_WARNING_RATIO = env_money("COVERAGE_WARNING_RATIO", "1.10")
from apps.backoffice.unfold_config import UNFOLD  # noqa: E402,F401  (declared in backoffice)

# --- Logging ----------------------------------------------------------------------------------
# structlog over the standard library (apps/common/logging.py): LOG_FORMAT=plain gives readable
# key=value lines (the default here), json one JSON object per line (production's default). One
# line per request with its request id (X-Request-ID, echoed; carried into the Celery tasks the
# request enqueues) and one per job chunk with the job run id. Every process (web, worker, beat,
# manage.py) configures logging through LOGGING_CONFIG.
from apps.common.logging import logging_settings  # noqa: E402

LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
LOGGING_CONFIG = "apps.common.logging.logging_configure"
LOGGING = logging_settings(log_format=LOG_FORMAT, level=LOG_LEVEL)
# django-structlog: the request's logging context travels in a header of every task it enqueues
# (the worker side: workers/celery.py); lines name the user by primary key.
DJANGO_STRUCTLOG_CELERY_ENABLED = True
DJANGO_STRUCTLOG_USER_ID_FIELD = "pk"
