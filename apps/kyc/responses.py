"""The HTTP answer to a staff view of a KYC document, shared by the admin and the API.

On S3 it is a redirect to the presigned URL the service made; locally the file is streamed from
here. Either way the browser is told not to keep it or guess its type."""

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from apps.kyc.services import DocumentView
from apps.kyc.storage import EXTENSIONS

CACHE_CONTROL = "private, no-store"


def kyc_document_response(view: DocumentView) -> HttpResponse:
    response = HttpResponseRedirect(view.url) if view.url else _file_response(view)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_response(view: DocumentView) -> FileResponse:
    document = view.document
    try:
        handle = view.open()
    except OSError:
        raise Http404(_("The file is missing from the KYC storage.")) from None
    name = f"kyc-{document.submission_id}-{document.side}.{EXTENSIONS[document.content_type]}"
    return FileResponse(handle, content_type=document.content_type, as_attachment=False, filename=name)
