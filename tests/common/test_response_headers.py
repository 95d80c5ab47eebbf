"""No-store on private answers, a Permissions-Policy everywhere, the language cookie's flags."""

import io

import pytest

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_api_answers_are_never_stored(investor_api, api_client):
    assert no_store(investor_api.get("/api/users/profile/"))
    assert no_store(api_client.get("/api/investments/packs/"))
    assert no_store(api_client.post("/api/auth/login/", {}, format="json"))


def test_pages_of_a_signed_in_user_are_never_stored(client, investor):
    client.force_login(investor)

    assert no_store(client.get("/"))


def test_staff_pages_and_exports_are_never_stored(client, superuser):
    client.force_login(superuser)

    assert no_store(client.get("/admin/"))
    assert no_store(client.get("/admin/wallet/deposit/export-csv/"))


def test_every_response_has_a_permissions_policy(client, api_client):
    for response in (client.get("/login/"), api_client.get("/api/investments/packs/")):
        assert response["Permissions-Policy"].startswith("camera=(), microphone=()")


def test_the_language_cookie_is_samesite_lax(client):
    response = client.post("/language/", {"language": "ar", "next": "/"})

    cookie = response.cookies["django_language"]
    assert cookie["samesite"] == "Lax"


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy header as ``{directive: sources}``."""
    directives = (part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    return {name: (rest[0] if rest else "") for name, *rest in directives}


STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def test_portal_pages_and_api_answers_get_the_strict_policy(client, api_client):
    assert policy(client.get("/login/")) == STRICT
    assert policy(api_client.get("/api/investments/packs/")) == STRICT


def test_a_page_that_uses_the_nonce_allows_exactly_that_nonce(api_client):
    response = api_client.get("/api/docs/")

    nonce = response.wsgi_request.csp_nonce
    assert policy(response) == {
        **STRICT,
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
    }
    assert response.content.decode().count(f'nonce="{nonce}"') == 2  # its inline style and script


def test_the_admin_allows_alpine_eval_and_inline_styles_but_no_inline_script(client, superuser):
    client.force_login(superuser)

    assert policy(client.get("/admin/login/")) == {
        **STRICT,
        "script-src": "'self' 'unsafe-eval'",
        "style-src": "'self' 'unsafe-inline'",
    }


def test_a_streamed_kyc_document_keeps_its_own_sandbox_policy(rf):
    from csp.middleware import CSPMiddleware

    from apps.kyc.responses import private_file_response

    def view(request):
        return private_file_response(
            url=None, open_file=lambda: io.BytesIO(b"%PDF-1.4"), content_type="application/pdf", filename="a.pdf"
        )

    response = CSPMiddleware(view)(rf.get("/admin/kyc/document/1/"))

    assert response["Content-Security-Policy"] == "sandbox"


def test_kyc_images_on_s3_may_be_shown_from_the_bucket_only():
    from config.settings.base import kyc_image_origins

    assert kyc_image_origins(bucket="", endpoint_url="", region="eu-west-1") == []
    assert kyc_image_origins(bucket="docs", endpoint_url="", region="eu-west-1") == [
        "https://docs.s3.amazonaws.com",
        "https://docs.s3.eu-west-1.amazonaws.com",
    ]
    assert kyc_image_origins(bucket="docs", endpoint_url="https://minio.internal:9000/x", region="") == [
        "https://minio.internal:9000"
    ]
