"""Input and output shapes of the KYC API. Parsing only: ``kyc_submission_create`` checks every
typed field and every file itself (and reports each error on its API field name).

The investor's shape never carries a document URL; the staff shape links each document to the
permission-checked, logged document endpoint.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from apps.common.api.filters import SEARCH_MAX_LENGTH
from apps.common.api.serializers import StrictCharField, StrictSerializer, alias
from apps.kyc.models import Document, DocumentSide, IdType, RejectionReason, Submission, SubmissionStatus
from apps.wallet.api.serializers import ADMIN_NOTE_MAX_LENGTH, IdField

NOT_SUBMITTED = "not_submitted"


# --- Fields ------------------------------------------------------------------------------------


class IdTypeField(serializers.ChoiceField):
    """Documented as the choice set; the text is passed on as sent, and the service refuses an
    unknown type with its own message on ``id_type``."""

    def __init__(self, **kwargs):
        super().__init__(choices=IdType.choices, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return data


@extend_schema_field(OpenApiTypes.DATE)
class DateTextField(StrictCharField):
    """A date documented as such, passed on as text: the service reads it and reports a malformed
    or impossible date with the other typed-data errors."""


# Shared by the investor's and the staff's shapes (and the reject request): one component each.
@extend_schema_field(
    {"type": "string", "enum": SubmissionStatus.values, "description": "pending, approved or rejected"},
    component_name="KycSubmissionStatus",
)
class SubmissionStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=SubmissionStatus.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": RejectionReason.values, "description": "Why a KYC submission was rejected."},
    component_name="KycRejectionReason",
)
class RejectionReasonField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=RejectionReason.choices, **kwargs)

    def to_representation(self, value):
        # Stored as "" until the submission is rejected.
        return value or None


# --- Investor ----------------------------------------------------------------------------------


class KycSubmitSerializer(StrictSerializer):
    """Identity details and files. Missing or invalid values are reported by field, errors of one kind together."""

    full_name = StrictCharField(required=False, allow_blank=True, help_text="As on the document.")
    date_of_birth = DateTextField(
        required=False,
        help_text="`YYYY-MM-DD`; the investor must be at least `KYC_MIN_AGE` (18) years old.",
    )
    country = StrictCharField(required=False, allow_blank=True, help_text="Country that issued the document.")
    id_type = IdTypeField(required=False)
    id_number = StrictCharField(required=False, allow_blank=True, help_text="Stored in capitals.")
    id_front_image = serializers.FileField(
        required=False, allow_empty_file=True, help_text="Required. JPEG, PNG or PDF, at most `KYC_MAX_UPLOAD_MB`."
    )
    id_back_image = serializers.FileField(
        required=False, allow_empty_file=True, help_text="Optional (e.g. for an ID card). JPEG, PNG or PDF."
    )
    selfie_image = serializers.FileField(
        required=False, allow_empty_file=True, help_text="Required. A photo of the investor holding the document."
    )

    def service_kwargs(self) -> dict:
        """Every argument of ``kyc_submission_create`` but the user (None for what was not sent)."""
        return {name: self.validated_data.get(name) for name in self.fields}


class KycDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["side", "content_type", "size"]
        read_only_fields = fields


class KycSubmissionSerializer(serializers.ModelSerializer):
    """One of the caller's submissions: the typed data, the review and the documents (no URLs)."""

    user = serializers.IntegerField(source="user_id", read_only=True, help_text="The owner's user id.")
    status = SubmissionStatusField(read_only=True)
    rejection_reason = RejectionReasonField(
        read_only=True, allow_null=True, help_text="Set when `status` is `rejected`, else null."
    )
    rejection_reason_label = serializers.SerializerMethodField(
        help_text="The reason in the caller's language; null unless rejected."
    )
    admin_note = serializers.CharField(read_only=True, help_text="The reviewer's note to the investor.")
    documents = KycDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "user",
            "status",
            "full_name",
            "date_of_birth",
            "country",
            "id_type",
            "id_number",
            "rejection_reason",
            "rejection_reason_label",
            "admin_note",
            "submitted_at",
            "reviewed_at",
            "documents",
        ]
        read_only_fields = fields

    def get_rejection_reason_label(self, submission) -> str | None:
        if not submission.rejection_reason:
            return None
        return str(submission.get_rejection_reason_display())


@extend_schema_field({"type": "string", "enum": [NOT_SUBMITTED]})
class _NotSubmittedField(serializers.CharField):
    pass


class KycNotSubmittedSerializer(serializers.Serializer):
    status = _NotSubmittedField(help_text="The caller has never sent identity documents.")


# --- Staff -------------------------------------------------------------------------------------


class KycPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField(source="full_name", help_text="First and last name (may be empty).")


DOCUMENT_ENDPOINT = (
    "the staff document endpoint (needs `kyc.view_document` and the Bearer token; every fetch is logged), never "
    "a storage URL"
)


def _document_url(document: Document, context: dict) -> str:
    path = reverse("api-admin-kyc-document", kwargs={"document_id": document.pk})
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class AdminKycDocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text=f"The document at {DOCUMENT_ENDPOINT}.")

    class Meta:
        model = Document
        fields = ["id", "side", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, document) -> str:
        return _document_url(document, self.context)


def _side_link(side: str) -> serializers.SerializerMethodField:
    return serializers.SerializerMethodField(
        help_text=f"The {side} document (the original's name) at {DOCUMENT_ENDPOINT}; null when not sent."
    )


