"""Announcements: staff write one (English and Arabic), choose a segment, and send it now or at
a time. A Celery job delivers it in chunks (``delivery``): each chunk is one set-based
``INSERT … SELECT`` of one notice per recipient, in the recipient's language, skipping anyone who
already has it; the email copies of a chunk are sent after it commits, in batches, to those who
allow announcement emails."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import BooleanField, Case, CharField, DateTimeField, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError, ConflictError
from apps.common.text import single_line
from apps.messaging.models import Announcement, DeliveryStatus, Notification, NotificationCategory
from apps.messaging.segments import segment_clean, segment_users
from apps.messaging.services.delivery import Chunk, delivery_run, delivery_start
from apps.messaging.services.threads import body_clean, subject_clean

SEND_PERMISSION = "messaging.send_announcement"
KIND = "announcement"
EDITABLE = (DeliveryStatus.DRAFT, DeliveryStatus.SCHEDULED)


def link_clean(value, *, field: str = "link") -> str:
    """Empty, a path of this site (``/plans/``), or an http(s) address."""
    link = single_line(value)
    if not link:
        return ""
    if len(link) > 300:
        raise ApplicationError(_("The link is too long (at most 300 characters)."), code="invalid_link", field=field)
    # A path of this site; browsers read "//host" and "/\host" (backslash) as another site.
    if link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        raise ApplicationError(
            _("Enter a page of this site (starting with /) or an http:// or https:// address."),
            code="invalid_link",
            field=field,
        ) from None
    return link


def _staff_check(staff, permission: str = SEND_PERMISSION) -> None:
    if not (staff.is_active and staff.is_staff and staff.has_perm(permission)):
        raise ApplicationError(_("You may not send announcements."), code="permission_denied", status_code=403)


def announcement_fields_clean(
    *, title_en, body_en, title_ar="", body_ar="", link="", segment="all", segment_value="", send_at=None
) -> dict:
    """Every field checked at once; returns what the model stores."""
    cleaned, errors = {}, []
    checks = {
        "title_en": lambda: subject_clean(title_en, field="title_en"),
        "body_en": lambda: body_clean(body_en, field="body_en"),
        "title_ar": lambda: subject_clean(title_ar, field="title_ar") if single_line(title_ar) else "",
        "body_ar": lambda: body_clean(body_ar, field="body_ar") if single_line(body_ar) else "",
        "link": lambda: link_clean(link),
        "segment": lambda: segment_clean(segment=segment, value=segment_value),
        "send_at": lambda: _send_at_clean(send_at),
    }
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except ApplicationError as error:
            errors.append(error)
    if bool(cleaned.get("title_ar")) != bool(cleaned.get("body_ar")) and not errors:
        raise ApplicationError(
            _("Write both the Arabic title and the Arabic text, or neither."), code="invalid", field="body_ar"
        )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        field_errors = {name: messages for error in errors for name, messages in error.field_errors.items()}
        raise ApplicationError(_("Correct the errors below."), code="invalid", field_errors=field_errors)
    cleaned["segment"], cleaned["segment_value"] = cleaned["segment"]
    return cleaned


def _send_at_clean(value):
    if value in (None, ""):
        return None
    if not hasattr(value, "tzinfo") or timezone.is_naive(value):
        raise ApplicationError(_("Enter a date and time."), code="invalid_send_at", field="send_at")
    if value <= timezone.now():
        raise ApplicationError(_("Choose a time in the future, or send now."), code="invalid_send_at", field="send_at")
    return value


@transaction.atomic(durable=True)
def announcement_create(*, staff, pinned: bool = False, **fields) -> Announcement:
    """A draft; ``announcement_send`` sends or schedules it."""
    _staff_check(staff, "messaging.add_announcement")
    cleaned = announcement_fields_clean(**fields)
    return Announcement.objects.create(created_by=staff, pinned=bool(pinned), **cleaned)


@transaction.atomic(durable=True)
def announcement_update(*, announcement_id, staff, pinned: bool = False, **fields) -> Announcement:
    _staff_check(staff, "messaging.change_announcement")
    announcement = _locked(announcement_id)
    if announcement.status not in EDITABLE:
        raise ConflictError(_("An announcement that was sent cannot be changed."), code="already_sent")
    for name, value in announcement_fields_clean(**fields).items():
        setattr(announcement, name, value)
    announcement.pinned = bool(pinned)
    announcement.save()
    return announcement


@transaction.atomic(durable=True)
def announcement_send(*, announcement_id, staff) -> Announcement:
    """Send now (no ``send_at``, or one already past) or schedule for ``send_at``."""
    _staff_check(staff)
    announcement = _locked(announcement_id)
    if announcement.status not in EDITABLE:
        raise ConflictError(_("This announcement was already sent."), code="already_sent")
    if announcement.send_at and announcement.send_at > timezone.now():
        announcement.status = DeliveryStatus.SCHEDULED
        announcement.save(update_fields=["status"])
        return announcement
    delivery_start(announcement)
    _deliver_after_commit(announcement.pk)
    return announcement


@transaction.atomic(durable=True)
def announcement_cancel(*, announcement_id, staff) -> Announcement:
    """A scheduled announcement goes back to draft (nothing was delivered yet)."""
    _staff_check(staff)
    announcement = _locked(announcement_id)
    if announcement.status != DeliveryStatus.SCHEDULED:
        raise ConflictError(_("Only a scheduled announcement can be cancelled."), code="not_scheduled")
    announcement.status = DeliveryStatus.DRAFT
    announcement.save(update_fields=["status"])
    return announcement


def _locked(announcement_id) -> Announcement:
    try:
        announcement_id = int(announcement_id)
    except (TypeError, ValueError):
        announcement_id = None
    announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
    if announcement is None:
        raise ApplicationError(_("No such announcement."), code="not_found", status_code=404)
    return announcement


def _deliver_after_commit(announcement_id: int) -> None:
    from apps.messaging.tasks import announcement_deliver_task

    transaction.on_commit(lambda: announcement_deliver_task.delay(announcement_id))


def announcements_due_start(*, now=None) -> list[int]:
    """Start the scheduled announcements whose time has come; return every announcement that is
    (still) sending, so the caller re-dispatches deliveries a killed worker left unfinished."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Announcement.objects.select_for_update(skip_locked=True).filter(
                status=DeliveryStatus.SCHEDULED, send_at__lte=now
            )
        )
        for announcement in due:
            delivery_start(announcement)
    return list(Announcement.objects.filter(status=DeliveryStatus.SENDING).values_list("pk", flat=True))


