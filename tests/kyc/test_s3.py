"""KYC documents on S3, against moto's standalone server over real HTTP (``kyc_s3`` fixture).

What moto 5.2 enforces and what it does not: an unsigned GET of a private object is refused (403)
out of the box, from the object's ACL; but a presigned URL is not verified at all (any URL carrying
``Signature=`` is served, with a wrong signature or long expired), so the expiry is asserted from
the URL itself, and its signature is recomputed with botocore's SigV4 as S3 would check it.
"""

import hashlib
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import time_machine
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.contrib.auth.models import Permission

from apps.common.errors import ApplicationError
from apps.kyc.models import Document, DocumentAccess, Submission
from apps.kyc.services import kyc_document_view, kyc_submission_approve, kyc_submission_reject
from apps.kyc.storage import kyc_storage, kyc_storage_is_remote
from tests.factories import StaffFactory, UserFactory
from tests.kyc.conftest import ACCESS_KEY, BUCKET, REGION, SECRET_KEY
from tests.kyc.helpers import submit, upload

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
OBJECT_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|pdf)$")
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str) -> tuple[int, dict, bytes]:
    """A plain HTTP GET, with no AWS signature of its own; header names in lower case."""
    try:
        with NO_PROXY.open(url, timeout=10) as response:
            return response.status, _lower(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _lower(error.headers), error.read()


def _lower(headers) -> dict:
    return {name.lower(): value for name, value in headers.items()}


def signature_as_aws_computes_it(url: str, *, expires: int) -> str:
    """Sign the URL's request afresh with botocore's SigV4 (at the current, frozen, time): what S3
    checks, and what moto skips. The expiry is part of what is signed."""
    parts = urlsplit(url)
    params = [(name, value) for name, value in parse_qsl(parts.query) if not name.startswith("X-Amz-")]
    request = AWSRequest(method="GET", url=urlunsplit(parts._replace(query=urlencode(params))))
    S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION, expires=expires).add_auth(request)
    return parse_qs(urlsplit(request.url).query)["X-Amz-Signature"][0]


def reviewer():
    staff = StaffFactory()
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["review_submission", "view_document"], content_type__app_label="kyc")
    )
    return type(staff).objects.get(pk=staff.pk)


def object_keys(submission, kyc_s3) -> list[str]:
    return sorted(kyc_s3.key(doc.object_name) for doc in Document.objects.filter(submission=submission))


def test_the_s3_storage_is_the_one_configured(kyc_s3):
    storage = kyc_storage()
    assert kyc_storage_is_remote() is True
    assert (type(storage).__name__, storage.bucket_name, storage.location, storage.default_acl) == (
        "S3Storage",
        BUCKET,
        kyc_s3.prefix,
        "private",
    )
    assert (storage.querystring_auth, storage.file_overwrite, storage.object_parameters) == (
        True,
        False,
        {"ServerSideEncryption": "AES256", "CacheControl": "private, no-store"},
    )


def test_submit_writes_private_encrypted_objects_with_random_names(kyc_s3):
    investor = UserFactory(email="amina.haddad@example.com", first_name="Amina", last_name="Haddad")
    submission = submit(investor)

    documents = list(Document.objects.filter(submission=submission).order_by("id"))
    assert kyc_s3.keys() == object_keys(submission, kyc_s3)
    assert len(documents) == 3
    for doc in documents:
        assert OBJECT_NAME.match(doc.object_name), doc.object_name
        head = kyc_s3.client.head_object(Bucket=BUCKET, Key=kyc_s3.key(doc.object_name))
        assert (head["ServerSideEncryption"], head["ContentLength"], head["ContentType"], head["CacheControl"]) == (
            "AES256",
            doc.size,
            doc.content_type,
            "private, no-store",
        )
        assert hashlib.sha256(kyc_s3.body(doc.object_name)).hexdigest() == doc.sha256
        acl = kyc_s3.client.get_object_acl(Bucket=BUCKET, Key=kyc_s3.key(doc.object_name))
        assert [(grant["Grantee"]["Type"], grant["Permission"]) for grant in acl["Grants"]] == [
            ("CanonicalUser", "FULL_CONTROL")
        ]
        assert acl["Grants"][0]["Grantee"]["ID"] == acl["Owner"]["ID"]
        for grant in acl["Grants"]:
            assert grant["Grantee"].get("URI") not in (ALL_USERS, AUTHENTICATED_USERS)


