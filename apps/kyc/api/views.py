"""KYC endpoints: the investor sends identity documents and follows their review; staff list the
queue, approve or reject, and look at a document through a permission-checked view that logs
every access. Each view parses, calls one service or selector, and renders."""

from axes.helpers import get_client_ip_address
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.filters import search_parameter
from apps.common.api.paths import body_with_path_id, path_form, path_id_parameter
from apps.common.api.schema import NOT_AUTHENTICATED, bad_request, error_response
from apps.common.errors import ApplicationError
from apps.kyc import selectors, services
from apps.kyc.api import serializers
from apps.kyc.models import SubmissionStatus
from apps.kyc.responses import kyc_document_response
from apps.kyc.uploads import upload_limit_install
from apps.wallet.api.permissions import StaffWithPermission
from apps.wallet.api.serializers import MAX_ID
from apps.wallet.api.views.common import enum_parameter, query_params

KYC_TAG = "kyc"
ADMIN_TAG = "admin"
FILE_FIELDS = ("id_front_image", "id_back_image", "selfie_image")
FILE_CODES = (
    "file_required",
    "file_empty",
    "file_too_large",
    "file_type_invalid",
    "file_unreadable",
    "file_bomb",
    "file_encrypted",
    "file_active_content",
)
STAFF_ONLY = error_response("Not staff, or without the Django permission this action needs.", "permission_denied")
SUBMISSION_NOT_FOUND = error_response("No such KYC submission.", "not_found")
REVIEW_CONFLICT = error_response("The submission was already approved or rejected.", "already_reviewed")
REVIEW_FORBIDDEN = error_response(
    "Not staff or without `kyc.review_submission`; or the caller's own submission.",
    "permission_denied",
    "own_request",
)
CURRENT_SUBMISSION = PolymorphicProxySerializer(
    component_name="KycCurrentSubmission",
    serializers=[serializers.KycSubmissionSerializer, serializers.KycNotSubmittedSerializer],
    resource_type_field_name=None,
)


class InvestorOnly(BasePermission):
    """KYC is for investors: a staff account is refused before its upload is even read."""

    message = gettext_lazy("Staff accounts do not go through KYC.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and not request.user.is_staff)


def _admin_submission_data(submission, request) -> dict:
    return serializers.AdminKycSubmissionSerializer(submission, context={"request": request}).data


# --- Investor ----------------------------------------------------------------------------------


class KycSubmitView(APIView):
    permission_classes = [IsAuthenticated, InvestorOnly]
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        # Before anything reads the body: a file past KYC_MAX_UPLOAD_MB is cut off as it streams.
        upload_limit_install(request._request)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        tags=[KYC_TAG],
        summary="Send identity documents for review (multipart)",
        description=(
            "Allowed when the caller has no pending or approved submission (a rejected one can be followed by a "
            "new one; history is kept). Files are JPEG, PNG or PDF, recognised by their content (not their name "
            "or declared type), at most `KYC_MAX_UPLOAD_MB` each; images are re-encoded without metadata. A "
            "refusal stores nothing. Every wrong field is named at once, each on its field: one bad file alone "
            "gives that file's `code`; anything more gives `invalid`."
        ),
        request={"multipart/form-data": serializers.KycSubmitSerializer},
        responses={
            201: serializers.KycSubmissionSerializer,
            400: bad_request(("invalid", "date_of_birth"), *((code, "id_front_image") for code in FILE_CODES)),
            401: NOT_AUTHENTICATED,
            403: error_response("Staff accounts do not go through KYC.", "permission_denied"),
            409: error_response(
                "A submission is already waiting for review, or the identity is already verified.",
                "kyc_pending",
                "kyc_already_approved",
            ),
            415: error_response("The body is not `multipart/form-data`.", "unsupported_media_type"),
        },
    )
    def post(self, request):
        serializer = serializers.KycSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        submission = services.kyc_submission_create(user=request.user, **serializer.service_kwargs())
        return Response(serializers.KycSubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)


