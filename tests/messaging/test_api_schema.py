"""The messaging endpoints in the OpenAPI schema: every path (the original client's id-in-the-path
forms too), paginated lists, the Idempotency-Key on the reviews, multipart uploads, the documented
error codes, the nullable support desk id, and a schema that generates without warnings."""

import io

import pytest
from django.core.management import call_command
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/messages/": ["get"],
    "/api/messages/send/": ["post"],
    "/api/messages/mark-read/": ["post"],
    "/api/messages/mark-read/{message_id}/": ["post"],
    "/api/messages/submit-link/": ["post"],
    "/api/messages/submit-link/{message_id}/": ["post"],
    "/api/admin/messages/": ["get"],
    "/api/admin/messages/approve-link/": ["post"],
    "/api/admin/messages/approve-link/{message_id}/": ["post"],
    "/api/admin/messages/reject-link/": ["post"],
    "/api/admin/messages/reject-link/{message_id}/": ["post"],
    "/api/threads/": ["get", "post"],
    "/api/threads/{thread_id}/": ["get"],
    "/api/threads/{thread_id}/reply/": ["post"],
    "/api/threads/{thread_id}/read/": ["post"],
    "/api/threads/{thread_id}/note/": ["post"],
    "/api/threads/{thread_id}/assign/": ["post"],
    "/api/threads/{thread_id}/status/": ["post"],
    "/api/threads/{thread_id}/priority/": ["post"],
    "/api/threads/{thread_id}/category/": ["post"],
    "/api/attachments/{attachment_id}/": ["get"],
    "/api/tasks/": ["get"],
    "/api/tasks/{task_id}/accept/": ["post"],
    "/api/tasks/{task_id}/decline/": ["post"],
    "/api/tasks/{task_id}/submit/": ["post"],
    "/api/notifications/": ["get"],
    "/api/notifications/mark-read/": ["post"],
    "/api/notifications/{notification_id}/dismiss/": ["post"],
    "/api/notifications/preferences/": ["get", "patch"],
}
LISTS = {
    "/api/messages/": "PaginatedConversationMessageList",
    "/api/admin/messages/": "PaginatedAdminMessageList",
    "/api/threads/": "PaginatedThreadRowList",
    "/api/tasks/": "PaginatedTaskList",
    "/api/notifications/": "PaginatedNotificationList",
}
REVIEWS = [
    "/api/admin/messages/approve-link/",
    "/api/admin/messages/approve-link/{message_id}/",
    "/api/admin/messages/reject-link/",
    "/api/admin/messages/reject-link/{message_id}/",
]


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operation(schema, path: str, method: str = "post") -> dict:
    return schema["paths"][path][method]


def codes_of(schema, path: str, status: str, method: str = "post") -> str:
    return operation(schema, path, method)["responses"][status]["description"]


def test_every_messaging_path_is_documented(schema):
    validate(schema)
    for path, methods in PATHS.items():
        assert sorted(schema["paths"][path]) == sorted(methods), path


def test_the_lists_are_paginated(schema):
    for path, component in LISTS.items():
        get = operation(schema, path, "get")
        assert {"page", "page_size"} <= {p["name"] for p in get["parameters"]}, path
        assert get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] == (
            f"#/components/schemas/{component}"
        )
    threads = {p["name"]: p for p in operation(schema, "/api/threads/", "get")["parameters"]}
    assert sorted(threads["queue"]["schema"]["enum"]) == ["", "all", "breached", "mine", "unassigned", "waiting_staff"]
    assert {"status", "priority", "category", "search"} <= set(threads)
    admin = {p["name"] for p in operation(schema, "/api/admin/messages/", "get")["parameters"]}
    assert {"link_status", "thread_id", "kind"} <= admin


def test_the_reviews_take_an_idempotency_key(schema):
    for path in REVIEWS:
        headers = [p["name"] for p in operation(schema, path)["parameters"] if p["in"] == "header"]
        # An approval pays the reward: it also takes the step-up code (staff 2FA); a rejection not.
        step_up = ["X-OTP"] if "/approve-link/" in path else []
        assert headers == ["Idempotency-Key", *step_up], path
        assert "`idempotency_key_reused`" in codes_of(schema, path, "409"), path


