"""``/health/live`` and ``/health/ready``: the liveness probe answers without looking at anything;
the readiness probe names each check (database, migrations, beat heartbeat, broker, cache, KYC
storage) with its state and latency, answers 503 when one fails, never shows a secret, and gives
up on a slow service after its time box. Failures are made by pointing a check at a bad target."""

import shutil
import socket
import subprocess
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from apps.health import checks
from tests.kyc.conftest import kyc_s3, moto_endpoint, s3_client  # noqa: F401 (S3 fixtures)
from workers.services import heartbeat_record

pytestmark = pytest.mark.django_db

LIVE = "/health/live"
READY = "/health/ready"
NAMES = ["database", "migrations", "heartbeat", "broker", "cache", "storage"]
PASSWORD = "Sup3r-s3cret-pa55word"
SLOW_SECONDS = 3
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.fixture(autouse=True)
def fresh_checks(settings, tmp_path):
    """Every test builds the migration plan itself, and starts with a beat heartbeat of now and a
    KYC folder of its own."""
    checks._MigrationsState.passed_until = 0.0
    settings.STORAGES = {
        **settings.STORAGES,
        "kyc": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "kyc"}},
    }
    heartbeat_record()


def states(response) -> dict:
    """Each check's state and error (the latency is checked to be a number, then left out)."""
    body = response.json()
    assert list(body["checks"]) == NAMES
    for check in body["checks"].values():
        assert isinstance(check.pop("latency_ms"), float)
    return body


def all_ok_but(**failed) -> dict:
    expected = {name: {"status": "ok"} for name in NAMES}
    expected.update({name: {"status": "fail", "error": error} for name, error in failed.items()})
    return {"status": "fail" if failed else "ok", "checks": expected}


def assert_no_secret(response, settings) -> None:
    text = response.content.decode()
    for secret in (PASSWORD, settings.SECRET_KEY, "redis://", "postgres://"):
        assert secret not in text


# --- live -----------------------------------------------------------------------------------------


def test_live_answers_200_and_looks_at_nothing(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get(LIVE)

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["Cache-Control"] == NO_STORE


def test_the_probes_are_not_throttled_and_take_no_post(client):
    assert [client.get(LIVE).status_code for _ in range(50)] == [200] * 50
    assert [client.get(READY).status_code for _ in range(20)] == [200] * 20
    assert client.post(READY).status_code == 405
    assert client.head(READY).status_code == 200


# --- ready: all pass ------------------------------------------------------------------------------


def test_ready_answers_200_with_every_check_ok_on_the_embedded_defaults(client, settings):
    response = client.get(READY)

    assert response.status_code == 200
    assert states(response) == all_ok_but()
    assert response["Cache-Control"] == NO_STORE
    assert_no_secret(response, settings)


def test_ready_on_s3_asks_the_bucket_without_writing(client, kyc_s3):  # noqa: F811
    response = client.get(READY)

    assert (response.status_code, states(response)) == (200, all_ok_but())
    assert kyc_s3.keys() == []


# --- ready: one fails -----------------------------------------------------------------------------


def test_database_down_fails_with_no_secret(client, settings):
    error = OperationalError(f"could not connect: postgres://bursar:{PASSWORD}@db.internal:5432/bursar")
    with mock.patch.object(connection, "cursor", side_effect=error):
        response = client.get(READY)

    assert response.status_code == 503
    # The migrations and the heartbeat are read from the database too.
    down = "unreachable (OperationalError)"
    assert states(response) == all_ok_but(database=down, migrations=down, heartbeat=down)
    assert_no_secret(response, settings)


def test_a_migration_not_applied_fails(client):
    loader = MigrationLoader(connection)
    latest = max(node for node in loader.graph.leaf_nodes() if node[0] == "workers")
    MigrationRecorder(connection).record_unapplied(*latest)  # as if the code was deployed before migrate

    response = client.get(READY)

    assert response.status_code == 503
    assert states(response) == all_ok_but(migrations="1 migration(s) not applied")


def test_a_heartbeat_older_than_three_minutes_fails(client, settings):
    """Beat records one every 60 s; ``SCHEDULER_HEARTBEAT_STALE_SECONDS`` (180) is three missed."""
    assert settings.SCHEDULER_HEARTBEAT_STALE_SECONDS == 180
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        heartbeat_record()
    with time_machine.travel(now + timedelta(seconds=180), tick=False):
        fresh = client.get(READY)
    with time_machine.travel(now + timedelta(seconds=181), tick=False):
        stale = client.get(READY)

    assert (fresh.status_code, states(fresh)) == (200, all_ok_but())
    assert stale.status_code == 503
    assert states(stale) == all_ok_but(heartbeat="stale: last beat 181 s ago (limit 180 s)")


def test_no_heartbeat_at_all_fails(client):
    from workers.models import Heartbeat

    Heartbeat.objects.all().delete()

    response = client.get(READY)

    assert (response.status_code, states(response)) == (503, all_ok_but(heartbeat="no heartbeat recorded"))


def test_a_filesystem_broker_without_its_folders_fails(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
        "control_folder": str(tmp_path / "control-gone"),
    }

    response = client.get(READY)

    assert response.status_code == 503
    assert states(response) == all_ok_but(broker="control_folder missing or not writable")


def test_an_unreachable_redis_broker_fails_with_no_password_shown(client, settings):
    settings.CELERY_BROKER_URL = f"redis://:{PASSWORD}@127.0.0.1:{closed_port()}/0"

    response = client.get(READY)

    assert response.status_code == 503
    assert states(response) == all_ok_but(broker="unreachable (OperationalError)")
    assert_no_secret(response, settings)


def test_a_redis_broker_answers_ping(client, settings, redis_port):
    settings.CELERY_BROKER_URL = f"redis://:{PASSWORD}@127.0.0.1:{redis_port}/0"
    ok = client.get(READY)
    settings.CELERY_BROKER_URL = f"redis://:wrong-password@127.0.0.1:{redis_port}/0"
    refused = client.get(READY)

    assert (ok.status_code, states(ok)) == (200, all_ok_but())
    assert refused.status_code == 503
    assert states(refused)["checks"]["broker"] == {"status": "fail", "error": "unreachable (OperationalError)"}
    assert_no_secret(ok, settings)
    assert "wrong-password" not in refused.content.decode()


def test_an_unreachable_cache_fails_with_no_password_shown(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://:{PASSWORD}@127.0.0.1:{closed_port()}/1",
        }
    }

    response = client.get(READY)

    assert response.status_code == 503
    assert states(response) == all_ok_but(cache="unreachable (ConnectionError)")
    assert_no_secret(response, settings)