class KycStatusView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[KYC_TAG],
        summary="The caller's latest KYC submission, or `not_submitted`",
        description="Document sides, types and sizes only: never a document URL.",
        responses={200: CURRENT_SUBMISSION, 401: NOT_AUTHENTICATED},
    )
    def get(self, request):
        submission = selectors.kyc_submission_current(user=request.user)
        if submission is None:
            return Response({"status": serializers.NOT_SUBMITTED})
        return Response(serializers.KycSubmissionSerializer(submission).data)


class KycHistoryView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.KycSubmissionSerializer

    @extend_schema(
        tags=[KYC_TAG],
        summary="Every KYC submission of the caller, newest first",
        description="Bursar extension. The same shape as `kyc/status/`; no document URLs.",
        responses={200: serializers.KycSubmissionSerializer(many=True), 401: NOT_AUTHENTICATED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.kyc_submission_history(user=self.request.user)


# --- Staff -------------------------------------------------------------------------------------


class AdminKycListView(ListAPIView):
    """Needs ``kyc.view_submission``."""

    permission_classes = [StaffWithPermission]
    staff_permissions = ("kyc.view_submission",)
    serializer_class = serializers.AdminKycSubmissionSerializer

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="The KYC queue: pending first (oldest waiting first), then the rest",
        parameters=[
            enum_parameter("status", SubmissionStatus.values, "Only submissions in this status."),
            search_parameter("Part of the investor's email or of the full name, or the exact ID number."),
        ],
        responses={
            200: serializers.AdminKycSubmissionSerializer(many=True),
            400: bad_request(),
            401: NOT_AUTHENTICATED,
            403: STAFF_ONLY,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = query_params(serializers.KycQueueFilterSerializer, self.request)
        return selectors.kyc_queue(status=filters.get("status"), search=filters.get("search", ""))


REVIEW_RESPONSES = {
    200: serializers.AdminKycSubmissionSerializer,
    400: bad_request(),
    401: NOT_AUTHENTICATED,
    403: REVIEW_FORBIDDEN,
    404: SUBMISSION_NOT_FOUND,
    409: REVIEW_CONFLICT,
}
PATH_KYC_ID = path_id_parameter("kyc_id", "The submission's id (the original client's form).")
APPROVE_DESCRIPTION = (
    "Needs `kyc.review_submission`. The investor's `kyc_status` becomes `approved` and is notified. The note may "
    "also be sent as `note` (the original client's name) or `reason`."
)
REJECT_DESCRIPTION = (
    "Needs `kyc.review_submission`. The investor sees the reason and the note, and may send new documents. A "
    "free-text `reason` (the original client's form) is the note, with the reason code `other`."
)
REJECT_RESPONSES = {**REVIEW_RESPONSES, 400: bad_request(("reason_required", "admin_note"))}


class AdminKycApproveView(APIView):
    permission_classes = [StaffWithPermission]
    staff_permissions = ("kyc.review_submission",)

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Approve a pending KYC submission",
        description=APPROVE_DESCRIPTION,
        request=serializers.KycApproveSerializer,
        responses=REVIEW_RESPONSES,
    )
    def post(self, request):
        return self.review(request, request.data)

    def review(self, request, body) -> Response:
        serializer = serializers.KycApproveSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        submission = services.kyc_submission_approve(
            submission_id=data["kyc_id"], actor=request.user, note=data["admin_note"]
        )
        return Response(_admin_submission_data(submission, request))


class AdminKycApproveByPathView(AdminKycApproveView):
    """The original client's form: the same view with the id from the path."""

    @extend_schema(
        operation_id="admin_kyc_approve_by_path",
        tags=[ADMIN_TAG],
        summary="Approve a pending KYC submission (the original client's form: the id in the path, `{note}`)",
        description=APPROVE_DESCRIPTION,
        request=path_form(serializers.KycApproveSerializer, "kyc_id"),
        parameters=[PATH_KYC_ID],
        responses=REVIEW_RESPONSES,
    )
    def post(self, request, kyc_id: str):
        return self.review(request, body_with_path_id(request, field="kyc_id", raw=kyc_id))


class AdminKycRejectView(APIView):
    permission_classes = [StaffWithPermission]
    staff_permissions = ("kyc.review_submission",)

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Reject a pending KYC submission",
        description=REJECT_DESCRIPTION,
        request=serializers.KycRejectSerializer,
        responses=REJECT_RESPONSES,
    )
    def post(self, request):
        return self.review(request, request.data)

    def review(self, request, body) -> Response:
        serializer = serializers.KycRejectSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        submission = services.kyc_submission_reject(
            submission_id=data["kyc_id"], actor=request.user, reason=data["rejection_reason"], note=data["admin_note"]
        )
        return Response(_admin_submission_data(submission, request))


class AdminKycRejectByPathView(AdminKycRejectView):
    """The original client's form: the same view with the id from the path."""

    @extend_schema(
        operation_id="admin_kyc_reject_by_path",
        tags=[ADMIN_TAG],
        summary="Reject a pending KYC submission (the original client's form: the id in the path, `{reason}`)",
        description=REJECT_DESCRIPTION,
        request=path_form(serializers.KycRejectSerializer, "kyc_id"),
        parameters=[PATH_KYC_ID],
        responses=REJECT_RESPONSES,
    )
    def post(self, request, kyc_id: str):
        return self.review(request, body_with_path_id(request, field="kyc_id", raw=kyc_id))


DOCUMENT_CONTENT = OpenApiResponse(OpenApiTypes.BINARY, description="The document itself (local storage).")


class AdminKycRevokeView(APIView):
    permission_classes = [StaffWithPermission]
    staff_permissions = ("kyc.review_submission",)

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="Revoke the approval of a KYC submission",
        description=(
            "Needs `kyc.review_submission`. For an approval found wrong later: the submission becomes `rejected` "
            "with this reason and note, the investor's `kyc_status` follows (withdrawals stop; pending payouts are "
            "refused until they are rejected), and the investor may send new documents."
        ),
        request=serializers.KycRevokeSerializer,
        responses={
            200: serializers.AdminKycSubmissionSerializer,
            400: bad_request(("reason_required", "admin_note")),
            401: NOT_AUTHENTICATED,
            403: REVIEW_FORBIDDEN,
            404: SUBMISSION_NOT_FOUND,
            409: error_response("The submission is not approved.", "not_approved"),
        },
    )
    def post(self, request):
        serializer = serializers.KycRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        submission = services.kyc_submission_revoke(
            submission_id=data["kyc_id"], actor=request.user, reason=data["reason"], note=data["admin_note"]
        )
        return Response(_admin_submission_data(submission, request))


