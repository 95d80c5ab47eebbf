"""The identity check (KYC) page: its states, sending documents through the real multipart path,
and every refusal: a form error on the right field, HTTP 200 (never 500), nothing stored in the
database or in the KYC folder. CSRF is still enforced although the view installs an upload
handler first."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from apps.accounts.models import KycStatus
from apps.kyc import services as kyc_services
from apps.kyc.models import Document, Submission, SubmissionStatus
from apps.kyc.services import kyc_submission_reject
from apps.kyc.uploads import OversizedUpload
from tests.factories import UserFactory
from tests.kyc.helpers import jpeg_bytes, pdf_bytes, png_bomb_bytes, png_bytes, submit, submit_and_approve, upload
from tests.portal.conftest import HEADER_QUERIES, form_errors, messages_of

pytestmark = pytest.mark.django_db

URL = "/kyc/"
SENT = "Your documents were sent. We will tell you when they are reviewed."
PENDING = "Your identity documents are already waiting for review."
APPROVED = "Your identity is already verified."


def _client(user, language: str = "en", **kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def _csrf_client(user) -> tuple[Client, str]:
    """A client that checks CSRF like a browser's request would be, and the token of the page."""
    client = _client(user, enforce_csrf_checks=True)
    client.get(URL)
    return client, client.cookies[settings.CSRF_COOKIE_NAME].value


