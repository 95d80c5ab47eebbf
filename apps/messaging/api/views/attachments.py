"""The download of a message's file: permission-checked and logged, like a KYC document."""

from axes.helpers import get_client_ip_address
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from apps.common.api.schema import NOT_AUTHENTICATED, error_response
from apps.kyc.responses import private_file_response
from apps.messaging.api.views.common import THREADS_TAG, path_id
from apps.messaging.services import attachments as attachment_services

FILE_CONTENT = OpenApiResponse(OpenApiTypes.BINARY, description="The file itself (local storage).")


class AttachmentView(APIView):
    """The thread's investor (never a file of an internal note), or staff with
    ``messaging.view_attachment_file``; anyone else gets the 404 a missing file gets."""

    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request, force=False):
        # The answer is the file, whatever the client accepts; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=[THREADS_TAG],
        summary="One attachment (logged)",
        description=(
            "For the conversation's investor, or staff with `messaging.view_attachment_file`. Records who "
            "looked, when and from where, then serves the file: an image on S3 as a 302 to a presigned URL valid "
            "at most `KYC_PRESIGNED_URL_SECONDS`; otherwise the bytes with the file's sniffed type, "
            "`Cache-Control: private, no-store`, `X-Content-Type-Options: nosniff` and "
            "`Content-Security-Policy: sandbox`, an image `inline`, a PDF as an `attachment` (a download, never "
            "shown in the browser). Anyone else's file is a 404."
        ),
        parameters=[path_id("attachment_id", "The attachment's id.")],
        responses={
            (200, "image/jpeg"): FILE_CONTENT,
            (200, "image/png"): FILE_CONTENT,
            (200, "application/pdf"): FILE_CONTENT,
            302: OpenApiResponse(description="S3: the presigned URL is in `Location`."),
            401: NOT_AUTHENTICATED,
            404: error_response("No such file, or not one the caller may open.", "not_found"),
        },
    )
    def get(self, request, attachment_id: int):
        view = attachment_services.attachment_view(
            attachment_id=attachment_id,
            user=request.user,
            ip_address=get_client_ip_address(request._request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            via="api",
        )
        attachment = view.attachment
        return private_file_response(
            url=view.url, open_file=view.open, content_type=attachment.content_type, filename=attachment.name
        )