class AdminKycDocumentView(APIView):
    """Needs ``kyc.view_document``. Every call that finds the document logs one access."""

    permission_classes = [StaffWithPermission]
    staff_permissions = ("kyc.view_document",)

    def perform_content_negotiation(self, request, force=False):
        # The answer is the document, whatever the client accepts; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=[ADMIN_TAG],
        summary="One KYC document (logged)",
        description=(
            "Records who looked, when and from where, then serves the file. An image: on S3, a 302 to a "
            "presigned URL valid at most `KYC_PRESIGNED_URL_SECONDS` (≤ 5 minutes); on local storage, the "
            "bytes with `Content-Disposition: inline`. A PDF: always the bytes (read from S3 there) with "
            "`Content-Disposition: attachment`, a download, never shown in the browser. Bytes are sent with "
            "the document's sniffed type, `Cache-Control: private, no-store`, `X-Content-Type-Options: "
            "nosniff` and `Content-Security-Policy: sandbox`."
        ),
        responses={
            (200, "image/jpeg"): DOCUMENT_CONTENT,
            (200, "image/png"): DOCUMENT_CONTENT,
            (200, "application/pdf"): DOCUMENT_CONTENT,
            302: OpenApiResponse(description="An image on S3: the presigned URL is in `Location`."),
            401: NOT_AUTHENTICATED,
            403: error_response("Not staff, or without `kyc.view_document`.", "permission_denied"),
            404: error_response("No such document.", "not_found"),
        },
    )
    def get(self, request, document_id: int):
        if document_id > MAX_ID:
            raise ApplicationError(_("No such document."), code="not_found", status_code=404)
        view = services.kyc_document_view(
            document_id=document_id,
            staff=request.user,
            ip_address=get_client_ip_address(request._request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            via="api",
        )
        return kyc_document_response(view)
