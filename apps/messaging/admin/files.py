"""The one admin URL that serves a message attachment (``admin:messaging_attachment_view``).

Staff need ``messaging.view_attachment_file`` (anyone else: 403). The service logs the access
before anything is served; the answer is the private-file response KYC documents use (a redirect
to a presigned URL on S3, the streamed file locally; never cached, never type-guessed)."""

from axes.helpers import get_client_ip_address
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.kyc.responses import private_file_response
from apps.messaging.services.attachments import attachment_view

VIEW_PERMISSION = "messaging.view_attachment_file"


def attachment_file_view(request: HttpRequest, attachment_id: int) -> HttpResponse:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied(_("You may not open the files attached to messages."))
    try:
        view = attachment_view(
            attachment_id=attachment_id,
            user=request.user,
            ip_address=get_client_ip_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            via="admin",
        )
    except ApplicationError as exc:
        raise Http404(exc.message) from None
    attachment = view.attachment
    return private_file_response(
        url=view.url, open_file=view.open, content_type=attachment.content_type, filename=attachment.name
    )
