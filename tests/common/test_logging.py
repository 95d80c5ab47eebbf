"""Logs (issue 12 §3): one line per request with its request id, user id, method, path, status
and duration, valid JSON in the json format and readable lines in the plain one; the request id
taken from a sane X-Request-ID (else a new one), echoed on every response and carried into the
Celery tasks the request enqueues; no password, token or query string in any line."""

import json
import logging
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
import structlog
from celery.signals import task_prerun
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django_structlog.celery.receivers import CeleryReceiver
from django_structlog.celery.steps import DjangoStructLogInitStep

from apps.accounts import tokens
from apps.common.logging import logging_settings, request_id_clean
from tests.factories import DEFAULT_PASSWORD
from tests.workers.test_worker import start_worker
from workers import celery_app
from workers.models import Heartbeat

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
PROFILE = "/api/users/profile/"
LOGIN = "/api/auth/login/"
FORGOT = "/api/auth/forgot-password/"
UPSTREAM_ID = "7f9c2ba4-e88f-41c5-9f7b-0c2f4e1d5a3b"


def request_line(logs) -> dict:
    """The one request line, with its timestamp and duration checked for shape and left out."""
    [line] = logs("bursar.request")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", line.pop("timestamp"))
    assert isinstance(line.pop("duration_ms"), float)
    return line


def is_new_uuid(value: str) -> bool:
    return value != UPSTREAM_ID and uuid.UUID(value).version == 4


# --- The request line -------------------------------------------------------------------------------


def test_one_json_line_per_request_with_its_fields(investor_api, investor, logs):
    response = investor_api.get(PROFILE, HTTP_X_REQUEST_ID=UPSTREAM_ID)

    assert response.status_code == 200
    assert request_line(logs) == {
        "event": "request",
        "level": "info",
        "logger": "bursar.request",
        "request_id": UPSTREAM_ID,
        "user_id": investor.pk,
        "method": "GET",
        "path": PROFILE,
        "status": 200,
        "ip": "127.0.0.1",
    }
    assert [line["event"] for line in logs("django_structlog.middlewares.request")] == []  # no request_started


def test_an_anonymous_refused_request_is_a_warning_without_user(client, logs):
    response = client.get(PROFILE, HTTP_X_REQUEST_ID=UPSTREAM_ID)

    assert response.status_code == 401
    assert request_line(logs) == {
        "event": "request",
        "level": "warning",
        "logger": "bursar.request",
        "request_id": UPSTREAM_ID,
        "user_id": None,
        "method": "GET",
        "path": PROFILE,
        "status": 401,
        "ip": "127.0.0.1",
    }
    assert logs("django.request") == []  # the request line says it once


def test_the_query_string_is_never_written(investor_api, logs):
    investor_api.get(f"{PROFILE}?access_token=leaky-token-123&next=/x")

    line = request_line(logs)
    assert line["path"] == PROFILE
    assert "leaky-token-123" not in json.dumps(logs())


def test_a_token_in_the_path_is_redacted(client, investor, logs):
    token = tokens.password_reset_token_make(user=investor)

    client.get(f"/password/reset/{token}/")

    assert request_line(logs)["path"] == "/password/reset/[redacted]/"
    assert token not in json.dumps(logs())


@pytest.mark.parametrize("path", [LOGIN, "/login/"], ids=["api", "portal"])
def test_a_login_never_writes_the_password_or_the_tokens(client, investor, logs, path):
    body = {"email": investor.email, "password": DEFAULT_PASSWORD}
    if path == LOGIN:
        response = client.post(path, body, content_type="application/json")
        secrets = [DEFAULT_PASSWORD, response.json()["access"], response.json()["refresh"]]
        expected = (200, None)  # the API login itself is anonymous: it hands out tokens
    else:
        response = client.post(path, {"username": investor.email, "password": DEFAULT_PASSWORD})
        secrets = [DEFAULT_PASSWORD, response.cookies["sessionid"].value]
        expected = (302, investor.pk)  # signed in by the time the line is written

    written = json.dumps(logs())
    assert [secret for secret in secrets if secret in written] == []
    line = request_line(logs)
    assert (line["status"], line["user_id"]) == expected


