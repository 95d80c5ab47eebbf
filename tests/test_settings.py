"""Production settings refuse to start without their required variables and pass
``check --deploy`` with no warnings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.prod",
    "DJANGO_SECRET_KEY": "k3v$-not-a-real-secret-but-long-and-random-enough-9f8a7d6c5b4e3f2a1b0c9d8e7f6a",
    "DJANGO_ALLOWED_HOSTS": "bursar.example.com",
    "DATABASE_URL": "sqlite:////tmp/bursar-prod-check.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"])
def test_prod_refuses_to_start_without(missing, tmp_path):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = manage("check", env={**env, "BURSAR_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert f"{missing} must be set in production." in result.stderr


def test_prod_passes_check_deploy_without_warnings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={**PROD_ENV, "BURSAR_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_env_example_as_a_dot_env_file_loads_with_its_comments_stripped(tmp_path):
    """Copying .env.example to .env must give the documented values, not values with the inline
    comment glued on (django-environ keeps "300   # at most 300" as the value)."""
    script = """
import os, sys
from pathlib import Path
sys.path.insert(0, ".")
lines = Path(".env.example").read_text().splitlines()
for line in lines:
    if "=" in line and not line.startswith("#"):
        os.environ.pop(line.split("=", 1)[0], None)
from config.settings.base import env_file_read
env_file_read(Path(sys.argv[1]))
names = ("KYC_PRESIGNED_URL_SECONDS", "DJANGO_ALLOWED_HOSTS", "SUPPORT_SLA_FIRST_RESPONSE_HOURS",
         "DEFAULT_FROM_EMAIL", "CELERY_BROKER_URL")
print("|".join(os.environ[name] for name in names))
"""
    copy = tmp_path / ".env"
    copy.write_text((ROOT / ".env.example").read_text())
    result = subprocess.run(
        [sys.executable, "-c", script, str(copy)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "300|localhost,127.0.0.1,[::1]|low=48,normal=24,high=8,urgent=2|Bursar <no-reply@bursar.local>|filesystem://"
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("JOBS_CHUNK_TIMEOUT_SECONDS", "-1", "JOBS_CHUNK_TIMEOUT_SECONDS must be 0 (no bound) or more."),
        ("ACCRUAL_CHUNK_SIZE", "0", "ACCRUAL_CHUNK_SIZE must be at least 1."),
    ],
)
def test_a_job_setting_out_of_range_stops_the_start_with_its_name(name, value, message, tmp_path):
    result = manage("check", env={**PROD_ENV, "BURSAR_VAR_DIR": str(tmp_path), name: value})
    assert result.returncode != 0
    assert message in result.stderr
