"""KYC writes: an investor submits, staff approve or reject, staff views of documents are logged.

The user's ``kyc_status`` follows their current submission and is written, with an account
event naming the actor, in the same transaction as the submission's change.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from apps.accounts.models import KycStatus, User, UserEvent
from apps.accounts.services import user_event_record
from apps.common.dates import age_on
from apps.common.errors import ApplicationError, ConflictError
from apps.common.text import single_line
from apps.kyc.files import CleanFile, document_clean
from apps.kyc.models import (
    Document,
    DocumentAccess,
    DocumentSide,
    IdType,
    RejectionReason,
    Submission,
    SubmissionStatus,
)
from apps.kyc.storage import kyc_document_presigned_url, kyc_object_name, kyc_storage, kyc_storage_is_remote
from apps.messaging.services import notification_send

logger = logging.getLogger(__name__)

# Form/API field name of each document.
DOCUMENT_FIELDS = {
    DocumentSide.ID_FRONT: "id_front_image",
    DocumentSide.ID_BACK: "id_back_image",
    DocumentSide.SELFIE: "selfie_image",
}
REQUIRED_SIDES = (DocumentSide.ID_FRONT, DocumentSide.SELFIE)
OLDEST_AGE = 120


@dataclass(frozen=True)
class IdentityDetails:
    full_name: str
    date_of_birth: date
    country: str
    id_type: str
    id_number: str


def _date_of_birth_parse(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value or "").strip())
    except ValueError:  # well formed but no such day, e.g. 1990-02-30
        return None


def _date_of_birth_error(value) -> str | None:
    born = _date_of_birth_parse(value)
    if born is None:
        return _("Enter your date of birth as YYYY-MM-DD.")
    today = timezone.localdate()
    if born > today:
        return _("The date of birth cannot be in the future.")
    if age_on(born, today) < settings.KYC_MIN_AGE:
        return _("You must be at least %(age)s years old.") % {"age": settings.KYC_MIN_AGE}
    if age_on(born, today) > OLDEST_AGE:
        return _("Enter your real date of birth.")
    return None


def _note_clean(note) -> str:
    return str(note or "").replace("\x00", "").strip()


def _text_error(value, *, max_length: int, label: str) -> str | None:
    text = single_line(value)
    if not text:
        return _("%(field)s is required.") % {"field": label}
    if len(text) > max_length:
        return _("%(field)s is too long (at most %(max)s characters).") % {"field": label, "max": max_length}
    return None


def identity_details_clean(*, full_name, date_of_birth, country, id_type, id_number) -> IdentityDetails:
    """Typed fields of a submission: every error at once, on its field."""
    errors: dict[str, list[str]] = {}
    for field, value, max_length, label in (
        ("full_name", full_name, 200, _("Full name")),
        ("country", country, 100, _("Country")),
        ("id_number", id_number, 100, _("ID number")),
    ):
        if message := _text_error(value, max_length=max_length, label=label):
            errors[field] = [message]
    if message := _date_of_birth_error(date_of_birth):
        errors["date_of_birth"] = [message]
    if id_type not in IdType.values:
        errors["id_type"] = [_("Choose passport, national ID card or driving licence.")]
    if errors:
        raise ApplicationError(_("Correct the errors below."), code="invalid", field_errors=errors)
    return IdentityDetails(
        full_name=single_line(full_name),
        date_of_birth=_date_of_birth_parse(date_of_birth),
        country=single_line(country),
        id_type=id_type,
        id_number=single_line(id_number).upper(),
    )


def documents_clean(*, uploads: dict[str, object]) -> dict[str, CleanFile]:
    """``uploads`` maps a side (``id_front``, ``id_back``, ``selfie``) to an uploaded file or None.
    Returns the clean files by side, or raises with every file's error at once."""
    errors: dict[str, ApplicationError] = {}
    clean: dict[str, CleanFile] = {}
    for side, field in DOCUMENT_FIELDS.items():
        upload = uploads.get(side)
        if upload is None and side not in REQUIRED_SIDES:
            continue
        try:
            clean[side] = document_clean(upload, field=field)
        except ApplicationError as error:
            errors[field] = error
    if len(errors) == 1:
        raise next(iter(errors.values()))
    if errors:
        field_errors = {field: [error.message] for field, error in errors.items()}
        raise ApplicationError(_("Correct the files below."), code="invalid", field_errors=field_errors)
    return clean


def _open_submission_check(user: User) -> None:
    current = Submission.objects.filter(user=user, is_current=True).values_list("status", flat=True).first()
    if current == SubmissionStatus.PENDING:
        raise ConflictError(_("Your identity documents are already waiting for review."), code="kyc_pending")
    if current == SubmissionStatus.APPROVED:
        raise ConflictError(_("Your identity is already verified."), code="kyc_already_approved")