def _form_data(**overrides) -> dict:
    """A valid POST; an override of ``None`` leaves that field out of the request."""
    data = {
        "full_name": "  Amina   Haddad ",
        "date_of_birth": "1990-05-17",
        "country": "Jordan",
        "id_type": "national_id",
        "id_number": "ab 123456",
        "id_front_image": upload(jpeg_bytes(), "front.jpg", "image/jpeg"),
        "id_back_image": upload(png_bytes(), "back.png", "image/png"),
        "selfie_image": upload(pdf_bytes(), "selfie.pdf", "application/pdf"),
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def _stored(folder) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def _day(value) -> str:
    return date_format(timezone.localtime(value), "DATE_FORMAT")


def _years_ago(years: int, *, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) + timedelta(days=days)


# --- the page in each state -------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in(client, kyc_storage):
    assert client.get(URL)["Location"] == f"{reverse('portal:login')}?next={URL}"
    response = client.post(URL, _form_data())
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={URL}"
    assert Submission.objects.count() == 0
    assert _stored(kyc_storage) == []


def test_url_name():
    assert reverse("portal:kyc") == URL


def test_not_submitted_shows_the_form_prefilled_from_the_profile():
    investor = UserFactory(first_name="Amina", last_name="Haddad", country="Jordan")
    response = _client(investor).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="badge badge-kyc-not_submitted">Not submitted</span>' in html
    assert "You have not sent your identity documents yet." in html
    assert '<form method="post" action="/kyc/" enctype="multipart/form-data" novalidate>' in html
    assert 'name="full_name" value="Amina Haddad"' in html
    assert 'name="country" value="Jordan"' in html
    assert 'type="date" name="date_of_birth"' in html
    assert '<option value="national_id">National ID card</option>' in html
    for name in ("id_front_image", "id_back_image", "selfie_image"):
        assert f'type="file" name="{name}" accept="image/jpeg,image/png,application/pdf"' in html
    assert "JPEG, PNG or PDF, up to 5 MB." in html
    assert "Needed for national ID cards and driving licences" in html
    assert "You have not sent any documents yet." in html
    assert f'<a href="{URL}" aria-current="page">Identity</a>' in html


def test_the_size_limit_shown_follows_the_setting(investor, settings):
    settings.KYC_MAX_UPLOAD_MB = 2
    assert "JPEG, PNG or PDF, up to 2 MB." in _client(investor).get(URL).content.decode()


def test_pending_shows_what_was_sent_and_no_form(investor, kyc_storage):
    submission = submit(investor)
    html = _client(investor).get(URL).content.decode()
    assert '<span class="badge badge-kyc-pending">Pending review</span>' in html
    assert f"Sent on {_day(submission.submitted_at)}." in html
    assert "Our team is reviewing your documents." in html
    assert 'id="kyc-form"' not in html
    assert 'type="file"' not in html
    for document in submission.documents.all():
        assert f"<dt>{document.get_side_display()}</dt>" in html
        # never where the file is, nor anything of its content
        assert document.object_name not in html
        assert document.sha256 not in html
        kind = {"image/jpeg": "JPEG", "image/png": "PNG"}[document.content_type]
        assert f'<span dir="ltr">{kind}, {filesizeformat(document.size)}</span>' in html
    assert str(kyc_storage) not in html
    assert html.count('id="kyc-submission-') == 1


def test_pending_lists_the_type_and_size_of_each_side(investor, kyc_storage):
    front = jpeg_bytes()
    submission = submit(investor, id_front_image=upload(front, "front.jpg", "image/jpeg"), id_back_image=None)
    html = _client(investor).get(URL).content.decode()
    documents = {document.side: document for document in submission.documents.all()}
    assert sorted(documents) == ["id_front", "selfie"]
    assert "<dt>ID back</dt>" not in html
    for document in documents.values():
        assert f'<span dir="ltr">JPEG, {filesizeformat(document.size)}</span>' in html


def test_rejected_shows_the_reason_the_note_and_the_form_again(investor, superuser, kyc_storage):
    submission = submit(investor)
    rejected = kyc_submission_reject(
        submission_id=submission.pk, actor=superuser, reason="unreadable", note="The selfie is blurred."
    )
    html = _client(investor).get(URL).content.decode()
    assert '<span class="badge badge-kyc-rejected">Rejected</span>' in html
    assert f"Rejected on {_day(rejected.reviewed_at)}." in html
    assert "<dd>A document is blurred, cropped or unreadable</dd>" in html
    assert "<dd><bdi>The selfie is blurred.</bdi></dd>" in html
    assert 'id="kyc-form"' in html
    assert "Send new documents" in html
    assert f'<tr id="kyc-submission-{submission.pk}">' in html
    assert '<td data-label="Reason">A document is blurred, cropped or unreadable</td>' in html


def test_approved_shows_the_date_and_no_form(investor, superuser, kyc_storage):
    approved = submit_and_approve(investor, reviewer=superuser)
    html = _client(investor).get(URL).content.decode()
    assert '<span class="badge badge-kyc-approved">Approved</span>' in html
    assert f"Approved on {_day(approved.reviewed_at)}." in html
    assert "Your identity is verified. You can request withdrawals." in html
    assert 'id="kyc-form"' not in html


def test_approved_by_staff_without_documents_offers_no_form(investor):
    type(investor).objects.filter(pk=investor.pk).update(kyc_status=KycStatus.APPROVED)
    html = _client(investor).get(URL).content.decode()
    assert '<span class="badge badge-kyc-approved">Approved</span>' in html
    assert 'id="kyc-form"' not in html


def test_history_lists_every_submission_newest_first(investor, superuser, kyc_storage):
    first = submit(investor, id_type="passport")
    kyc_submission_reject(submission_id=first.pk, actor=superuser, reason="expired")
    second = submit(investor, id_type="driving_licence")
    html = _client(investor).get(URL).content.decode()
    assert html.index(f'id="kyc-submission-{second.pk}"') < html.index(f'id="kyc-submission-{first.pk}"')
    assert '<td data-label="Document type">Driving licence</td>' in html
    assert '<td data-label="Document type">Passport</td>' in html
    assert '<td data-label="Reason">The identity document has expired</td>' in html


def test_page_costs_the_same_queries_for_1_or_3_submissions(
    investor, superuser, kyc_storage, django_assert_num_queries
):
    client = _client(investor)
    submission = submit(investor)
    with django_assert_num_queries(4 + HEADER_QUERIES):  # session, user, submissions, their documents; the header
        client.get(URL)
    for _ in range(2):
        kyc_submission_reject(submission_id=submission.pk, actor=superuser, reason="expired")
        submission = submit(investor)
    with django_assert_num_queries(4 + HEADER_QUERIES):
        response = client.get(URL)
    assert len(response.context["history"]) == 3


def test_staff_are_told_they_do_not_go_through_kyc(staff, kyc_storage):
    client = _client(staff)
    html = client.get(URL).content.decode()
    assert "Staff accounts do not go through KYC." in html
    assert 'id="kyc-form"' not in html
    assert f'href="{URL}"' not in html  # no menu link either
    response = client.post(URL, _form_data())
    assert response.status_code == 200
    assert Submission.objects.count() == 0
    assert _stored(kyc_storage) == []


def test_other_methods_are_refused(investor):
    assert _client(investor).put(URL).status_code == 405


# --- sending documents ------------------------------------------------------------------------


def test_sending_documents_creates_a_pending_submission(investor, kyc_storage):
    client = _client(investor)
    response = client.post(URL, _form_data())
    assert response.status_code == 302
    assert response["Location"] == URL
    submission = Submission.objects.get()
    assert (submission.user, submission.status, submission.is_current) == (investor, SubmissionStatus.PENDING, True)
    assert (submission.full_name, submission.date_of_birth, submission.country) == (
        "Amina Haddad",
        date(1990, 5, 17),
        "Jordan",
    )
    assert (submission.id_type, submission.id_number) == ("national_id", "AB 123456")
    documents = list(Document.objects.filter(submission=submission).order_by("side"))
    assert [(document.side, document.content_type) for document in documents] == [
        ("id_back", "image/png"),
        ("id_front", "image/jpeg"),
        ("selfie", "application/pdf"),
    ]
    assert _stored(kyc_storage) == sorted(document.object_name for document in documents)
    assert (kyc_storage / documents[2].object_name).read_bytes() == pdf_bytes()
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.PENDING
    page = client.get(URL)
    assert messages_of(page) == [SENT]
    assert 'id="kyc-form"' not in page.content.decode()


def test_the_back_side_is_optional(investor, kyc_storage):
    response = _client(investor).post(URL, _form_data(id_back_image=None, id_type="passport"))
    assert response.status_code == 302
    assert sorted(Document.objects.values_list("side", flat=True)) == ["id_front", "selfie"]
    assert len(_stored(kyc_storage)) == 2


def test_documents_can_be_sent_again_after_a_rejection(investor, superuser, kyc_storage):
    first = submit(investor)
    kyc_submission_reject(submission_id=first.pk, actor=superuser, reason="selfie_mismatch")
    response = _client(investor).post(URL, _form_data())
    assert response["Location"] == URL
    current = Submission.objects.get(is_current=True)
    assert current.pk != first.pk
    assert current.status == SubmissionStatus.PENDING
    assert Submission.objects.get(pk=first.pk).status == SubmissionStatus.REJECTED
    assert len(_stored(kyc_storage)) == 6
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.PENDING


# --- refusals ---------------------------------------------------------------------------------


def _future() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def _seventeen() -> str:
    return _years_ago(18, days=1).isoformat()  # 18 tomorrow


BAD_INPUTS = [
    pytest.param(
        {"id_front_image": lambda: upload(b"GIF89a" + b"\0" * 64, "front.jpg", "image/jpeg")},
        "id_front_image",
        "Upload a JPEG, PNG or PDF file.",
        id="wrong-type-under-jpg-name",
    ),
    pytest.param(
        {"selfie_image": lambda: upload(png_bomb_bytes(), "selfie.png", "image/png")},
        "selfie_image",
        "This image is too large to process.",
        id="decompression-bomb",
    ),
    pytest.param(
        {"id_back_image": lambda: upload(b"\x89PNG\r\n\x1a\nbroken", "back.png", "image/png")},
        "id_back_image",
        "This image could not be read; upload a clear JPEG or PNG.",
        id="broken-image",
    ),
    pytest.param(
        {"id_front_image": lambda: upload(b"", "front.jpg", "image/jpeg")},
        "id_front_image",
        "The file is empty.",
        id="empty-file",
    ),
    pytest.param({"selfie_image": lambda: None}, "selfie_image", "This file is required.", id="missing-selfie"),
    pytest.param(
        {"date_of_birth": _future}, "date_of_birth", "The date of birth cannot be in the future.", id="dob-future"
    ),
    pytest.param({"date_of_birth": _seventeen}, "date_of_birth", "You must be at least 18 years old.", id="under-18"),
    pytest.param(
        {"date_of_birth": lambda: "1990-02-30"},
        "date_of_birth",
        "Enter your date of birth as YYYY-MM-DD.",
        id="impossible-date",
    ),
    pytest.param(
        {"date_of_birth": lambda: "17/05/1990"},
        "date_of_birth",
        "Enter your date of birth as YYYY-MM-DD.",
        id="date-format",
    ),
    pytest.param({"full_name": lambda: "   "}, "full_name", "Full name is required.", id="blank-name"),
    pytest.param(
        {"id_number": lambda: "9" * 101},
        "id_number",
        "ID number is too long (at most 100 characters).",
        id="long-id-number",
    ),
    pytest.param(
        {"id_type": lambda: "spaceship"},
        "id_type",
        "Choose passport, national ID card or driving licence.",
        id="unknown-id-type",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUTS)
def test_a_bad_submission_is_a_form_error_and_stores_nothing(
    investor, kyc_storage, unchanged_db, change, field, message
):
    client = _client(investor)
    data = _form_data(**{name: make() for name, make in change.items()})
    with unchanged_db():
        response = client.post(URL, data)
    assert response.status_code == 200
    assert form_errors(response) == {field: [message]}
    html = response.content.decode()
    assert f"<li>{message}</li>" in html
    assert 'id="kyc-files-again"' in html
    assert 'name="country" value="Jordan"' in html  # typed values are kept
    assert _stored(kyc_storage) == []
    investor.refresh_from_db()
    assert investor.kyc_status == KycStatus.NOT_SUBMITTED


def test_every_wrong_detail_is_named_at_once(investor, kyc_storage, unchanged_db):
    data = _form_data(full_name="", date_of_birth=_future(), selfie_image=None)
    data["id_front_image"] = upload(b"not an image", "front.png", "image/png")
    client = _client(investor)
    with unchanged_db():
        response = client.post(URL, data)
    assert response.status_code == 200
    # The typed details and the files in one answer: nobody has to send the form twice to learn
    # that a file is wrong too.
    assert form_errors(response) == {
        "full_name": ["Full name is required."],
        "date_of_birth": ["The date of birth cannot be in the future."],
        "id_front_image": ["Upload a JPEG, PNG or PDF file."],
        "selfie_image": ["This file is required."],
    }
    assert _stored(kyc_storage) == []


def test_two_bad_files_are_both_named(investor, kyc_storage, unchanged_db):
    data = _form_data(id_front_image=upload(b"text", "front.jpg", "image/jpeg"), selfie_image=None)
    client = _client(investor)
    with unchanged_db():
        response = client.post(URL, data)
    assert form_errors(response) == {
        "id_front_image": ["Upload a JPEG, PNG or PDF file."],
        "selfie_image": ["This file is required."],
    }
    assert _stored(kyc_storage) == []


def test_a_too_large_file_is_cut_off_while_it_streams_in(investor, kyc_storage, unchanged_db, settings, monkeypatch):
    """The real multipart path: the limit's upload handler is in place before the body is read,
    so the service gets an empty stand-in that carries the size, not 1.5 MB of data."""
    settings.KYC_MAX_UPLOAD_MB = 1
    seen = {}
    clean = kyc_services.document_clean

    def spy(upload_file, *, field):
        seen[field] = (type(upload_file), upload_file.size, upload_file.read())
        upload_file.seek(0)
        return clean(upload_file, field=field)

    monkeypatch.setattr(kyc_services, "document_clean", spy)
    big = jpeg_bytes() + b"\0" * (1536 * 1024)
    client, token = _csrf_client(investor)  # as in a browser: the CSRF check reads the body too
    data = {**_form_data(id_front_image=upload(big, "front.jpg", "image/jpeg")), "csrfmiddlewaretoken": token}
    with unchanged_db():
        response = client.post(URL, data)
    assert response.status_code == 200
    assert form_errors(response) == {"id_front_image": ["The file is too large: the limit is 1 MB."]}
    assert seen["id_front_image"] == (OversizedUpload, len(big), b"")  # counted, not kept
    assert seen["selfie_image"][0] is not OversizedUpload
    assert _stored(kyc_storage) == []


@pytest.mark.parametrize("state", ["pending", "approved"])
def test_sending_again_while_pending_or_approved_is_refused(investor, superuser, kyc_storage, unchanged_db, state):
    if state == "pending":
        submit(investor)
    else:
        submit_and_approve(investor, reviewer=superuser)
    before = _stored(kyc_storage)
    client = _client(investor)
    with unchanged_db():
        response = client.post(URL, _form_data())
    assert response.status_code == 200
    assert form_errors(response) == {"__all__": [PENDING if state == "pending" else APPROVED]}
    html = response.content.decode()
    assert f"<p>{PENDING if state == 'pending' else APPROVED}</p>" in html
    assert 'id="kyc-form"' not in html
    assert _stored(kyc_storage) == before


# --- CSRF -------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(investor, kyc_storage, unchanged_db):
    client = _client(investor, enforce_csrf_checks=True)
    with unchanged_db():
        response = client.post(URL, _form_data())
    assert response.status_code == 403
    assert _stored(kyc_storage) == []


def test_a_post_with_the_csrf_token_is_accepted(investor, kyc_storage):
    client, token = _csrf_client(investor)
    response = client.post(URL, {**_form_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Submission.objects.count() == 1


# --- links and languages ----------------------------------------------------------------------


def test_withdrawal_page_links_to_the_identity_check_when_kyc_blocks(investor, runtime_config):
    client = _client(investor)
    html = client.get(reverse("portal:wallet_withdraw")).content.decode()
    assert f'<a class="button" href="{URL}" id="kyc-link">Identity check (KYC)</a>' in html
    runtime_config(KYC_REQUIRED_FOR_WITHDRAWAL=False)
    assert 'id="kyc-link"' not in client.get(reverse("portal:wallet_withdraw")).content.decode()


def test_withdrawal_page_links_to_the_identity_check_while_pending(investor, kyc_storage):
    submit(investor)
    html = _client(investor).get(reverse("portal:wallet_withdraw")).content.decode()
    assert f'<a class="button button-secondary" href="{URL}" id="kyc-link">Identity check (KYC)</a>' in html


@pytest.mark.parametrize("state", ["not_submitted", "pending", "rejected"])
def test_page_renders_in_arabic(investor, superuser, kyc_storage, state):
    if state != "not_submitted":
        submission = submit(investor)
        if state == "rejected":
            kyc_submission_reject(submission_id=submission.pk, actor=superuser, reason="other", note="صورة غير واضحة")
    response = _client(investor, "ar").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "<title>التحقق من الهوية (KYC) · Bursar</title>" in html
    assert "انتقل إلى المحتوى" in html


def test_a_refused_submission_renders_in_arabic(investor, kyc_storage):
    response = _client(investor, "ar").post(URL, _form_data(selfie_image=None))
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.content.decode()
    assert list(form_errors(response)) == ["selfie_image"]
    assert _stored(kyc_storage) == []