def test_a_wrong_password_is_not_written_either(client, investor, logs):
    response = client.post(
        LOGIN, {"email": investor.email, "password": "Wr0ng-pa55word!"}, content_type="application/json"
    )

    assert response.status_code == 401
    assert "Wr0ng-pa55word!" not in json.dumps(logs())
    assert request_line(logs)["status"] == 401


def test_fields_named_like_secrets_are_redacted_whoever_logs_them(logs):
    structlog.get_logger("bursar.test").info("signed_in", password="p4ss", access_token="t0k", otp="123456", user=7)

    [line] = logs("bursar.test")
    assert {key: line[key] for key in ("password", "access_token", "otp", "user")} == {
        "password": "[redacted]",
        "access_token": "[redacted]",
        "otp": "[redacted]",
        "user": 7,
    }


def test_a_server_error_is_one_error_line_with_the_exception_name(logs):
    client = Client(raise_request_exception=False)
    with mock.patch("apps.health.views.readiness_check", side_effect=RuntimeError("boom")):
        response = client.get("/health/ready", HTTP_X_REQUEST_ID=UPSTREAM_ID)

    assert (response.status_code, response["X-Request-ID"]) == (500, UPSTREAM_ID)
    assert request_line(logs) == {
        "event": "request",
        "level": "error",
        "logger": "bursar.request",
        "request_id": UPSTREAM_ID,
        "user_id": None,
        "method": "GET",
        "path": "/health/ready",
        "status": 500,
        "ip": "127.0.0.1",
        "error": "RuntimeError",
    }
    [django_line] = logs("django.request")  # Django's own line has the traceback, and the same id
    assert (django_line["request_id"], django_line["level"]) == (UPSTREAM_ID, "error")
    assert "RuntimeError: boom" in django_line["exception"]