class AdminKycSubmissionSerializer(KycSubmissionSerializer):
    """A submission in the staff queue: the investor (their id as `user`, as every admin row), the
    review, and a link to each document."""

    user_email = serializers.EmailField(source="user.email", read_only=True)
    user_name = serializers.CharField(
        source="user.full_name", read_only=True, help_text="The investor's first and last name (may be empty)."
    )
    id_front_image = _side_link("ID front")
    id_back_image = _side_link("ID back")
    selfie_image = _side_link("selfie")
    reviewed_by = KycPersonSerializer(read_only=True, allow_null=True, help_text="Who approved or rejected it.")
    revoked_by = KycPersonSerializer(
        read_only=True, allow_null=True, help_text="Who withdrew the approval later (then `status` is `rejected`)."
    )
    is_current = serializers.BooleanField(read_only=True, help_text="The investor's latest submission.")
    documents = AdminKycDocumentSerializer(many=True, read_only=True)

    class Meta(KycSubmissionSerializer.Meta):
        fields = [
            "id",
            "user",
            "user_email",
            "user_name",
            "is_current",
            *KycSubmissionSerializer.Meta.fields[2:],
            "id_front_image",
            "id_back_image",
            "selfie_image",
            "reviewed_by",
            "revoked_at",
            "revoked_by",
        ]
        read_only_fields = fields

    def _side_url(self, submission, side: str) -> str | None:
        # From the prefetched documents: no query per row.
        document = next((d for d in submission.documents.all() if d.side == side), None)
        return None if document is None else _document_url(document, self.context)

    def get_id_front_image(self, submission) -> str | None:
        return self._side_url(submission, DocumentSide.ID_FRONT)

    def get_id_back_image(self, submission) -> str | None:
        return self._side_url(submission, DocumentSide.ID_BACK)

    def get_selfie_image(self, submission) -> str | None:
        return self._side_url(submission, DocumentSide.SELFIE)


class KycQueueFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SubmissionStatus.values, required=False)
    search = StrictCharField(required=False, allow_blank=True, max_length=SEARCH_MAX_LENGTH)


def _admin_note(**kwargs) -> StrictCharField:
    return StrictCharField(max_length=ADMIN_NOTE_MAX_LENGTH, **kwargs)


def _note_alias(**kwargs) -> StrictCharField:
    return _admin_note(required=False, **kwargs)


class KycApproveSerializer(StrictSerializer):
    """Bursar's form `{kyc_id, admin_note}`; the original client sends `{note}` (`note` and
    `reason` are accepted for `admin_note`; sent under two names, the values must agree)."""

    kyc_id = IdField(help_text="The id of a pending KYC submission.")
    admin_note = _note_alias(allow_blank=True, help_text="Optional; the investor sees it.")
    note = _note_alias(allow_blank=True, help_text="The original client's name for `admin_note`.")
    reason = _note_alias(allow_blank=True, help_text="Also accepted for `admin_note`.")

    def validate(self, attrs):
        attrs["admin_note"] = alias(attrs, "admin_note", "note", "reason") or ""
        return attrs


class KycRejectSerializer(StrictSerializer):
    """Bursar's form `{kyc_id, admin_note, reason: <code>}`; the original client sends a free-text
    `{reason}`: then the text is the note and the reason code `other`. `reason` is read as a
    reason code when it is one (`KycRejectionReason`), else as the note (an alias of `admin_note`,
    as is `note`); `rejection_reason` always names the code. Two names for one value must agree."""

    kyc_id = IdField(help_text="The id of a pending KYC submission.")
    admin_note = _note_alias(
        help_text="What to correct: the investor sees it. Required: under this name, as `note`, or as the free "
        "text of `reason`."
    )
    note = _note_alias(help_text="The original client's name for `admin_note`.")
    reason = _note_alias(
        help_text="A reason code (one of `rejection_reason`'s values), or any other text: the note (the original "
        "client's form; the reason code is then `other`)."
    )
    rejection_reason = RejectionReasonField(
        required=False, help_text="Why, as a code the investor sees translated; `other` when omitted."
    )

    def validate(self, attrs):
        sent = attrs.pop("reason", None)
        is_code = sent in RejectionReason.values
        codes = {"rejection_reason": attrs.pop("rejection_reason", None), "reason": sent if is_code else None}
        notes = {"admin_note": attrs.pop("admin_note", None), "note": attrs.pop("note", None)}
        notes["reason"] = None if is_code else sent
        attrs["admin_note"] = alias(notes, "admin_note", "note", "reason")
        attrs["rejection_reason"] = alias(codes, "rejection_reason", "reason") or RejectionReason.OTHER
        if not attrs["admin_note"]:
            raise serializers.ValidationError(
                {"admin_note": [ErrorDetail(str(self.fields["admin_note"].error_messages["required"]), "required")]}
            )
        return attrs


class KycRevokeSerializer(StrictSerializer):
    """The approved submission, why (a reason code) and a note."""

    kyc_id = IdField(help_text="The id of an approved KYC submission.")
    admin_note = _admin_note(help_text="Why the verification is withdrawn: the investor sees it.")
    reason = RejectionReasonField(
        default=RejectionReason.OTHER,
        help_text="Why, as a code the investor sees translated; `other` when omitted.",
    )
