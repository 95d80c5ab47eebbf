"""The HTTP answer to a staff view of a KYC document, shared by the admin and the API.

On S3 it is a redirect to the presigned URL the service made; locally the file is streamed from
here. Either way the browser is told not to keep it or guess its type."""

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from apps.kyc.services import DocumentView
from apps.kyc.storage import EXTENSIONS

CACHE_CONTROL = "private, no-store"


def kyc_document_response(view: DocumentView) -> HttpResponse:
    document = view.document
    return private_file_response(
        url=view.url,
        open_file=view.open,
        content_type=document.content_type,
        filename=f"kyc-{document.submission_id}-{document.side}.{EXTENSIONS[document.content_type]}",
    )


def private_file_response(*, url: str | None, open_file, content_type: str, filename: str) -> HttpResponse:
    """A file of the private storage: a redirect to its presigned ``url`` (S3), or the file
    streamed from ``open_file()`` (local folder), never cached and never type-guessed. Also used
    for message attachments (``apps.messaging``)."""
    response = HttpResponseRedirect(url) if url else _file_response(open_file, content_type, filename)
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_response(open_file, content_type: str, filename: str) -> FileResponse:
    try:
        handle = open_file()
    except OSError:
        raise Http404(_("The file is missing from the private storage.")) from None
    return FileResponse(handle, content_type=content_type, as_attachment=False, filename=filename)
