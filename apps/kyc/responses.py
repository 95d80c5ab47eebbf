"""The HTTP answer to a staff view of a KYC document, shared by the admin and the API.

Images (re-encoded on upload, so pixels only) are shown: on S3 by a redirect to the presigned URL
the service made, locally streamed from here. PDFs are always streamed from here (read from S3 when
the storage is S3) as a download: ``Content-Disposition: attachment``, so no PDF is ever rendered
by the browser in a page of ours or of the bucket. Every streamed file is sent with
``X-Content-Type-Options: nosniff`` and ``Content-Security-Policy: sandbox`` (should a browser
render it anyway, it runs no script and has no origin), and nothing is cached."""

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from apps.kyc.files import PDF
from apps.kyc.services import DocumentView
from apps.kyc.storage import EXTENSIONS

CACHE_CONTROL = "private, no-store"
CONTENT_SECURITY_POLICY = "sandbox"


def kyc_document_response(view: DocumentView) -> HttpResponse:
    document = view.document
    return private_file_response(
        url=view.url,
        open_file=view.open,
        content_type=document.content_type,
        filename=f"kyc-{document.submission_id}-{document.side}.{EXTENSIONS[document.content_type]}",
    )


def private_file_response(*, url: str | None, open_file, content_type: str, filename: str) -> HttpResponse:
    """A file of the private storage: an image as a redirect to its presigned ``url`` (S3) or
    streamed from ``open_file()`` (local folder); a PDF always streamed, as an attachment. Never
    cached and never type-guessed. Also used for message attachments (``apps.messaging``)."""
    if url and content_type != PDF:
        response = HttpResponseRedirect(url)
    else:
        response = _file_response(open_file, content_type, filename)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_response(open_file, content_type: str, filename: str) -> FileResponse:
    try:
        handle = open_file()
    except OSError:
        raise Http404(_("The file is missing from the private storage.")) from None
    return FileResponse(handle, content_type=content_type, as_attachment=content_type == PDF, filename=filename)