def test_an_unsigned_request_for_a_document_is_refused(kyc_s3):
    submission = submit(UserFactory())
    for doc in submission.documents.all():
        status, _headers, body = fetch(f"{kyc_s3.endpoint}/{BUCKET}/{kyc_s3.key(doc.object_name)}")
        assert (status, body) == (403, b"")
    # The control: the same server does serve an object that is public, so the 403 is the ACL's.
    kyc_s3.client.put_object(Bucket=BUCKET, Key=kyc_s3.key("public.txt"), Body=b"hello", ACL="public-read")
    assert fetch(f"{kyc_s3.endpoint}/{BUCKET}/{kyc_s3.key('public.txt')}")[::2] == (200, b"hello")


def test_a_document_view_gives_a_presigned_url_to_the_exact_bytes(kyc_s3):
    staff = reviewer()
    submission = submit(UserFactory())
    document = submission.documents.get(side="id_back")

    with time_machine.travel(NOW, tick=False):
        view = kyc_document_view(document_id=document.pk, staff=staff, ip_address="198.51.100.4", user_agent="UA")

    parts = urlsplit(view.url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert (parts.scheme, parts.netloc, parts.path) == (
        "http",
        urlsplit(kyc_s3.endpoint).netloc,
        f"/{BUCKET}/{kyc_s3.key(document.object_name)}",
    )
    assert {name: value for name, value in query.items() if name != "X-Amz-Signature"} == {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{ACCESS_KEY}/20300102/us-east-1/s3/aws4_request",
        "X-Amz-Date": "20300102T030405Z",
        "X-Amz-Expires": "300",
        "X-Amz-SignedHeaders": "host",
        "response-content-disposition": "inline",
        "response-content-type": "image/png",
    }
    assert re.fullmatch(r"[0-9a-f]{64}", query["X-Amz-Signature"])

    status, headers, body = fetch(view.url)
    assert status == 200
    assert (body, hashlib.sha256(body).hexdigest()) == (kyc_s3.body(document.object_name), document.sha256)
    assert (headers["content-type"], headers["content-disposition"]) == ("image/png", "inline")
    assert list(DocumentAccess.objects.values_list("document", "staff", "ip_address", "user_agent", "via")) == [
        (document.pk, staff.pk, "198.51.100.4", "UA", "admin")
    ]


def test_the_presigned_url_without_its_signature_is_refused(kyc_s3):
    document = submit(UserFactory()).documents.get(side="selfie")
    view = kyc_document_view(document_id=document.pk, staff=reviewer())
    parts = urlsplit(view.url)
    unsigned = {name: values for name, values in parse_qs(parts.query).items() if not name.startswith("X-Amz-")}
    stripped = urlunsplit(parts._replace(query=urlencode(unsigned, doseq=True)))
    assert fetch(stripped)[0] == 403


def test_the_presigned_url_lives_as_long_as_the_setting(kyc_s3, settings):
    """moto serves an expired presigned URL anyway, so the window is read from the URL: signed at
    ``X-Amz-Date``, valid ``X-Amz-Expires`` seconds, which real S3 enforces."""
    settings.KYC_PRESIGNED_URL_SECONDS = 1
    document = submit(UserFactory()).documents.get(side="id_front")
    staff = reviewer()
    with time_machine.travel(NOW, tick=False):
        view = kyc_document_view(document_id=document.pk, staff=staff)
        expected = signature_as_aws_computes_it(view.url, expires=1)
    query = parse_qs(urlsplit(view.url).query)
    assert (query["X-Amz-Date"], query["X-Amz-Expires"], query["X-Amz-Signature"]) == (
        ["20300102T030405Z"],
        ["1"],
        [expected],
    )


def test_the_url_is_signed_anew_for_each_view_and_each_view_is_logged(kyc_s3):
    staff = reviewer()
    document = submit(UserFactory()).documents.get(side="id_front")
    urls = []
    for count in (1, 2, 3):
        with time_machine.travel(NOW + timedelta(seconds=count), tick=False):
            urls.append(kyc_document_view(document_id=document.pk, staff=staff, via="api").url)
        assert DocumentAccess.objects.filter(document=document).count() == count
    assert [parse_qs(urlsplit(url).query)["X-Amz-Date"] for url in urls] == [
        ["20300102T030406Z"],
        ["20300102T030407Z"],
        ["20300102T030408Z"],
    ]
    assert len({parse_qs(urlsplit(url).query)["X-Amz-Signature"][0] for url in urls}) == 3
    assert all(fetch(url)[0] == 200 for url in urls)


def test_a_refused_view_signs_nothing_and_logs_nothing(kyc_s3, unchanged_db):
    document = submit(UserFactory()).documents.get(side="id_front")
    staff = StaffFactory()
    with unchanged_db(), pytest.raises(ApplicationError) as caught:
        kyc_document_view(document_id=document.pk, staff=staff)
    assert (caught.value.code, caught.value.status_code) == ("permission_denied", 403)


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({"selfie_image": upload(b"<html></html>", "selfie.jpg", "image/jpeg")}, id="html-selfie"),
        pytest.param({"id_back_image": upload(b"%PDF-1.4\n/JavaScript\n%%EOF\n", "b.pdf")}, id="script-pdf"),
        pytest.param({"id_front_image": None}, id="missing-front"),
    ],
)
def test_a_bad_file_leaves_no_object(kyc_s3, unchanged_db, files):
    investor = UserFactory()
    with unchanged_db(), pytest.raises(ApplicationError):
        submit(investor, **files)
    assert kyc_s3.keys() == []


