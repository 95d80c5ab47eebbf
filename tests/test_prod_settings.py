"""Production refuses a secret key under 50 characters (or one of too few different characters,
or Django's generated development key) when its settings are imported."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LONG_KEY = "k3v$-not-a-real-secret-but-long-and-random-enough-9f8a7d6c5b4e3f2a1b0c9d8e7f6a"
ENV = {
    "DJANGO_ALLOWED_HOSTS": "bursar.example.com",
    "DATABASE_URL": "sqlite:////tmp/bursar-prod-check.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}
SCRIPT = "import config.settings.prod as prod; print(len(prod.SECRET_KEY))"


def import_prod(secret_key: str, tmp_path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**clean, **ENV, "DJANGO_SECRET_KEY": secret_key, "BURSAR_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def weak(length: int) -> str:
    return (
        f"django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY is too weak for production "
        f"({length} characters): use at least 50 random characters, for example the output of "
        '`python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
    )


@pytest.mark.parametrize(
    "key",
    ["abcde", "x7#Qp" * 9 + "abcd", "ab" * 40, "django-insecure-" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0"],
    ids=["5 characters", "49 characters", "2 different characters", "development key"],
)
def test_prod_refuses_a_weak_secret_key(key, tmp_path):
    result = import_prod(key, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == weak(len(key))
    assert result.stdout == ""


def test_prod_accepts_a_long_random_key(tmp_path):
    result = import_prod(LONG_KEY, tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{len(LONG_KEY)}\n", "")


def test_prod_accepts_exactly_50_characters(tmp_path):
    key = "x7#Qp" * 10
    result = import_prod(key, tmp_path)
    assert (result.returncode, result.stdout) == (0, "50\n")


def test_production_cookies_are_secure_and_probes_are_not_redirected(tmp_path):
    script = (
        "import config.settings.prod as p; "
        "print(p.LANGUAGE_COOKIE_SECURE, p.SESSION_COOKIE_SECURE, p.CSRF_COOKIE_SECURE, p.SECURE_REDIRECT_EXEMPT)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, **ENV, "DJANGO_SECRET_KEY": LONG_KEY, "BURSAR_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True True ['^health/']"