def test_probe_lines_are_debug_so_polling_does_not_flood_the_log(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/health/live")

    assert response.status_code == 200
    assert [record for record in caplog.records if record.name == "bursar.request"] == []


# --- The request id ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [PROFILE, "/health/live", "/no-such-page/", "/login/"])
def test_a_sane_request_id_is_echoed_on_every_response(client, path):
    response = client.get(path, HTTP_X_REQUEST_ID=UPSTREAM_ID)

    assert response["X-Request-ID"] == UPSTREAM_ID


@pytest.mark.parametrize(
    "incoming",
    ["", " ", "a" * 129, "abc def", "abc\ndef", "abc\r\nSet-Cookie: x=1", "<script>", "-leading-dash", "١٢٣"],
    ids=["empty", "space", "129 chars", "inner space", "newline", "header injection", "markup", "dash", "non-ascii"],
)
def test_a_request_id_that_is_not_sane_is_replaced_by_a_new_one(client, logs, incoming):
    response = client.get("/health/live", HTTP_X_REQUEST_ID=incoming)

    assert is_new_uuid(response["X-Request-ID"])
    assert request_line(logs)["request_id"] == response["X-Request-ID"]


def test_without_a_request_id_each_request_gets_its_own(client):
    first, second = client.get("/health/live"), client.get("/health/live")

    assert is_new_uuid(first["X-Request-ID"]) and is_new_uuid(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize(
    "incoming", ["a", "A" * 128, "01HZX3K5Q9R7T2V4W6Y8Z0B1C3", "1-67891233-abcdef012345678912345678", "svc.web:42_x"]
)
def test_request_id_clean_keeps_ids_of_the_usual_shapes(incoming):
    assert request_id_clean(incoming) == incoming


# --- Into the Celery tasks the request enqueues -------------------------------------------------------


# Transactions really commit in these two: the task is enqueued when the request's transaction
# commits, while the request is still being answered (as in production).
@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_by_a_request_runs_with_its_request_id(client, investor):
    seen = []

    def remember(task=None, **kwargs):
        seen.append((task.name, structlog.contextvars.get_contextvars().get("request_id")))

    task_prerun.connect(remember)
    try:
        response = client.post(
            FORGOT, {"email": investor.email}, content_type="application/json", HTTP_X_REQUEST_ID=UPSTREAM_ID
        )
    finally:
        task_prerun.disconnect(remember)

    assert response.status_code == 200
    assert seen == [("apps.accounts.tasks.password_reset_email_send_task", UPSTREAM_ID)]
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_published_task_carries_the_request_id_in_its_headers(client, investor, monkeypatch, logs):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    with mock.patch("kombu.messaging.Producer.publish") as publish:
        client.post(FORGOT, {"email": investor.email}, content_type="application/json", HTTP_X_REQUEST_ID=UPSTREAM_ID)

    [call] = publish.call_args_list
    context = call.kwargs["headers"]["__django_structlog__"]
    assert (context["request_id"], context["user_id"]) == (UPSTREAM_ID, None)
    [enqueued] = [line for line in logs() if line["event"] == "task_enqueued"]
    assert (enqueued["request_id"], enqueued["child_task_name"]) == (
        UPSTREAM_ID,
        "apps.accounts.tasks.password_reset_email_send_task",
    )


def test_the_worker_binds_the_request_id_from_the_task_headers(logs):
    assert DjangoStructLogInitStep in celery_app.steps["worker"]
    request = SimpleNamespace(**{"__django_structlog__": {"request_id": UPSTREAM_ID, "user_id": 5}})
    task = SimpleNamespace(name="apps.accounts.tasks.password_reset_email_send_task", request=request)
    try:
        CeleryReceiver().receiver_task_prerun("task-1", task)
        structlog.get_logger("bursar.test").info("inside_the_task")
    finally:
        structlog.contextvars.clear_contextvars()

    [line] = logs("bursar.test")
    assert (line["request_id"], line["user_id"], line["task_id"]) == (UPSTREAM_ID, 5, "task-1")


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_the_task_with_the_request_id_it_was_sent_with():
    queue = f"test-{uuid.uuid4().hex[:12]}"
    with structlog.contextvars.bound_contextvars(request_id=UPSTREAM_ID):  # as inside a request
        celery_app.send_task("workers.tasks.scheduler_heartbeat_task", queue=queue)  # never eager
    worker = start_worker(queue)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Heartbeat.objects.exists():
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.3)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)

    started = [line for line in output.splitlines() if " task_started " in line]
    assert len(started) == 1, output
    assert f"request_id={UPSTREAM_ID}" in started[0]
    assert "task=workers.tasks.scheduler_heartbeat_task" in started[0]


# --- Formats ---------------------------------------------------------------------------------------


def log_one_line(settings_module: str, **env) -> str:
    """What a fresh process configured by ``settings_module`` writes for one structlog line."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "LOG_"))}
    script = "import django, structlog; django.setup(); structlog.get_logger('bursar.test').info('hello', answer=42)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.strip()


PLAIN = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z \[info\s*\] hello\s+\[bursar\.test\] answer=42")


def test_development_writes_plain_lines(tmp_path):
    assert PLAIN.fullmatch(log_one_line("config.settings.dev", BURSAR_VAR_DIR=str(tmp_path)))


def test_production_writes_json_lines(tmp_path):
    output = log_one_line(
        "config.settings.prod",
        BURSAR_VAR_DIR=str(tmp_path),
        DJANGO_SECRET_KEY="k3v$-not-a-real-secret-but-long-and-random-enough-9f8a7d6c5b4e3f2a1b0c9d8e7f6a",
        DJANGO_ALLOWED_HOSTS="bursar.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    line = json.loads(output)
    assert isinstance(line.pop("timestamp"), str)
    assert line == {"event": "hello", "answer": 42, "level": "info", "logger": "bursar.test"}


def test_log_format_switches_either_way(tmp_path):
    assert (
        json.loads(log_one_line("config.settings.dev", BURSAR_VAR_DIR=str(tmp_path), LOG_FORMAT="json"))["answer"] == 42
    )


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ImproperlyConfigured) as error:
        logging_settings(log_format="xml", level="INFO")

    assert str(error.value) == "LOG_FORMAT must be one of json, plain; got 'xml'."
