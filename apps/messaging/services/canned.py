"""Canned replies: texts staff keep ready, with variables filled in for the thread at hand."""

import re

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.common.text import multi_line, single_line
from apps.messaging.models import CannedReply, Thread
from apps.messaging.models.threads import BODY_MAX_LENGTH

VARIABLES = ("first_name", "platform_name", "ticket_number")
VARIABLE = re.compile(r"\{(\w+)\}")


def canned_text_clean(value, *, field: str, required: bool = True) -> str:
    """The text, with only known ``{variables}``."""
    text = multi_line(value)
    if not text:
        if required:
            raise ApplicationError(_("Write the reply's text."), code="text_required", field=field)
        return ""
    if len(text) > BODY_MAX_LENGTH:
        raise ApplicationError(
            _("The text is too long (at most %(max)s characters).") % {"max": BODY_MAX_LENGTH},
            code="text_too_long",
            field=field,
        )
    unknown = sorted({name for name in VARIABLE.findall(text) if name not in VARIABLES})
    if unknown:
        raise ApplicationError(
            _("Unknown variables: %(unknown)s. Use %(known)s.")
            % {
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in VARIABLES),
            },
            code="unknown_variable",
            field=field,
        )
    return text


@transaction.atomic(durable=True)
def canned_reply_save(
    *, staff, title, body_en, body_ar="", is_active=True, canned_reply: CannedReply | None = None
) -> CannedReply:
    """Create (``canned_reply=None``) or change a canned reply."""
    permission = "messaging.change_cannedreply" if canned_reply else "messaging.add_cannedreply"
    if not (staff.is_staff and staff.has_perm(permission)):
        raise ApplicationError(_("You may not manage canned replies."), code="permission_denied", status_code=403)
    title = single_line(title)
    if not title or len(title) > 100:
        raise ApplicationError(_("Give the reply a title of at most 100 characters."), code="invalid", field="title")
    duplicate = CannedReply.objects.filter(title__iexact=title)
    if canned_reply is not None:
        duplicate = duplicate.exclude(pk=canned_reply.pk)
    if duplicate.exists():
        raise ApplicationError(_("Another canned reply has this title."), code="duplicate_title", field="title")
    reply = canned_reply or CannedReply(created_by=staff)
    reply.title = title
    reply.body_en = canned_text_clean(body_en, field="body_en")
    reply.body_ar = canned_text_clean(body_ar, field="body_ar", required=False)
    reply.is_active = bool(is_active)
    reply.save()
    return reply


def canned_reply_render(*, canned_reply: CannedReply, thread: Thread) -> str:
    """The reply in the investor's language (Arabic when written), variables filled in; an
    unknown ``{name}`` is left as it is."""
    investor = thread.investor
    text = canned_reply.body_ar if investor.language == "ar" and canned_reply.body_ar else canned_reply.body_en
    values = {
        "first_name": investor.first_name or investor.username or investor.email.split("@")[0],
        "platform_name": settings.PLATFORM_NAME,
        "ticket_number": thread.ticket_number,
    }
    return VARIABLE.sub(lambda match: values.get(match.group(1), match.group(0)), text)
