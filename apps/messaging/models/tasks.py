"""Tasks (the original system's "offers"): staff ask investors to do something on a social
platform and submit a proof link, which staff approve or reject. A paid task pays a reward,
through the ledger, for each approved proof; an unpaid task (no reward, as the original's offers)
pays nothing.

A ``Task`` is what staff wrote, with its reward (or none) and total budget (0 without a reward);
each recipient gets a ``TaskAssignment`` with a thread of its own whose first message is the task.
An assignment of a paid task is paid at most once (natural key ``task:<assignment id>``), never
beyond the task's budget; an assignment of an unpaid task is never paid."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.models import money_field
from apps.messaging.models.audience import Delivery, Segment
from apps.messaging.models.threads import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH

PROOF_LINK_MAX_LENGTH = 500


class TaskPlatform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"
    X = "x", "X"
    TIKTOK = "tiktok", "TikTok"
    TELEGRAM = "telegram", "Telegram"
    OTHER = "other", _("Other")


class Task(Delivery):
    title = models.CharField(_("title"), max_length=SUBJECT_MAX_LENGTH)
    instructions_en = models.TextField(_("instructions (English)"), max_length=BODY_MAX_LENGTH)
    instructions_ar = models.TextField(_("instructions (Arabic)"), max_length=BODY_MAX_LENGTH, blank=True)
    platform = models.CharField(_("platform"), max_length=12, choices=TaskPlatform.choices)
    # Empty (NULL): an unpaid task, the original system's offer; approving a proof pays nothing.
    reward = money_field(
        _("reward"),
        null=True,
        blank=True,
        help_text=_("Empty: a task without a reward (approving a proof pays nothing)."),
    )
    budget = money_field(_("total budget"))
    # The sum of the rewards paid, written under the task's row lock in the paying transaction.
    paid_total = money_field(_("paid so far"), default=0, editable=False)
    currency = models.CharField(_("currency"), max_length=3, default=settings.PLATFORM_CURRENCY, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    # One investor, or (when empty) the segment of ``Delivery``.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("one investor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["-created_at", "-id"]
        permissions = [("review_task_proof", "Can approve (pay) and reject task proofs")]
        constraints = [
            # Written out for NULL: a CHECK whose condition is NULL passes.
            models.CheckConstraint(
                condition=Q(reward__isnull=True) | Q(reward__gt=0), name="messaging_task_reward_positive"
            ),
            models.CheckConstraint(
                condition=Q(reward__isnull=True, budget=0) | Q(reward__isnull=False, budget__gte=F("reward")),
                name="messaging_task_budget_covers_one",
            ),
            models.CheckConstraint(
                condition=Q(paid_total__gte=0, paid_total__lte=F("budget")), name="messaging_task_within_budget"
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=True) | Q(segment=Segment.ALL, segment_value=""),
                name="messaging_task_one_audience",
            ),
            models.CheckConstraint(condition=Q(platform__in=TaskPlatform.values), name="messaging_task_platform_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_paid(self) -> bool:
        """Whether an approved proof is paid (False: a task without a reward)."""
        return self.reward is not None

    @property
    def remaining_budget(self):
        return self.budget - self.paid_total

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def instructions_for(self, language: str) -> str:
        return self.instructions_ar if language == "ar" and self.instructions_ar else self.instructions_en


class AssignmentStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SUBMITTED = "submitted", _("Proof submitted")
    APPROVED = "approved", _("Approved, reward paid")
    REJECTED = "rejected", _("Proof rejected")


# The original API's ``link_status`` of a task message, from the assignment's status.
LINK_STATUS = {
    AssignmentStatus.OFFERED: "",
    AssignmentStatus.ACCEPTED: "",
    AssignmentStatus.DECLINED: "",
    AssignmentStatus.SUBMITTED: "pending",
    AssignmentStatus.APPROVED: "approved",
    AssignmentStatus.REJECTED: "rejected",
}


class TaskAssignment(models.Model):
    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("investor"), on_delete=models.PROTECT, related_name="task_assignments"
    )
    thread = models.OneToOneField(
        "messaging.Thread", on_delete=models.PROTECT, related_name="task_assignment", editable=False
    )
    # The task as the first message of the thread (what the original API calls the offer message).
    message = models.OneToOneField(
        "messaging.Message", on_delete=models.PROTECT, related_name="task_assignment", editable=False
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.OFFERED
    )
    # The task's ``is_paid`` at delivery (a task never changes once sent): lets the database tie
    # an approval to its payment without reading the task.
    pays_reward = models.BooleanField(_("pays a reward"), editable=False)
    responded_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    proof_link = models.URLField(_("proof link"), max_length=PROOF_LINK_MAX_LENGTH, blank=True)
    submitted_at = models.DateTimeField(_("proof submitted at"), null=True, blank=True, db_index=True)
    # Above FOUR_EYES_THRESHOLD a first approval is recorded here and a second staff member pays.
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first_approved_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("reason"), blank=True)
    entry = models.OneToOneField(
        "wallet.Entry", null=True, blank=True, on_delete=models.PROTECT, related_name="task_assignment"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("task recipient")
        verbose_name_plural = _("task recipients")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "submitted_at", "id"], name="messaging_assignment_queue"),
            models.Index(fields=["user", "-created_at"], name="messaging_assignment_user"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["task", "user"], name="messaging_assignment_one_per_user"),
            models.CheckConstraint(
                condition=Q(status__in=AssignmentStatus.values), name="messaging_assignment_status_valid"
            ),
            # A paid task's recipient is paid iff approved (the entry is the one payment); an
            # unpaid task's recipient never is.
            models.CheckConstraint(
                condition=Q(status=AssignmentStatus.APPROVED, pays_reward=True, entry__isnull=False)
                | ((~Q(status=AssignmentStatus.APPROVED) | Q(pays_reward=False)) & Q(entry__isnull=True)),
                name="messaging_assignment_paid_iff_approved",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[AssignmentStatus.SUBMITTED, AssignmentStatus.APPROVED]) | ~Q(proof_link=""),
                name="messaging_assignment_proof_when_submitted",
            ),
            # Four eyes: the second approver is never the first; nobody reviews their own proof.
            models.CheckConstraint(
                condition=Q(first_approved_by__isnull=True)
                | Q(reviewed_by__isnull=True)
                | ~Q(first_approved_by=F("reviewed_by")),
                name="messaging_assignment_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(reviewed_by__isnull=True) | ~Q(reviewed_by=F("user")),
                name="messaging_assignment_not_self_reviewed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.user_id}"

    @property
    def status_text(self) -> str:
        """The status in words: an approved proof of an unpaid task is only "Approved"."""
        if self.status == AssignmentStatus.APPROVED and not self.pays_reward:
            return str(_("Approved"))
        return self.get_status_display()

    @property
    def link_status(self) -> str:
        return LINK_STATUS[AssignmentStatus(self.status)]
