"""The middleware the API passes over, and django-csp's header built once (issue 13 §2): the
answers stay what they were."""

import pytest
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from apps.common.csp import CSPMiddleware, settings_policy

pytestmark = pytest.mark.django_db

REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-report/"}}


def headers_of(middleware_class, *, path="/api/users/profile/", status=200, nonce=False, **attributes):
    """The headers ``middleware_class`` gives a fresh response, with ``attributes`` set on it."""
    request = RequestFactory().get(path)
    middleware = middleware_class(lambda request: response)
    middleware.process_request(request)
    if nonce:
        str(request.csp_nonce)
        request._csp_nonce = "fixed-nonce"  # the same on both sides
    response = HttpResponse(status=status)
    for name, value in attributes.items():
        setattr(response, name, value)
    middleware.process_response(request, response)
    return dict(response.headers), request


CASES = [
    {},
    {"path": "/login/"},
    {"nonce": True},
    {"_csp_replace": {"script-src": ["'self'"]}},
    {"_csp_update": {"img-src": ["https://example.com"]}},
    {"_csp_exempt": True},
    {"status": 404},
    {"status": 500},
]


@pytest.mark.parametrize("case", CASES, ids=[str(case) for case in CASES])
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("report_only", [None, REPORT_ONLY])
def test_headers_are_django_csps_own(case, debug, report_only):
    with override_settings(DEBUG=debug, CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):
        ours, _ = headers_of(CSPMiddleware, **case)
        theirs, _ = headers_of(LibraryCSPMiddleware, **case)

    assert ours == theirs


def test_a_changed_policy_setting_is_seen():
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert headers_of(CSPMiddleware)[0]["Content-Security-Policy"] == "default-src 'none'"

    assert "default-src 'self'" in headers_of(CSPMiddleware)[0]["Content-Security-Policy"]
    assert settings_policy(False) == headers_of(CSPMiddleware)[0]["Content-Security-Policy"]


def test_an_excluded_prefix_gets_no_header():
    with override_settings(CONTENT_SECURITY_POLICY={"EXCLUDE_URL_PREFIXES": ["/api/"], "DIRECTIVES": {}}):
        ours, _ = headers_of(CSPMiddleware)
        theirs, _ = headers_of(LibraryCSPMiddleware)

    assert "Content-Security-Policy" not in ours
    assert ours == theirs


def test_a_nonce_asked_for_after_the_header_is_an_error():
    _, request = headers_of(CSPMiddleware)

    with pytest.raises(Exception, match="not available after the CSP header"):
        str(request.csp_nonce)


def test_an_api_request_has_no_session_user_or_messages_before_its_view(investor_api, investor, monkeypatch):
    """DRF sets the token's user; the session user, django-otp's wrapper of it and the flash
    messages are not worked out under /api/."""
    from apps.accounts.api import views

    seen = {}
    original = views.ProfileView.get

    def spy(self, request, *args, **kwargs):
        seen["messages"] = hasattr(request._request, "_messages")
        seen["user"] = request._request.user
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(views.ProfileView, "get", spy)

    response = investor_api.get("/api/users/profile/")

    assert response.status_code == 200
    assert seen == {"messages": False, "user": investor}  # DRF's, not a lazy session user
    assert "Vary" not in response or "Cookie" not in response["Vary"]


def test_pages_still_get_the_session_user_and_messages(client, investor):
    client.force_login(investor)

    response = client.get("/")

    assert response.status_code == 200
    assert response.wsgi_request.user == investor
    assert hasattr(response.wsgi_request, "_messages")
    assert response.wsgi_request.user.is_verified() is False  # django-otp's check is there
