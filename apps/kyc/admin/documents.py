"""The one admin URL that shows a KYC document (``admin:kyc_document_view``).

``kyc_document_view`` checks ``kyc.view_document`` and logs the access before anything is served.
On S3 the answer is a redirect to a presigned URL that lives a few minutes; on the local folder the
file is streamed from here. Either way the browser is told not to keep it or guess its type.
"""

from axes.helpers import get_client_ip_address
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.kyc.services import kyc_document_view
from apps.kyc.storage import EXTENSIONS

CACHE_CONTROL = "private, no-store"


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
    # On S3 the service gives a presigned URL; locally the file is streamed from here.
    response = HttpResponseRedirect(view.url) if view.url else _file_response(view)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_response(view) -> FileResponse:
    document = view.document
    try:
        handle = view.open()
    except OSError:
        raise Http404(_("The file is missing from the KYC storage.")) from None
    name = f"kyc-{document.submission_id}-{document.side}.{EXTENSIONS[document.content_type]}"
    return FileResponse(handle, content_type=document.content_type, as_attachment=False, filename=name)