def test_a_failure_after_the_first_object_leaves_no_object(kyc_s3, unchanged_db, monkeypatch):
    investor = UserFactory()
    storage = kyc_storage()
    original_save = storage.save
    saved: list[str] = []

    def save_then_fail(name, content, **kwargs):
        if len(saved) == 1:
            raise ConnectionError("S3 went away")
        saved.append(original_save(name, content, **kwargs))
        return saved[-1]

    monkeypatch.setattr(storage, "save", save_then_fail)
    with unchanged_db(), pytest.raises(ConnectionError):
        submit(investor)
    assert len(saved) == 1  # written, then deleted
    assert kyc_s3.keys() == []


def test_a_failure_after_every_object_leaves_no_object(kyc_s3, unchanged_db, monkeypatch):
    investor = UserFactory()

    def event_fails(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr("apps.kyc.services.user_event_record", event_fails)
    with unchanged_db(), pytest.raises(RuntimeError):
        submit(investor)
    assert kyc_s3.keys() == []


def test_reject_resubmit_approve_on_s3(kyc_s3):
    investor, staff = UserFactory(), reviewer()
    first = submit(investor)
    kyc_submission_reject(submission_id=first.pk, actor=staff, reason="unreadable")
    second = submit(investor, id_back_image=None)
    kyc_submission_approve(submission_id=second.pk, actor=staff)

    assert list(Submission.objects.filter(user=investor).order_by("id").values_list("status", "is_current")) == [
        ("rejected", False),
        ("approved", True),
    ]
    assert kyc_s3.keys() == sorted(object_keys(first, kyc_s3) + object_keys(second, kyc_s3))
    assert len(kyc_s3.keys()) == 5
    for doc in Document.objects.all():
        status, _headers, body = fetch(kyc_document_view(document_id=doc.pk, staff=staff).url)
        assert (status, hashlib.sha256(body).hexdigest()) == (200, doc.sha256)
    assert DocumentAccess.objects.count() == 5
