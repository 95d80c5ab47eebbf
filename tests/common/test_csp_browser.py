"""The Content-Security-Policy in a real browser (Debian's Chromium through Playwright): the admin,
the investor portal and the Swagger UI, on the demo data, load and work under the policy the server
sends, with no ``securitypolicyviolation`` event, no refused-resource console error and no script
error on any page walked."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from apps.investments.models import Plan
from apps.messaging.models import Thread
from apps.wallet.models import Deposit
from tests.backoffice.investor360_history import roles_restore
from tests.factories import StaffFactory
from tests.mfa import FORCE_LOGIN, session_verify, staff_device

# Installed before any page script: every violation the page meets is kept on window.
VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""
INVESTOR = ("investor@bursar.local", "bursar-investor-2026")
STAFF_EMAIL = "admin@bursar.local"


class Watcher:
    """A browser context whose pages report CSP violations, console errors and script errors."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        self.context.add_init_script(VIOLATION_LISTENER)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.page.url}: script error {error}"))

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"{self.page.url}: console error {message.text}")

    def visit(self, path: str):
        response = self.page.goto(f"{self.base_url}{path}")
        self.page.wait_for_load_state("networkidle")
        assert response.status == 200, (path, response.status)
        assert self.page.url == f"{self.base_url}{path}", f"{path} went to {self.page.url}"
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        self.collect()
        return response

    def collect(self) -> None:
        self.page.wait_for_load_state("networkidle")
        violations = self.page.evaluate("() => window.__cspViolations || []")
        self.problems.extend(f"{self.page.url}: {violation}" for violation in violations)

    def sign_in_with_session(self, user, *, verified: bool = True) -> None:
        """Signs ``user`` in by handing the browser a server-made session, its second factor
        verified by the staff member's confirmed device (as the code step does) unless told not."""
        client = Client()
        FORCE_LOGIN(client, user)
        if verified:
            session_verify(client, user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.base_url}])

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def demo(kyc_storage):
    roles_restore()  # a transactional test before this one emptied the roles' groups
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return get_user_model().objects


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_works_under_the_content_security_policy(live_server, browser, demo):
    investor = demo.get(email=INVESTOR[0])
    deposit = Deposit.objects.order_by("pk").first()
    thread = Thread.objects.order_by("pk").first()
    watcher = Watcher(browser, live_server.url)

    watcher.visit("/admin/login/")
    watcher.sign_in_with_session(demo.get(email=STAFF_EMAIL))
    watcher.visit("/admin/")
    watcher.visit("/admin/wallet/deposit/?status__exact=pending")
    watcher.page.locator("#changelist-search input, input[name=q]").first.fill("investor")
    with watcher.page.expect_navigation():
        watcher.page.keyboard.press("Enter")
    watcher.collect()
    watcher.visit(f"/admin/wallet/deposit/{deposit.pk}/change/")  # the deposit review page
    watcher.visit(f"/admin/accounts/user/{investor.pk}/change/")  # the investor 360
    watcher.visit(f"/admin/investments/plan/{Plan.objects.order_by('pk').first().pk}/change/")
    watcher.visit("/admin/messaging/thread/")
    watcher.visit(f"/admin/messaging/thread/{thread.pk}/change/")
    watcher.visit("/admin/constance/config/")  # runtime settings
    watcher.visit("/admin/controls/settingchange/")
    watcher.close()

    assert watcher.problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_two_factor_pages_work_under_the_content_security_policy(live_server, browser, demo):
    newcomer = StaffFactory(email="new.staff@bursar.example")
    watcher = Watcher(browser, live_server.url)

    watcher.sign_in_with_session(newcomer, verified=False)
    watcher.visit("/admin/mfa/enrol/")  # its QR code is an inline SVG
    watcher.context.clear_cookies()
    watcher.sign_in_with_session(demo.get(email=STAFF_EMAIL), verified=False)
    staff_device(demo.get(email=STAFF_EMAIL))
    watcher.visit("/admin/mfa/verify/")
    watcher.close()

    assert watcher.problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_portal_works_under_the_content_security_policy(live_server, browser, demo):
    thread = Thread.objects.filter(investor__email=INVESTOR[0]).order_by("pk").first()
    watcher = Watcher(browser, live_server.url)

    watcher.visit("/login/")
    watcher.page.fill("#id_username", INVESTOR[0])
    watcher.page.fill("#id_password", INVESTOR[1])
    watcher.page.click("main button[type=submit]")
    watcher.page.wait_for_url(f"{live_server.url}/")
    watcher.collect()
    for path in (
        "/",
        "/wallet/",
        "/wallet/deposit/",
        "/messages/",
        f"/messages/{thread.pk}/",
        "/kyc/",
        "/plans/",
        "/profile/security/",
        "/profile/security/setup/",  # the optional authenticator app: a QR code
    ):
        watcher.visit(path)
    watcher.page.set_viewport_size({"width": 390, "height": 844})
    watcher.visit("/")
    watcher.page.click("label.menu-button")  # the phone menu opens without inline code
    watcher.collect()
    watcher.close()

    assert watcher.problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_swagger_ui_renders_its_operations_under_the_content_security_policy(live_server, browser):
    watcher = Watcher(browser, live_server.url)

    response = watcher.visit("/api/docs/")
    watcher.page.wait_for_selector(".opblock")
    operations = watcher.page.locator(".opblock").count()
    watcher.page.locator(".opblock-summary").first.click()
    watcher.page.wait_for_selector(".opblock-body")
    watcher.collect()
    watcher.close()

    assert "'nonce-" in response.headers["content-security-policy"]
    assert operations > 50
    assert watcher.problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_watcher_sees_a_violation(live_server, browser):
    watcher = Watcher(browser, live_server.url)
    watcher.visit("/login/")

    watcher.page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=\"https://example.invalid/x.png\">')"
    )
    watcher.page.wait_for_function("() => window.__cspViolations.length > 0")
    watcher.collect()
    watcher.close()

    assert watcher.problems == [
        f"{live_server.url}/login/: console error Loading the image 'https://example.invalid/x.png' violates the "
        "following Content Security Policy directive: \"img-src 'self' data:\". The action has been blocked.",
        f"{live_server.url}/login/: img-src blocked https://example.invalid/x.png at :0",
    ]
