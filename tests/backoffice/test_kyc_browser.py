"""One real browser (Debian's Chromium through Playwright) through a KYC review: a member of the KYC
review role signs in to the admin, finds the waiting submission in the queue, sees its documents
load, approves it, and the investor is verified."""

import pytest
from django.contrib.auth.models import Group, Permission

from apps.accounts import roles
from apps.kyc.models import DocumentAccess, SubmissionStatus
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from tests.kyc.helpers import submit
from tests.mfa import admin_code_for

REVIEW_PERMISSIONS = ("view_user", "view_submission", "review_submission", "view_document", "view_documentaccess")


def kyc_reviewer(email: str):
    """A staff member in the KYC review role. (A transactional test may run after another has
    emptied the tables, roles included: the role is made here if it is missing.)"""
    group, _ = Group.objects.get_or_create(name=roles.KYC_REVIEW)
    group.permissions.add(*Permission.objects.filter(codename__in=REVIEW_PERMISSIONS))
    user = StaffFactory(email=email)
    user.groups.add(group)
    return user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reviewer_sees_the_documents_and_approves_the_submission(live_server, page, kyc_storage):
    investor = UserFactory(email="amina@example.com")
    submission = submit(investor)
    reviewer = kyc_reviewer("reviewer@bursar.example")

    page.goto(f"{live_server.url}/admin/")
    page.fill("input[name=username]", "reviewer@bursar.example")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.fill("input[name=otp]", admin_code_for(reviewer.email))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    # The queue, from the sidebar: one submission waiting.
    page.click("a[href='/admin/kyc/submission/']")
    page.wait_for_url(f"{live_server.url}/admin/kyc/submission/")
    assert page.locator("#kyc-count-pending").inner_text() == "1"
    row = page.locator("#result_list tbody tr")
    assert row.count() == 1
    assert "amina@example.com" in row.inner_text()
    assert row.locator("td.field-display_status").text_content().strip() == "Pending review"

    # The review page: the typed data beside the three documents, each image loaded.
    change_url = f"/admin/kyc/submission/{submission.pk}/change/"
    page.click(f"#result_list a[href='{change_url}']")
    page.wait_for_url(f"{live_server.url}{change_url}")
    assert "Amina Haddad" in page.locator("#content-main").inner_text()
    images = page.locator("#kyc-documents img")
    assert images.count() == 3
    page.wait_for_function(
        "() => [...document.querySelectorAll('#kyc-documents img')].every(img => img.complete && img.naturalWidth > 0)"
    )
    assert images.evaluate_all("images => images.map(img => img.naturalWidth)") == [64, 64, 64]
    assert DocumentAccess.objects.filter(staff=reviewer, via="admin").count() == 3

    # Approve, with a note.
    page.click(f"a[href='/admin/kyc/submission/{submission.pk}/approve_detail/']")
    page.fill("#dialog textarea[name=note]", "Checked against the photo")
    page.click("#dialog button[type=submit]")
    page.wait_for_selector("text=The submission was approved: the investor's identity is verified.")

    submission.refresh_from_db()
    investor.refresh_from_db()
    assert (submission.status, submission.reviewed_by, submission.admin_note) == (
        SubmissionStatus.APPROVED,
        reviewer,
        "Checked against the photo",
    )
    assert investor.kyc_status == "approved"
