"""KYC: an investor's identity submissions, their documents on private storage, and the log of
every staff look at a document.

Every submission is kept; exactly one per user is current (the latest). The user's
``kyc_status`` follows the current submission and is written in the same transaction.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National ID card")
    DRIVING_LICENCE = "driving_licence", _("Driving licence")


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RejectionReason(models.TextChoices):
    UNREADABLE = "unreadable", _("A document is blurred, cropped or unreadable")
    EXPIRED = "expired", _("The identity document has expired")
    DETAILS_MISMATCH = "details_mismatch", _("The details typed do not match the document")
    SELFIE_MISMATCH = "selfie_mismatch", _("The selfie does not match the document photo")
    MISSING_SIDE = "missing_side", _("The back of the document is missing")
    UNSUPPORTED_DOCUMENT = "unsupported_document", _("This kind of document is not accepted")
    SUSPECTED_FRAUD = "suspected_fraud", _("The document could not be verified as genuine")
    OTHER = "other", _("Other (see the note)")


class DocumentSide(models.TextChoices):
    ID_FRONT = "id_front", _("ID front")
    ID_BACK = "id_back", _("ID back")
    SELFIE = "selfie", _("Selfie")


class Submission(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("investor"), on_delete=models.PROTECT, related_name="kyc_submissions"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    is_current = models.BooleanField(_("current"), default=True)
    full_name = models.CharField(_("full name"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"))
    country = models.CharField(_("country"), max_length=100)
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdType.choices)
    id_number = models.CharField(_("ID number"), max_length=100)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=32, choices=RejectionReason.choices, blank=True
    )
    admin_note = models.TextField(_("note to the investor"), blank=True)
    # An approval withdrawn later (fraud found, a document turned out expired…): the submission
    # becomes rejected with the revocation's reason and note; who approved it stays recorded.
    revoked_at = models.DateTimeField(_("approval revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approval revoked by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("KYC submission")
        verbose_name_plural = _("KYC submissions")
        ordering = ["-submitted_at", "-id"]
        # Seeing the files themselves is ``kyc.view_document`` (Document's own view permission).
        permissions = [("review_submission", "Can approve and reject KYC submissions")]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(is_current=True), name="kyc_submission_one_current"),
            # A new submission is allowed only when none is pending or approved (insert-or-refuse).
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["pending", "approved"]),
                name="kyc_submission_one_open",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", reviewed_at__isnull=True, reviewed_by__isnull=True)
                | (~Q(status="pending") & Q(reviewed_at__isnull=False, reviewed_by__isnull=False)),
                name="kyc_submission_reviewed_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(status="rejected", rejection_reason__gt="")
                | (~Q(status="rejected") & Q(rejection_reason="")),
                name="kyc_submission_reason_iff_rejected",
            ),
            models.CheckConstraint(condition=~Q(reviewed_by=models.F("user")), name="kyc_submission_not_self_reviewed"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(status="rejected", revoked_at__isnull=False, revoked_by__isnull=False),
                name="kyc_submission_revoked_is_rejected",
            ),
            models.CheckConstraint(condition=Q(status__in=SubmissionStatus.values), name="kyc_submission_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="kyc_submission_queue"),
            models.Index(fields=["user", "-submitted_at"], name="kyc_submission_user_time"),
        ]

    def __str__(self) -> str:
        return f"KYC #{self.pk}"


class Document(models.Model):
    """One file of a submission. The object name is random and says nothing about the user."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="documents")
    side = models.CharField(_("document"), max_length=16, choices=DocumentSide.choices)
    # The name in the KYC storage (``apps.kyc.storage.kyc_storage()``), read through that storage
    # only; not a FileField, whose storage would be fixed at import time.
    object_name = models.CharField(_("object name"), max_length=200, editable=False)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("KYC document")
        verbose_name_plural = _("KYC documents")
        ordering = ["submission_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "side"], name="kyc_document_one_per_side"),
            models.UniqueConstraint(fields=["object_name"], name="kyc_document_object_unique"),
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png", "application/pdf"]),
                name="kyc_document_content_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} of KYC #{self.submission_id}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class DocumentAccess(models.Model):
    """Who looked at which document, when and from where: one row per view, never edited."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="accesses")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accessed_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    via = models.CharField(max_length=8, choices=[("admin", "admin"), ("api", "API")], default="admin")

    class Meta:
        verbose_name = _("KYC document access")
        verbose_name_plural = _("KYC document accesses")
        ordering = ["-accessed_at", "-id"]
        indexes = [models.Index(fields=["document", "-accessed_at"], name="kyc_access_document_time")]

    def __str__(self) -> str:
        return f"{self.staff_id} viewed {self.document_id}"
