"""The one admin URL that shows a KYC document (``admin:kyc_document_view``).

``kyc_document_view`` checks ``kyc.view_document`` and logs the access before anything is served.
The answer (a redirect to a presigned URL on S3, the streamed file locally) is
``kyc_document_response``, shared with the API.
"""

from axes.helpers import get_client_ip_address
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from apps.common.errors import ApplicationError
from apps.kyc.responses import kyc_document_response
from apps.kyc.services import kyc_document_view


def document_view(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        view = kyc_document_view(
            document_id=document_id,
            staff=request.user,
            ip_address=get_client_ip_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            via="admin",
        )
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        raise Http404(exc.message) from None
    return kyc_document_response(view)
