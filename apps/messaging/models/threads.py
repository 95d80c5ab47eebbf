"""Conversations between one investor and the platform's staff: support tickets (opened by the
investor), direct conversations (opened by staff) and task threads (one per task recipient).

A thread belongs to exactly one investor; staff answer as a team (one assignee at a time).
Internal notes are messages of kind ``note`` that only staff ever see. Every change of status,
priority, assignee or category is a ``ThreadEvent`` with its actor, written in the same
transaction as the change."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 5000
ATTACHMENTS_MAX = 3


class ThreadKind(models.TextChoices):
    SUPPORT = "support", _("Support ticket")
    DIRECT = "direct", _("Direct message")
    TASK = "task", _("Task")


class ThreadCategory(models.TextChoices):
    ACCOUNT = "account", _("Account")
    DEPOSIT = "deposit", _("Deposit")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    INVESTMENT = "investment", _("Investment")
    KYC = "kyc", _("Identity (KYC)")
    REFERRAL = "referral", _("Referral")
    OTHER = "other", _("Other")


class ThreadStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("thread status", "Open")
    WAITING_INVESTOR = "waiting_investor", _("Waiting on the investor")
    WAITING_STAFF = "waiting_staff", _("Waiting on staff")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# Statuses in which staff owe the investor an answer (the SLA clock runs).
STAFF_OWES = (ThreadStatus.OPEN, ThreadStatus.WAITING_STAFF)


class ThreadPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Thread(models.Model):
    investor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("investor"), on_delete=models.PROTECT, related_name="threads"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ThreadKind.choices, default=ThreadKind.SUPPORT)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH)
    category = models.CharField(
        _("category"), max_length=16, choices=ThreadCategory.choices, default=ThreadCategory.OTHER
    )
    status = models.CharField(_("status"), max_length=20, choices=ThreadStatus.choices, default=ThreadStatus.OPEN)
    priority = models.CharField(
        _("priority"), max_length=8, choices=ThreadPriority.choices, default=ThreadPriority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_threads",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status since"), default=timezone.now)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)
    # The newest message each side can see, for unread counts (internal notes never count).
    last_investor_message_id = models.BigIntegerField(null=True, blank=True, editable=False)
    last_staff_message_id = models.BigIntegerField(null=True, blank=True, editable=False)
    # SLA: since when staff owe an answer, and by when (empty while they owe none).
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["-last_message_at", "-id"]
        permissions = [
            ("handle_thread", "Can answer, assign and change support threads"),
            ("view_attachment_file", "Can open the files attached to messages"),
        ]
        indexes = [
            models.Index(fields=["investor", "-last_message_at"], name="messaging_thread_investor"),
            models.Index(fields=["status", "response_due_at"], name="messaging_thread_sla"),
            models.Index(fields=["assignee", "status"], name="messaging_thread_assignee"),
            models.Index(fields=["-last_message_at", "-id"], name="messaging_thread_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ThreadStatus.values), name="messaging_thread_status_valid"),
            models.CheckConstraint(
                condition=Q(priority__in=ThreadPriority.values), name="messaging_thread_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=ThreadCategory.values), name="messaging_thread_category_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=ThreadKind.values), name="messaging_thread_kind_valid"),
            models.CheckConstraint(condition=~Q(subject=""), name="messaging_thread_subject_required"),
            # The SLA clock runs only while staff owe an answer.
            models.CheckConstraint(
                condition=Q(status__in=STAFF_OWES) | Q(response_due_at__isnull=True, waiting_since__isnull=True),
                name="messaging_thread_due_only_when_owed",
            ),
            models.CheckConstraint(
                condition=Q(status=ThreadStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=ThreadStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="messaging_thread_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(assignee__isnull=True) | ~Q(assignee=F("investor")),
                name="messaging_thread_not_assigned_to_investor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_number} {self.subject}"

    @property
    def ticket_number(self) -> str:
        return f"#{self.pk}"

    def sla_breached(self, now=None) -> bool:
        return self.response_due_at is not None and self.response_due_at < (now or timezone.now())


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Message")
    NOTE = "note", _("Internal note")
    TASK = "task", _("Task")


class Message(models.Model):
    """One message of a thread. Never edited; notes (``kind=note``) are for staff only."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sent_messages")
    kind = models.CharField(_("kind"), max_length=8, choices=MessageKind.choices, default=MessageKind.REPLY)
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["thread", "id"], name="messaging_message_thread"),
            models.Index(fields=["sender", "-created_at"], name="messaging_message_sender_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MessageKind.values), name="messaging_message_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"Message #{self.pk}"

    @property
    def is_internal(self) -> bool:
        return self.kind == MessageKind.NOTE


class Attachment(models.Model):
    """A file of a message, on the private storage KYC documents use (random object name)."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    # The name in ``STORAGES["kyc"]``, read through that storage only (see ``apps.kyc.storage``).
    object_name = models.CharField(_("object name"), max_length=200, editable=False)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["message_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["object_name"], name="messaging_attachment_object_unique"),
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png", "application/pdf"]),
                name="messaging_attachment_content_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class AttachmentAccess(models.Model):
    """Who opened which attachment, when and from where: one row per view, never edited."""

    class Via(models.TextChoices):
        PORTAL = "portal", _("portal")
        ADMIN = "admin", _("admin")
        API = "api", _("API")

    attachment = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accessed_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.PORTAL)

    class Meta:
        verbose_name = _("attachment access")
        verbose_name_plural = _("attachment accesses")
        ordering = ["-accessed_at", "-id"]
        indexes = [models.Index(fields=["attachment", "-accessed_at"], name="messaging_access_attachment")]

    def __str__(self) -> str:
        return f"{self.user_id} opened {self.attachment_id}"


class ThreadReadState(models.Model):
    """How far one participant (the investor, or one staff member) has read a thread."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("read state")
        verbose_name_plural = _("read states")
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="messaging_read_one_per_user")]
        indexes = [models.Index(fields=["user", "thread"], name="messaging_read_user_thread")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} to {self.last_read_message_id}"