def test_the_path_forms_take_their_id_in_the_path(schema):
    for path in [p for p in PATHS if "{message_id}" in p]:
        parameters = [p for p in operation(schema, path)["parameters"] if p["in"] == "path"]
        assert [(p["name"], p["schema"]["type"]) for p in parameters] == [("message_id", "integer")], path
    body = operation(schema, "/api/messages/submit-link/{message_id}/")["requestBody"]["content"]
    assert set(body["application/json"]["schema"]["$ref"].split("/")[-1:]) == {"SubmitLinkPathRequest"}


def test_uploads_are_multipart(schema):
    for path in ("/api/threads/", "/api/threads/{thread_id}/reply/"):
        content = operation(schema, path)["requestBody"]["content"]
        assert set(content) == {"application/json", "multipart/form-data"}
        component = content["multipart/form-data"]["schema"]["$ref"].split("/")[-1]
        files = schema["components"]["schemas"][component]["properties"]["attachments"]
        assert files["items"] == {"type": "string", "format": "binary"}
    attachment = operation(schema, "/api/attachments/{attachment_id}/", "get")["responses"]
    assert set(attachment["200"]["content"]) == {"image/jpeg", "image/png", "application/pdf"}
    assert "302" in attachment and "404" in attachment


def test_error_codes_are_documented(schema):
    expected = {
        ("/api/messages/send/", "400"): ["recipient_not_allowed", "subject_required", "message_too_long"],
        ("/api/messages/send/", "403"): ["permission_denied"],
        ("/api/messages/send/", "409"): ["thread_closed"],
        ("/api/messages/send/", "429"): ["throttled"],
        ("/api/messages/submit-link/", "400"): ["invalid_link", "link_required"],
        ("/api/messages/submit-link/", "409"): ["task_declined", "task_expired", "proof_pending", "already_approved"],
        ("/api/admin/messages/approve-link/", "403"): ["permission_denied", "own_request", "four_eyes_required"],
        ("/api/admin/messages/approve-link/", "409"): ["not_submitted", "already_reviewed", "budget_exhausted"],
        ("/api/admin/messages/reject-link/", "400"): ["reason_required"],
        ("/api/threads/", "400"): ["too_many_files", "file_too_large", "file_type_invalid", "recipient_is_staff"],
        ("/api/threads/{thread_id}/reply/", "409"): ["thread_closed"],
        ("/api/threads/{thread_id}/assign/", "400"): ["invalid_assignee"],
        ("/api/tasks/{task_id}/accept/", "409"): ["already_answered", "task_expired"],
        ("/api/notifications/{notification_id}/dismiss/", "400"): ["not_dismissible"],
    }
    for (path, status), codes in expected.items():
        description = codes_of(schema, path, status)
        for code in codes:
            assert f"`{code}`" in description, (path, status, code)


def test_the_support_desk_has_no_id(schema):
    party = schema["components"]["schemas"]["Party"]["properties"]
    assert party["id"]["nullable"] is True
    message = schema["components"]["schemas"]["ConversationMessage"]["properties"]
    assert {"sender", "recipient", "offer_platform", "reward", "thread_id", "kind", "user", "attachments"} <= set(
        message
    )
    assert message["reward"]["nullable"] is True
    assert schema["components"]["schemas"]["LinkStatus"]["enum"] == ["", "pending", "approved", "rejected"]


def test_the_schema_generates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO(), stderr=io.StringIO())


def test_the_schema_says_what_the_lists_and_searches_refuse(schema):
    """Schemathesis holds the API to these: an empty `ids` is refused, so is a search past 200."""
    mark_read = schema["components"]["schemas"]["NotificationMarkReadRequest"]["properties"]["ids"]
    assert (mark_read["minItems"], mark_read["maxItems"]) == (1, 100)
    threads = {p["name"]: p for p in operation(schema, "/api/threads/", "get")["parameters"]}
    assert threads["search"]["schema"] == {"type": "string", "maxLength": 200}