# --- delivery (the Celery job) --------------------------------------------------------------------

NOTICE_COLUMNS = ("user_id", "kind", "category", "title", "body", "link", "is_read", "created_at", "announcement_id")


def announcement_deliver(*, announcement_id: int, chunk_size: int | None = None, max_chunks: int | None = None) -> int:
    """Deliver the announcement's remaining chunks; returns the notices written by this call."""
    return delivery_run(
        model=Announcement,
        pk=announcement_id,
        recipients=lambda announcement: segment_users(segment=announcement.segment, value=announcement.segment_value),
        write=notices_insert,
        after_commit=_emails_after_chunk,
        chunk_size=chunk_size,
        max_chunks=max_chunks,
    )


def _by_language(*, english: str, arabic: str):
    if not arabic:
        return Value(english, output_field=CharField())
    return Case(When(language="ar", then=Value(arabic)), default=Value(english), output_field=CharField())


def notices_insert(announcement: Announcement, chunk: Chunk) -> int:
    """One ``INSERT … SELECT … ON CONFLICT DO NOTHING`` writing the chunk's notices."""
    columns = {
        "n_user": F("pk"),
        "n_kind": Value(KIND, output_field=CharField()),
        "n_category": Value(NotificationCategory.ANNOUNCEMENTS, output_field=CharField()),
        "n_title": _by_language(english=announcement.title_en, arabic=announcement.title_ar),
        "n_body": _by_language(english=announcement.body_en, arabic=announcement.body_ar),
        "n_link": Value(announcement.link, output_field=CharField()),
        "n_is_read": Value(False, output_field=BooleanField()),
        "n_created_at": Value(timezone.now(), output_field=DateTimeField()),
        "n_announcement": Value(announcement.pk, output_field=IntegerField()),
    }
    rows = chunk.users.order_by().annotate(**columns).values_list(*columns)
    select_sql, params = rows.query.get_compiler(connection=connection).as_sql()
    table = connection.ops.quote_name(Notification._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in NOTICE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {select_sql} ON CONFLICT DO NOTHING", params)
        return max(cursor.rowcount, 0)


def _emails_after_chunk(announcement_id: int, chunk: Chunk) -> None:
    """Queue the chunk's email copies. The last chunk's task covers the whole announcement: a
    worker killed between a chunk's commit and this call left that chunk's copies unqueued, and
    they go then (copies already sent are stamped and skipped)."""
    from apps.messaging.tasks import announcement_emails_send_task

    after = chunk.after if chunk.through is not None else 0
    announcement_emails_send_task.delay(announcement_id, after, chunk.through)