class ThreadEventKind(models.TextChoices):
    OPENED = "opened", pgettext_lazy("thread event", "Opened")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    CATEGORY_CHANGED = "category_changed", _("Category changed")
    ASSIGNED = "assigned", _("Assignee changed")
    REOPENED = "reopened", _("Reopened by the investor's reply")
    AUTO_CLOSED = "auto_closed", _("Closed for inactivity")
    TASK_ACCEPTED = "task_accepted", _("Task accepted")
    TASK_DECLINED = "task_declined", _("Task declined")
    TASK_SUBMITTED = "task_submitted", _("Proof submitted")
    TASK_FIRST_APPROVAL = "task_first_approval", _("Proof approved once (second approval needed)")
    TASK_APPROVED = "task_approved", _("Proof approved, reward paid")
    TASK_REJECTED = "task_rejected", _("Proof rejected")


class ThreadEvent(models.Model):
    """The thread's log: what changed, who did it (empty for the system) and when."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=24, choices=ThreadEventKind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("thread event")
        verbose_name_plural = _("thread events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "id"], name="messaging_event_thread")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.thread_id}"


class CannedReply(models.Model):
    """A ready answer staff pick while replying; ``{first_name}``, ``{platform_name}`` and
    ``{ticket_number}`` are filled in for the thread before sending."""

    title = models.CharField(_("title"), max_length=100)
    body_en = models.TextField(_("text (English)"), max_length=BODY_MAX_LENGTH)
    body_ar = models.TextField(_("text (Arabic)"), max_length=BODY_MAX_LENGTH, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["title"], name="messaging_canned_title_unique"),
            models.CheckConstraint(condition=~Q(body_en=""), name="messaging_canned_body_required"),
        ]

    def __str__(self) -> str:
        return self.title