def kyc_submission_create(
    *,
    user: User,
    full_name,
    date_of_birth,
    country,
    id_type,
    id_number,
    id_front_image,
    selfie_image,
    id_back_image=None,
) -> Submission:
    """Check everything, then store the files and the submission together: a refusal stores
    nothing, and a failure after a file was written deletes it (no orphan objects)."""
    if user.is_staff:
        raise ApplicationError(_("Staff accounts do not go through KYC."), code="permission_denied", status_code=403)
    _open_submission_check(user)
    details, files = _submission_clean(
        details={
            "full_name": full_name,
            "date_of_birth": date_of_birth,
            "country": country,
            "id_type": id_type,
            "id_number": id_number,
        },
        uploads={
            DocumentSide.ID_FRONT: id_front_image,
            DocumentSide.ID_BACK: id_back_image,
            DocumentSide.SELFIE: selfie_image,
        },
    )
    stored: list[str] = []
    try:
        return _submission_store(user=user, details=details, files=files, stored=stored)
    except BaseException:
        _stored_delete(stored)
        raise


def _submission_clean(*, details: dict, uploads: dict) -> tuple[IdentityDetails, dict[str, CleanFile]]:
    """The typed details and the files, checked together so that one answer names every wrong
    field; a refusal of only one of the two is raised as it is (with its own code)."""
    refusals: list[ApplicationError] = []
    clean_details = clean_files = None
    try:
        clean_details = identity_details_clean(**details)
    except ApplicationError as error:
        refusals.append(error)
    try:
        clean_files = documents_clean(uploads=uploads)
    except ApplicationError as error:
        refusals.append(error)
    if len(refusals) == 1:
        raise refusals[0]
    if refusals:
        field_errors = {name: messages for error in refusals for name, messages in error.field_errors.items()}
        raise ApplicationError(_("Correct the errors below."), code="invalid", field_errors=field_errors)
    return clean_details, clean_files


@transaction.atomic(durable=True)
def _submission_store(*, user: User, details: IdentityDetails, files: dict[str, CleanFile], stored: list[str]):
    locked = User.objects.select_for_update().get(pk=user.pk)
    _open_submission_check(locked)
    Submission.objects.filter(user=locked, is_current=True).update(is_current=False)
    try:
        with transaction.atomic():
            submission = Submission.objects.create(user=locked, **details.__dict__)
    except IntegrityError:
        raise ConflictError(_("Your identity documents are already waiting for review."), code="kyc_pending") from None
    for side, clean in files.items():
        name = kyc_storage().save(kyc_object_name(content_type=clean.content_type), ContentFile(clean.content))
        stored.append(name)
        Document.objects.create(
            submission=submission,
            side=side,
            object_name=name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            width=clean.width,
            height=clean.height,
        )
    _user_status_follow(user=locked, submission=submission, actor=locked)
    return submission


def _stored_delete(names: list[str]) -> None:
    """Every name is tried even if one fails (logged): the error that matters is the original."""
    storage = kyc_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("KYC: could not delete the orphan object %s", name)


def _user_status_follow(*, user: User, submission: Submission, actor: User) -> None:
    status = KycStatus(submission.status)
    if user.kyc_status == status:
        return
    previous = user.kyc_status
    user.kyc_status = status
    user.save(update_fields=["kyc_status", "updated_at"])
    user_event_record(
        user=user,
        kind=UserEvent.Kind.KYC_STATUS_SET,
        actor=actor,
        data={"from": previous, "to": status.value, "submission": submission.pk},
    )


def _user_status_follow_locked(*, submission: Submission, actor: User) -> None:
    """After a review: lock the investor's row, then make their status follow the submission."""
    user = User.objects.select_for_update().get(pk=submission.user_id)
    _user_status_follow(user=user, submission=submission, actor=actor)


def _review_lock(*, submission_id, actor: User, expected: str = SubmissionStatus.PENDING) -> Submission:
    """Check the reviewer, then lock the submission and check it is in the ``expected`` state."""
    if not actor.is_staff or not actor.has_perm("kyc.review_submission"):
        raise ApplicationError(_("You may not review KYC submissions."), code="permission_denied", status_code=403)
    try:
        submission_id = int(submission_id)
    except (TypeError, ValueError):
        raise ApplicationError(_("No such KYC submission."), code="not_found", status_code=404) from None
    submission = (
        Submission.objects.select_for_update(of=("self",)).select_related("user").filter(pk=submission_id).first()
    )
    if submission is None:
        raise ApplicationError(_("No such KYC submission."), code="not_found", status_code=404)
    if submission.status != expected and expected == SubmissionStatus.PENDING:
        raise ConflictError(
            _("This submission is already %(status)s.") % {"status": submission.get_status_display().lower()},
            code="already_reviewed",
        )
    if submission.status != expected:
        raise ConflictError(_("Only an approved submission can have its approval revoked."), code="not_approved")
    if submission.user_id == actor.pk:
        raise ApplicationError(_("You cannot review your own submission."), code="own_request", status_code=403)
    return submission


def _close(submission: Submission, *, status: str, actor: User, reason: str = "", note: str = "") -> None:
    submission.status = status
    submission.reviewed_by = actor
    submission.reviewed_at = timezone.now()
    submission.rejection_reason = reason
    submission.admin_note = note
    submission.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason", "admin_note"])
    _user_status_follow_locked(submission=submission, actor=actor)


