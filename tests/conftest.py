"""Shared fixtures: users, API clients, a whole-database snapshot for "nothing changed"
assertions, backend markers, and a Playwright browser on Debian's Chromium."""

import os
import shutil

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.services import auth_tokens_issue
from tests.factories import DEFAULT_PASSWORD, StaffFactory, SuperuserFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"
# Tables whose growth is the point of a refused request (failed-login records) or bookkeeping.
SNAPSHOT_IGNORED = {"axes.accessattempt", "axes.accessfailurelog", "axes.accesslog", "sessions.session"}


def pytest_collection_modifyitems(config, items):
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://…")
    no_browser = not os.path.exists(CHROMIUM) and not os.environ.get("CI")
    skip_browser = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and no_browser:
            item.add_marker(skip_browser)


@pytest.fixture(autouse=True)
def _staff_sessions_verified(monkeypatch):
    """``client.force_login(staff)`` gives a session that passed the second factor the real way: the
    staff member's confirmed TOTP device (made when missing) bound to the session by django-otp
    (``tests.mfa.session_verify``). The enforcement stays on: ``tests.mfa.force_login_unverified``
    signs in with the password alone, and the admin sends that session to the code step."""
    from tests.mfa import FORCE_LOGIN, session_verify

    def force_login(self, user, backend=None):
        FORCE_LOGIN(self, user, backend)
        if user.is_staff:
            session_verify(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def investor(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def superuser(db):
    return SuperuserFactory()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def investor_api(investor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {auth_tokens_issue(user=investor)['access']}")
    client.user = investor
    return client


@pytest.fixture
def staff_api(superuser):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {auth_tokens_issue(user=superuser, otp_verified=True)['access']}")
    client.user = superuser
    return client


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every model table, for asserting that a refused operation changed nothing."""
    snapshot = {}
    with connection.cursor() as cursor:
        for model in django_apps.get_models(include_auto_created=True):
            label = model._meta.label_lower
            if label in SNAPSHOT_IGNORED or model._meta.proxy or not model._meta.managed:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
            snapshot[label] = cursor.fetchall()
    return snapshot


@pytest.fixture
def unchanged_db(db):
    """``with unchanged_db(): …`` fails if the block changed any row."""
    from contextlib import contextmanager

    @contextmanager
    def check():
        before = database_snapshot()
        yield
        after = database_snapshot()
        changed = {label for label in before if before[label] != after.get(label)}
        assert not changed, f"tables changed by a refused operation: {sorted(changed)}"

    return check


@pytest.fixture(scope="session")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _sqlite_ledger_guards(request):
    """Transactional tests on SQLite end by emptying every table with DELETE, which the
    append-only triggers (ledger, KYC and attachment access logs) refuse: lift them for that
    flush only; every database test starts with them in place. (PostgreSQL flushes with
    TRUNCATE, which the row triggers do not see.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server"} & set(request.fixturenames)) or bool(
        marker and marker.kwargs.get("transaction")
    )
    uses_db = transactional or marker is not None or "db" in request.fixturenames
    if not uses_db or connection.vendor != "sqlite":
        yield
        return
    from apps.investments import db_guards as investments_guards
    from apps.kyc import db_guards as kyc_guards
    from apps.messaging import db_guards as messaging_guards
    from apps.wallet import db_guards as wallet_guards

    guards = (wallet_guards, kyc_guards, messaging_guards, investments_guards)
    request.getfixturevalue("transactional_db" if transactional else "db")
    with connection.cursor() as cursor:
        for statement in [statement for guard in guards for statement in guard.sqlite_forward_statements()]:
            cursor.execute(statement)
    yield
    if transactional:
        with connection.cursor() as cursor:
            for statement in [statement for guard in guards for statement in guard.sqlite_reverse_statements()]:
                cursor.execute(statement)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters live in the cache, which would otherwise outlive a test."""
    from django.core.cache import cache

    from apps.controls.runtime import SNAPSHOT_KEY

    cache.clear()
    # The runtime settings' snapshot as every process holds it in steady state (nothing saved yet):
    # reading a runtime setting costs no query, as in production.
    cache.set(SNAPSHOT_KEY, {}, None)
    yield


@pytest.fixture
def kyc_storage(settings, tmp_path):
    """KYC documents go to an empty private folder of this test's own; yields that folder."""
    folder = tmp_path / "kyc"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "kyc": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": None, "file_permissions_mode": 0o600},
        },
    }
    return folder


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in Arabic through the test client
    leaves Arabic active in the thread (LocaleMiddleware activates, nothing deactivates)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def runtime_config():
    """Set runtime settings (``apps.controls``) for this test, the way a save in the admin stores
    them: ``runtime_config(DEPOSIT_MIN=Decimal("25.00"))`` (see ``tests.runtime``)."""
    from tests.runtime import runtime_values_set

    return runtime_values_set
