"""The KYC admin: the queue (order, counters, filters, constant queries), the read-only review page,
the permission-checked and logged document view, approve and reject through the services from the
review page's dialogs, the read-only access log, the sidebar badge and the dashboard link. Every
refusal changes nothing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts import roles
from apps.accounts.models import User
from apps.backoffice.navigation import sidebar_navigation
from apps.kyc.models import Document, DocumentAccess, RejectionReason, Submission, SubmissionStatus
from apps.kyc.selectors import KycCounts
from apps.kyc.services import kyc_submission_reject
from apps.messaging.models import Notification
from tests.backoffice.conftest import staff_with_role
from tests.factories import UserFactory
from tests.kyc.helpers import pdf_bytes, submit, submit_and_approve, upload

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/kyc/submission/"
ACCESSES = "/admin/kyc/documentaccess/"
USER_AGENT = "Mozilla/5.0 (reviewer test)"


def change_url(submission) -> str:
    return reverse("admin:kyc_submission_change", args=(submission.pk,))


def detail_url(submission, action: str) -> str:
    return reverse(f"admin:kyc_submission_{action}", args=(submission.pk,))


def document_url(document) -> str:
    return reverse("admin:kyc_document_view", args=(document.pk,))


def messages_on(client, url: str = CHANGELIST) -> list[str]:
    return [str(message) for message in client.get(url).context["messages"]]


def listed(client, query: str = "") -> list[int]:
    response = client.get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    return [submission.pk for submission in response.context["cl"].result_list]


def submitted_ago(submission, **delta) -> Submission:
    Submission.objects.filter(pk=submission.pk).update(submitted_at=timezone.now() - timedelta(**delta))
    submission.refresh_from_db()
    return submission


def reject(submission, reviewer, reason=RejectionReason.UNREADABLE, note="") -> Submission:
    return kyc_submission_reject(submission_id=submission.pk, actor=reviewer, reason=reason, note=note)


def review_state(submission) -> tuple:
    submission.refresh_from_db()
    return (
        submission.status,
        submission.reviewed_by_id,
        submission.rejection_reason,
        submission.admin_note,
        submission.user.kyc_status,
    )


def notifications(user) -> list[tuple]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", "title", "body", "link"))


@pytest.fixture
def queue(kyc_storage, kyc_reviewer):
    """Two pending (3 and 1 days old), one rejected (2 days), one approved (5 days)."""
    old_pending = submitted_ago(submit(UserFactory(email="old.pending@example.com")), days=3)
    new_pending = submitted_ago(submit(UserFactory(email="new.pending@example.com"), full_name="Omar Khalil"), days=1)
    rejected = reject(submit(UserFactory(email="rejected@example.com"), country="Egypt"), kyc_reviewer)
    rejected = submitted_ago(rejected, days=2)
    approved = submit_and_approve(UserFactory(email="approved@example.com"), reviewer=kyc_reviewer)
    approved = submitted_ago(approved, days=5)
    return {"old_pending": old_pending, "new_pending": new_pending, "rejected": rejected, "approved": approved}


# --- queue ------------------------------------------------------------------------------------------


def test_pending_come_first_oldest_waiting_first_then_the_reviewed_newest_first(queue, kyc_reviewer, admin_client_for):
    assert listed(admin_client_for(kyc_reviewer)) == [
        queue["old_pending"].pk,
        queue["new_pending"].pk,
        queue["rejected"].pk,
        queue["approved"].pk,
    ]


def test_counters_above_the_queue(queue, kyc_reviewer, admin_client_for):
    response = admin_client_for(kyc_reviewer).get(CHANGELIST)
    assert response.context["kyc_counts"] == KycCounts(
        pending=2, approved=1, rejected=1, oldest_pending_at=queue["old_pending"].submitted_at
    )
    assert 'id="kyc-count-pending">2</span>' in response.text
    assert 'id="kyc-count-approved">1</span>' in response.text
    assert 'id="kyc-count-rejected">1</span>' in response.text
    assert "waiting 3\xa0days" in response.text


def test_queue_columns(queue, kyc_reviewer, admin_client_for):
    client = admin_client_for(kyc_reviewer)
    response = client.get(CHANGELIST)
    model_admin = response.context["cl"].model_admin
    old, approved = queue["old_pending"], queue["approved"]
    assert model_admin.display_status(old) == ("pending", "Pending review")
    assert model_admin.display_status(approved) == ("approved", "Approved")
    assert model_admin.display_waiting(old) == '<span class="whitespace-nowrap">3\xa0days</span>'
    assert model_admin.display_waiting(approved) == "-"
    assert model_admin.display_reviewed_by(old) == "-"
    assert model_admin.display_reviewed_by(approved) == kyc_reviewer.email
    assert f'href="/admin/accounts/user/{old.user_id}/change/"' in response.text
    assert "Amina Haddad" in response.text
    assert "Passport" in response.text


def test_search_and_filters(queue, kyc_reviewer, admin_client_for):
    client = admin_client_for(kyc_reviewer)
    old, new, rejected, approved = queue["old_pending"], queue["new_pending"], queue["rejected"], queue["approved"]
    assert listed(client, "q=new.pending@") == [new.pk]
    assert listed(client, "q=omar") == [new.pk]
    assert sorted(listed(client, "q=p1234567")) == sorted([old.pk, new.pk, rejected.pk, approved.pk])  # exact, any case
    assert listed(client, "q=P12345") == []  # a part of an ID number matches nothing
    assert listed(client, "status__exact=pending") == [old.pk, new.pk]
    assert listed(client, "status__exact=rejected") == [rejected.pk]
    assert listed(client, "id_type__exact=national_id") == []
    assert listed(client, "country__icontains=egy") == [rejected.pk]
    two_days_ago = (timezone.localdate() - timedelta(days=2)).isoformat()
    assert listed(client, f"submitted_at_from={two_days_ago}") == [new.pk, rejected.pk]
    assert listed(client, f"submitted_at_to={two_days_ago}") == [old.pk, rejected.pk, approved.pk]
    assert listed(client, f"reviewed_by__id__exact={kyc_reviewer.pk}") == [rejected.pk, approved.pk]
    assert listed(client, f"user__id__exact={old.user_id}") == [old.pk]


def test_queue_query_count_does_not_grow(kyc_storage, kyc_reviewer, admin_client_for):
    client = admin_client_for(kyc_reviewer)
    client.get(CHANGELIST)  # warm caches (content types, permissions)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(CHANGELIST).status_code == 200
        return len(context.captured_queries)

    submit_and_approve(UserFactory(), reviewer=kyc_reviewer)
    one = queries()
    for index in range(9):
        if index % 3:
            submit(UserFactory())
        else:
            reject(submit(UserFactory()), kyc_reviewer)
    assert Submission.objects.count() == 10
    assert queries() == one


def test_no_add_change_delete_or_bulk_action(queue, kyc_reviewer, admin_client_for, unchanged_db):
    submission = queue["old_pending"]
    client = admin_client_for(kyc_reviewer)
    response = client.get(CHANGELIST)
    assert response.context["has_add_permission"] is False
    assert response.context["cl"].model_admin.get_actions(response.wsgi_request) == {}
    with unchanged_db():
        assert client.get(f"{CHANGELIST}add/").status_code == 403
        assert client.post(change_url(submission), {"status": "approved", "full_name": "X"}).status_code == 403
        assert client.post(f"{CHANGELIST}{submission.pk}/delete/", {"post": "yes"}).status_code == 403
        response = client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [str(submission.pk)]})
        assert response.status_code == 200  # no actions: the list is shown again


# --- review page -----------------------------------------------------------------------------------


def test_review_page_shows_the_data_beside_the_documents(kyc_storage, kyc_reviewer, admin_client_for):
    investor = UserFactory(email="amina@example.com")
    submission = submit(investor, id_type="national_id")
    documents = list(submission.documents.order_by("id"))
    response = admin_client_for(kyc_reviewer).get(change_url(submission))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    today = timezone.localdate()
    age = today.year - 1990 - ((today.month, today.day) < (5, 17))
    assert response.context["adminform"].model_admin.display_date_of_birth(submission) == f"17 May 1990 (age {age})"
    for text in ("Amina Haddad", f"17 May 1990 (age {age})", "Jordan", "National ID card", "P1234567", "amina@example"):
        assert text in response.text
    assert [document.side for document in response.context["documents"]] == ["id_front", "id_back", "selfie"]
    for document in documents:
        assert f'<img src="{document_url(document)}"' in response.text
        assert f'<a href="{document_url(document)}" target="_blank"' in response.text
    assert [action["title"] for action in response.context["actions_detail"]] == ["Approve", "Reject"]
    assert DocumentAccess.objects.count() == 0  # the page itself shows no file


def test_a_pdf_is_a_link_not_an_image(kyc_storage, kyc_reviewer, admin_client_for):
    submission = submit(UserFactory(), id_front_image=upload(pdf_bytes(), "front.pdf", "application/pdf"))
    front = submission.documents.get(side="id_front")
    response = admin_client_for(kyc_reviewer).get(change_url(submission))
    assert f'<img src="{document_url(front)}"' not in response.text
    assert f'<a href="{document_url(front)}" target="_blank"' in response.text
    assert "Open the PDF in a new tab" in response.text


def test_review_page_lists_the_investors_history_and_the_access_log(kyc_storage, kyc_reviewer, admin_client_for):
    investor = UserFactory()
    first = reject(submit(investor), kyc_reviewer, reason=RejectionReason.OTHER, note="Glare on the photo")
    second = submit(investor)
    client = admin_client_for(kyc_reviewer)
    front = second.documents.get(side="id_front")
    client.get(document_url(front), REMOTE_ADDR="203.0.113.9")
    response = client.get(change_url(second))
    history = [(row["submission"].pk, row["submission"].status) for row in response.context["history"]]
    assert history == [(second.pk, "pending"), (first.pk, "rejected")]
    assert "Other (see the note)" in response.text
    assert "Glare on the photo" in response.text
    assert f'href="{change_url(first)}"' in response.text
    accesses = [(access.staff_id, access.document_id, access.ip_address) for access in response.context["accesses"]]
    assert accesses == [(kyc_reviewer.pk, front.pk, "203.0.113.9")]
    assert f'href="{ACCESSES}?document__submission__id={second.pk}"' in response.text

    # The first submission is reviewed: no actions, its own documents, the same history.
    response = client.get(change_url(first))
    assert response.context["actions_detail"] == []
    assert response.context["accesses"] == []
    assert [document.submission_id for document in response.context["documents"]] == [first.pk] * 3


def test_staff_without_the_document_permission_see_the_data_but_no_documents(
    queue, support, admin_client_for, unchanged_db
):
    submission = queue["old_pending"]
    client = admin_client_for(support)
    response = client.get(change_url(submission))
    assert response.status_code == 200
    assert response.context["documents"] == []
    assert "<img " not in response.text.split('id="kyc-documents"')[1]
    assert 'id="kyc-documents-hidden"' in response.text
    assert response.context["actions_detail"] == []
    assert 'id="kyc-accesses"' not in response.text
    with unchanged_db():
        for document in submission.documents.all():
            assert client.get(document_url(document)).status_code == 403


# --- document view -----------------------------------------------------------------------------------


def test_document_is_streamed_with_private_headers_and_each_view_is_logged(kyc_storage, kyc_reviewer, admin_client_for):
    submission = submit(UserFactory())
    front = submission.documents.get(side="id_front")
    client = admin_client_for(kyc_reviewer)
    stored = (kyc_storage / front.object_name).read_bytes()

    response = client.get(document_url(front), HTTP_USER_AGENT=USER_AGENT)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == f'inline; filename="kyc-{submission.pk}-id_front.jpg"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert list(DocumentAccess.objects.values_list("document_id", "staff_id", "ip_address", "user_agent", "via")) == [
        (front.pk, kyc_reviewer.pk, "127.0.0.1", USER_AGENT, "admin")
    ]

    client.get(document_url(front))
    assert DocumentAccess.objects.filter(document=front).count() == 2


def test_on_s3_the_document_view_redirects_to_a_presigned_url(kyc_storage, kyc_reviewer, admin_client_for, monkeypatch):
    submission = submit(UserFactory())
    selfie = submission.documents.get(side="selfie")
    signed = []
    monkeypatch.setattr("apps.kyc.services.kyc_storage_is_remote", lambda: True)
    monkeypatch.setattr(
        "apps.kyc.services.kyc_document_presigned_url",
        lambda *, name, content_type: signed.append((name, content_type)) or "https://kyc.s3.example/x?X-Amz=1",
    )
    response = admin_client_for(kyc_reviewer).get(document_url(selfie))
    assert response.status_code == 302
    assert response["Location"] == "https://kyc.s3.example/x?X-Amz=1"
    assert response["Cache-Control"] == "private, no-store"
    assert signed == [(selfie.object_name, "image/jpeg")]
    assert list(DocumentAccess.objects.values_list("document_id", "staff_id")) == [(selfie.pk, kyc_reviewer.pk)]


def test_document_view_refusals_log_nothing(kyc_storage, kyc_reviewer, finance, admin_client_for, unchanged_db):
    submission = submit(UserFactory())
    front = submission.documents.get(side="id_front")
    clients = [admin_client_for(user) for user in (finance, kyc_reviewer, submission.user)]
    finance_client, reviewer_client, investor_client = clients
    with unchanged_db():
        assert finance_client.get(document_url(front)).status_code == 403
        assert reviewer_client.get("/admin/kyc/submission/document/999999/").status_code == 404
        response = investor_client.get(document_url(front))
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_a_file_missing_from_storage_is_a_404_not_a_server_error(kyc_storage, kyc_reviewer, admin_client_for):
    submission = submit(UserFactory())
    front = submission.documents.get(side="id_front")
    (kyc_storage / front.object_name).unlink()
    assert admin_client_for(kyc_reviewer).get(document_url(front)).status_code == 404


# --- approve and reject ---------------------------------------------------------------------------------


def test_approve_from_the_review_page(kyc_storage, kyc_reviewer, admin_client_for):
    investor = UserFactory()
    submission = submit(investor)
    client = admin_client_for(kyc_reviewer)
    url = detail_url(submission, "approve_detail")
    dialog = client.get(url)
    assert dialog.status_code == 200
    assert "Approve this submission?" in dialog.text

    response = client.post(url, {"_form_submitted": "True", "note": "  All clear  "})
    assert response["HX-Redirect"] == change_url(submission)
    assert messages_on(client, change_url(submission)) == [
        "The submission was approved: the investor's identity is verified."
    ]
    assert review_state(submission) == (SubmissionStatus.APPROVED, kyc_reviewer.pk, "", "All clear", "approved")
    assert submission.reviewed_at is not None
    assert notifications(investor) == [
        (
            "kyc_approved",
            "Identity verified",
            "Your identity documents were approved. You can now request withdrawals.",
            "/kyc/",
        )
    ]


def test_reject_from_the_review_page_with_a_reason(kyc_storage, kyc_reviewer, admin_client_for):
    investor = UserFactory()
    submission = submit(investor)
    client = admin_client_for(kyc_reviewer)
    url = detail_url(submission, "reject_detail")
    response = client.post(url, {"_form_submitted": "True", "reason": "expired", "admin_note": ""})
    assert response["HX-Redirect"] == change_url(submission)
    assert messages_on(client, change_url(submission)) == [
        "The submission was rejected: the investor was told the reason."
    ]
    assert review_state(submission) == (SubmissionStatus.REJECTED, kyc_reviewer.pk, "expired", "", "rejected")
    assert notifications(investor) == [
        (
            "kyc_rejected",
            "Identity documents rejected",
            "Your identity documents were rejected: The identity document has expired. "
            "You can send new documents from your verification page.",
            "/kyc/",
        )
    ]


def test_reject_with_other_and_a_note(kyc_storage, kyc_reviewer, admin_client_for):
    submission = submit(UserFactory())
    client = admin_client_for(kyc_reviewer)
    data = {"_form_submitted": "True", "reason": "other", "admin_note": "Send a colour scan."}
    client.post(detail_url(submission, "reject_detail"), data)
    assert review_state(submission) == (
        SubmissionStatus.REJECTED,
        kyc_reviewer.pk,
        "other",
        "Send a colour scan.",
        "rejected",
    )


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"reason": "", "admin_note": "no reason"}, {"reason": ["This field is required."]}),
        (
            {"reason": "bogus"},
            {"reason": ["Select a valid choice. bogus is not one of the available choices."]},
        ),
        ({"reason": "other", "admin_note": "   "}, {"admin_note": ["Tell the investor what to correct."]}),
    ],
)
def test_reject_refusals_are_errors_in_the_dialog(
    kyc_storage, kyc_reviewer, admin_client_for, unchanged_db, data, errors
):
    submission = submit(UserFactory())
    client = admin_client_for(kyc_reviewer)
    with unchanged_db():
        response = client.post(detail_url(submission, "reject_detail"), {"_form_submitted": "True", **data})
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert response.context["form"].errors == errors
    assert review_state(submission) == (SubmissionStatus.PENDING, None, "", "", "pending")


@pytest.mark.parametrize("action", ["approve_detail", "reject_detail"])
def test_an_already_reviewed_submission_is_a_message(kyc_storage, kyc_reviewer, admin_client_for, unchanged_db, action):
    submission = submit_and_approve(UserFactory(), reviewer=kyc_reviewer)
    client = admin_client_for(staff_with_role(roles.KYC_REVIEW))
    with unchanged_db():
        response = client.post(detail_url(submission, action), {"_form_submitted": "True", "reason": "expired"})
    assert response["HX-Redirect"] == change_url(submission)
    assert messages_on(client, change_url(submission)) == ["This submission is already approved."]


def test_staff_cannot_review_their_own_submission(kyc_storage, admin_client_for, unchanged_db):
    reviewer = UserFactory()
    submission = submit(reviewer)  # sent as an investor, before joining the staff
    User.objects.filter(pk=reviewer.pk).update(is_staff=True)
    reviewer.refresh_from_db()
    reviewer.groups.add(Group.objects.get(name=roles.KYC_REVIEW))
    client = admin_client_for(reviewer)
    with unchanged_db():
        response = client.post(detail_url(submission, "approve_detail"), {"_form_submitted": "True"})
    assert response["HX-Redirect"] == change_url(submission)
    assert messages_on(client, change_url(submission)) == ["You cannot review your own submission."]
    assert review_state(submission) == (SubmissionStatus.PENDING, None, "", "", "pending")


def test_only_reviewers_may_approve_or_reject(queue, finance, support, admin_client_for, unchanged_db):
    submission = queue["old_pending"]
    finance_client, support_client = admin_client_for(finance), admin_client_for(support)
    assert finance_client.get(CHANGELIST).status_code == 403
    assert finance_client.get(change_url(submission)).status_code == 403
    assert support_client.get(change_url(submission)).context["actions_detail"] == []
    with unchanged_db():
        for client in (finance_client, support_client):
            for action in ("approve_detail", "reject_detail"):
                data = {"_form_submitted": "True", "reason": "expired"}
                assert client.post(detail_url(submission, action), data).status_code == 403
    assert review_state(submission) == (SubmissionStatus.PENDING, None, "", "", "pending")


# --- access log ----------------------------------------------------------------------------------------


def test_access_log_is_read_only_and_filterable(kyc_storage, kyc_reviewer, superuser, admin_client_for, unchanged_db):
    first, second = submit(UserFactory(email="first@example.com")), submit(UserFactory())
    reviewer_client, superuser_client = admin_client_for(kyc_reviewer), admin_client_for(superuser)
    for document in first.documents.all():
        reviewer_client.get(document_url(document))
    superuser_client.get(document_url(second.documents.get(side="selfie")), REMOTE_ADDR="198.51.100.7")
    accesses = list(DocumentAccess.objects.order_by("id"))

    def logged(query: str = "") -> list[int]:
        response = reviewer_client.get(f"{ACCESSES}?{query}")
        assert response.status_code == 200
        return sorted(access.pk for access in response.context["cl"].result_list)

    assert logged() == [access.pk for access in accesses]
    assert logged(f"staff__id__exact={superuser.pk}") == [accesses[3].pk]
    assert logged(f"document__submission__id={first.pk}") == [access.pk for access in accesses[:3]]
    assert logged("q=first@example.com") == [access.pk for access in accesses[:3]]
    assert logged("q=198.51.100.7") == [accesses[3].pk]
    assert logged("via__exact=api") == []
    today = timezone.localdate()
    assert logged(f"accessed_at__year={today.year}&accessed_at__month={today.month}") == [a.pk for a in accesses]
    response = reviewer_client.get(ACCESSES)
    assert f'href="{change_url(second)}"' in response.text
    assert response.context["has_add_permission"] is False
    with unchanged_db():
        assert reviewer_client.get(f"{ACCESSES}add/").status_code == 403
        assert reviewer_client.post(f"{ACCESSES}{accesses[0].pk}/change/", {"via": "api"}).status_code == 403
        assert superuser_client.post(f"{ACCESSES}{accesses[0].pk}/delete/", {"post": "yes"}).status_code == 403


def test_access_log_query_count_does_not_grow(kyc_storage, kyc_reviewer, admin_client_for):
    client = admin_client_for(kyc_reviewer)
    client.get(ACCESSES)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(ACCESSES).status_code == 200
        return len(context.captured_queries)

    client.get(document_url(submit(UserFactory()).documents.first()))
    one = queries()
    for document in Document.objects.all():
        client.get(document_url(document))
    for _ in range(3):
        for document in submit(UserFactory()).documents.all():
            client.get(document_url(document))
    assert DocumentAccess.objects.count() == 13
    assert queries() == one


# --- sidebar and dashboard -----------------------------------------------------------------------------


def sidebar_items(user, section: str) -> dict:
    request = RequestFactory().get("/admin/")
    request.user = user
    for entry in sidebar_navigation(request):
        if str(entry["title"]) == section:
            return {str(item["title"]): item for item in entry["items"]}
    return {}


def test_sidebar_badge_counts_pending_submissions(queue, kyc_reviewer, support, finance):
    items = sidebar_items(kyc_reviewer, "KYC")
    assert list(items) == ["Submissions", "Document accesses"]
    assert (items["Submissions"]["badge"], items["Submissions"]["link"]) == (2, CHANGELIST)
    assert list(sidebar_items(support, "KYC")) == ["Submissions"]
    assert sidebar_items(finance, "KYC") == {}


def test_sidebar_shows_no_badge_when_nothing_waits(kyc_storage, kyc_reviewer):
    submit_and_approve(UserFactory(), reviewer=kyc_reviewer)
    assert "badge" not in sidebar_items(kyc_reviewer, "KYC")["Submissions"]


def test_dashboard_pending_kyc_row_opens_the_queue(queue, superuser, finance, admin_client_for):
    rows = {str(row["label"]): row["link"] for row in admin_client_for(superuser).get("/admin/").context["kyc_rows"]}
    assert rows == {
        "Not submitted": "/admin/accounts/user/?is_staff__exact=0&kyc_status__exact=not_submitted",
        "Pending review": f"{CHANGELIST}?status__exact=pending",
        "Approved": "/admin/accounts/user/?is_staff__exact=0&kyc_status__exact=approved",
        "Rejected": "/admin/accounts/user/?is_staff__exact=0&kyc_status__exact=rejected",
    }
    rows = {str(row["label"]): row["link"] for row in admin_client_for(finance).get("/admin/").context["kyc_rows"]}
    assert rows["Pending review"] == "/admin/accounts/user/?is_staff__exact=0&kyc_status__exact=pending"