@transaction.atomic(durable=True)
def kyc_submission_approve(*, submission_id, actor: User, note: str = "") -> Submission:
    submission = _review_lock(submission_id=submission_id, actor=actor)
    _close(submission, status=SubmissionStatus.APPROVED, actor=actor, note=_note_clean(note))
    notification_send(
        user=submission.user,
        kind="kyc_approved",
        title=lambda: _("Identity verified"),
        body=lambda: _("Your identity documents were approved. You can now request withdrawals."),
        link="/kyc/",
    )
    return submission


@transaction.atomic(durable=True)
def kyc_submission_reject(*, submission_id, actor: User, reason: str, note: str = "") -> Submission:
    """``reason`` is one of ``RejectionReason``; the note is required with "other"."""
    note = _note_clean(note)
    if reason not in RejectionReason.values:
        raise ApplicationError(_("Choose a reason for the rejection."), code="reason_required", field="reason")
    if reason == RejectionReason.OTHER and not note:
        raise ApplicationError(_("Tell the investor what to correct."), code="reason_required", field="admin_note")
    submission = _review_lock(submission_id=submission_id, actor=actor)
    _close(submission, status=SubmissionStatus.REJECTED, actor=actor, reason=reason, note=note)
    notification_send(
        user=submission.user,
        kind="kyc_rejected",
        title=lambda: _("Identity documents rejected"),
        body=lambda: _rejection_text(submission),
        link="/kyc/",
    )
    return submission


@transaction.atomic(durable=True)
def kyc_submission_revoke(*, submission_id, actor: User, reason: str, note: str) -> Submission:
    """Withdraw an approval (a forged or expired document found later): the submission becomes
    rejected with this reason and note, the investor's status follows (withdrawals stop, new
    documents may be sent), and who approved it stays on the row. The note is always required."""
    note = _note_clean(note)
    if reason not in RejectionReason.values:
        raise ApplicationError(_("Choose a reason for the revocation."), code="reason_required", field="reason")
    if not note:
        raise ApplicationError(
            _("Tell the investor why their verification is withdrawn."), code="reason_required", field="admin_note"
        )
    submission = _review_lock(submission_id=submission_id, actor=actor, expected=SubmissionStatus.APPROVED)
    submission.status = SubmissionStatus.REJECTED
    submission.rejection_reason = reason
    submission.admin_note = note
    submission.revoked_by = actor
    submission.revoked_at = timezone.now()
    submission.save(update_fields=["status", "rejection_reason", "admin_note", "revoked_by", "revoked_at"])
    _user_status_follow_locked(submission=submission, actor=actor)
    notification_send(
        user=submission.user,
        kind="kyc_revoked",
        title=lambda: _("Identity verification withdrawn"),
        body=lambda: _revocation_text(submission),
        link="/kyc/",
    )
    return submission


def _revocation_text(submission: Submission) -> str:
    reason = RejectionReason(submission.rejection_reason).label
    text = _("Your identity verification was withdrawn: %(reason)s.") % {"reason": str(reason)}
    resubmit = _(
        "Withdrawals are paused until new documents are approved; you can send them from your verification page."
    )
    return f"{text} {submission.admin_note} {resubmit}"


def _rejection_text(submission: Submission) -> str:
    reason = RejectionReason(submission.rejection_reason).label
    text = _("Your identity documents were rejected: %(reason)s.") % {"reason": str(reason)}
    if submission.admin_note:
        text = f"{text} {submission.admin_note}"
    resubmit = _("You can send new documents from your verification page.")
    return f"{text} {resubmit}"


def kyc_document_access_record(*, document: Document, staff: User, ip_address=None, user_agent="", via="admin"):
    """One row per staff view of a document, written before the document is shown."""
    return DocumentAccess.objects.create(
        document=document,
        staff=staff,
        ip_address=ip_address or None,
        user_agent=(user_agent or "").replace("\x00", "")[:300],
        via=via,
    )


@dataclass(frozen=True)
class DocumentView:
    """What a staff view of a document serves: a presigned URL (S3) or the file itself (local)."""

    document: Document
    url: str | None

    def open(self):
        return kyc_storage().open(self.document.object_name, "rb")


@transaction.atomic
def kyc_document_view(*, document_id, staff: User, ip_address=None, user_agent: str = "", via: str = "admin"):
    """Check the permission, log the access, and say how to serve the document."""
    if not staff.is_staff or not staff.has_perm("kyc.view_document"):
        raise ApplicationError(_("You may not view KYC documents."), code="permission_denied", status_code=403)
    try:
        document_id = int(document_id)
    except (TypeError, ValueError):
        raise ApplicationError(_("No such document."), code="not_found", status_code=404) from None
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        raise ApplicationError(_("No such document."), code="not_found", status_code=404)
    kyc_document_access_record(document=document, staff=staff, ip_address=ip_address, user_agent=user_agent, via=via)
    url = None
    if kyc_storage_is_remote():
        url = kyc_document_presigned_url(name=document.object_name, content_type=document.content_type)
    return DocumentView(document=document, url=url)
