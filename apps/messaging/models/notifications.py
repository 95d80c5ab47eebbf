"""In-app notices and each investor's email preferences.

Every notice has a category; its email copy goes out only when the recipient allows that
category (security and account notices always go)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationCategory(models.TextChoices):
    MONEY = "money", _("Money events")
    SUPPORT = "support", _("Support replies")
    TASKS = "tasks", _("Tasks")
    ANNOUNCEMENTS = "announcements", _("Announcements")
    ACCOUNT = "account", _("Account and identity")
    SECURITY = "security", _("Security")


# Categories an investor may turn email off for; the others always email.
OPTIONAL_EMAIL_CATEGORIES = (
    NotificationCategory.SUPPORT,
    NotificationCategory.TASKS,
    NotificationCategory.ANNOUNCEMENTS,
    NotificationCategory.MONEY,
)


class Notification(models.Model):
    """An in-app notice to one user (investor or staff); email copies are sent by a task."""

    # No single-column indexes on user, kind or announcement: every read leads with the user
    # (messaging_notice_user_unread) or the announcement (messaging_notice_one_per_announcement),
    # and each extra index slows the announcement job's inserts.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=40)
    category = models.CharField(
        _("category"), max_length=16, choices=NotificationCategory.choices, default=NotificationCategory.ACCOUNT
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    is_read = models.BooleanField(_("read"), default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set on the notices an announcement delivers: one per (announcement, user).
    announcement = models.ForeignKey(
        "messaging.Announcement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        db_index=False,
    )
    # A pinned announcement shows as a banner until its recipient dismisses it.
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "is_read", "-created_at"], name="messaging_notice_user_unread"),
            models.Index(
                fields=["user", "-id"],
                condition=Q(announcement__isnull=False, dismissed_at__isnull=True),
                name="messaging_notice_banner",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"],
                condition=Q(announcement__isnull=False),
                name="messaging_notice_one_per_announcement",
            ),
            models.CheckConstraint(
                condition=Q(category__in=NotificationCategory.values), name="messaging_notice_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Which optional notice categories an investor also wants by email (no row: all of them)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_support = models.BooleanField(_("support replies"), default=True)
    email_tasks = models.BooleanField(_("tasks"), default=True)
    email_announcements = models.BooleanField(_("announcements"), default=True)
    email_money = models.BooleanField(_("money events"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"

    def allows(self, category: str) -> bool:
        field = PREFERENCE_FIELDS.get(category)
        return True if field is None else getattr(self, field)


# category -> the preference field that switches its email off
PREFERENCE_FIELDS = {
    NotificationCategory.SUPPORT: "email_support",
    NotificationCategory.TASKS: "email_tasks",
    NotificationCategory.ANNOUNCEMENTS: "email_announcements",
    NotificationCategory.MONEY: "email_money",
}
