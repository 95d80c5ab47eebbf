"""The architecture contracts (``[tool.importlinter]`` in pyproject.toml), checked by import-linter
on every run of the suite: accounts sits on common alone (it imports no other app, the workers or
the config, not even inside a function), every other app sits above both, and every app is placed
in the layers. The fixture projects below show that each kind of breach is caught."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))
APPS = ("accounts", "backoffice", "common", "controls", "health", "investments", "kyc", "messaging", "portal")
APPS += ("referrals", "wallet")


def lint_imports(*, cwd: Path, config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(config), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_project_keeps_its_import_contracts():
    result = lint_imports(cwd=ROOT, config=ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project of empty packages under the real contracts: every app, the workers, the config."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for package in ("apps", "workers", "config", *(f"apps/{app}" for app in APPS)):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    for module in ("apps/accounts/models", "apps/backoffice/exports", "apps/messaging/services", "workers/jobs"):
        (tmp_path / f"{module}.py").write_text("")
    return tmp_path


def test_the_fixture_project_keeps_the_contracts(project):
    (project / "apps/wallet/selectors.py").write_text("from apps.accounts import models\n")
    (project / "apps/accounts/models.py").write_text("from apps.common import money\n")
    (project / "apps/common/money.py").write_text("")
    assert lint_imports(cwd=project, config=project / "pyproject.toml").returncode == 0


@pytest.mark.parametrize(
    ("module", "source", "refusal"),
    [
        (
            "apps/accounts/selectors.py",
            "from apps.wallet import selectors\n",
            "apps.accounts is not allowed to import apps.wallet",
        ),
        (
            "apps/accounts/services.py",
            "def notify():\n    from apps.messaging.services import notification_send\n",
            "apps.accounts is not allowed to import apps.messaging",
        ),
        (
            "apps/accounts/admin.py",
            "import apps.backoffice.exports\n",
            "apps.accounts is not allowed to import apps.backoffice",
        ),
        (
            "apps/common/text.py",
            "from apps.accounts.models import User\n",
            "apps.common is not allowed to import apps.accounts",
        ),
        ("apps/accounts/tasks.py", "from workers import jobs\n", "apps.accounts is not allowed to import workers"),
        ("apps/newapp/__init__.py", "", "apps.newapp"),
    ],
    ids=[
        "accounts-wallet",
        "accounts-messaging-in-a-function",
        "accounts-backoffice",
        "common-accounts",
        "accounts-workers",
        "app-not-placed",
    ],
)
def test_a_breach_breaks_a_contract(project, module, source, refusal):
    path = project / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    result = lint_imports(cwd=project, config=project / "pyproject.toml")
    assert result.returncode == 1
    assert refusal in result.stdout