def test_a_kyc_folder_that_cannot_be_written_fails(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    settings.STORAGES = {
        **settings.STORAGES,
        "kyc": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": blocker / "kyc"}},
    }

    response = client.get(READY)

    assert response.status_code == 503
    assert states(response) == all_ok_but(storage="the KYC folder is not writable")


def test_a_kyc_bucket_that_refuses_fails(client, kyc_s3, monkeypatch):  # noqa: F811
    from botocore.exceptions import ClientError

    denied = ClientError({"Error": {"Code": "403"}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "HeadObject")
    with mock.patch("botocore.client.BaseClient._make_api_call", side_effect=denied):
        response = client.get(READY)

    assert response.status_code == 503
    assert states(response) == all_ok_but(storage="unreachable (ClientError)")


def test_a_slow_service_is_given_up_after_its_time_box_and_not_asked_twice(client, monkeypatch):
    """No clock in the assertion: the look-up blocks until the test releases it, so both probes
    answering while it is still blocked shows that neither waited for it."""
    monkeypatch.setattr(checks, "CHECK_TIMEOUT_SECONDS", 0.2)
    calls, finished, release = [], [], threading.Event()

    def slow_exists(storage, name):
        calls.append(name)
        release.wait(timeout=SLOW_SECONDS * 10)
        finished.append(name)
        return False

    monkeypatch.setattr(FileSystemStorage, "exists", slow_exists)
    try:
        first = client.get(READY)
        second = client.get(READY)  # the first look-up is still running: not started again
        still_blocked = not finished
    finally:
        release.set()

    assert still_blocked  # both probes answered before the look-up ended
    for response in (first, second):
        assert response.status_code == 503
        assert states(response) == all_ok_but(storage="timed out after 0.2 s")
    assert calls == [checks.STORAGE_PROBE_NAME]


# --- Helpers ----------------------------------------------------------------------------------------


def closed_port() -> int:
    """A local port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    """A redis-server of this module's own, with a password."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = closed_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--requirepass", PASSWORD, "--save", "", "--appendonly", "no", "--dir", folder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
