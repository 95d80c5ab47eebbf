"""Throttle counters are shared between processes on the embedded defaults (issue 12 §4): two
web workers with per-process memory would each let the configured rate through."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django(code: str, var_dir: Path) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_URL"))}
    env = {**clean, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "BURSAR_VAR_DIR": str(var_dir)}
    script = "import django; django.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_default_cache_is_a_file_cache_under_var(tmp_path):
    printed = django(
        "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])",
        tmp_path,
    )

    assert printed == f"django.core.cache.backends.filebased.FileBasedCache {tmp_path / 'cache'}"


def test_two_processes_see_the_same_throttle_history(tmp_path):
    """What DRF's throttles store (a list of request times under a key) written by one process is
    read by the next."""
    django("from django.core.cache import cache; cache.set('throttle_user_7', [1.0, 2.0], 60)", tmp_path)

    printed = django("from django.core.cache import cache; print(cache.get('throttle_user_7'))", tmp_path)

    assert printed == "[1.0, 2.0]"
