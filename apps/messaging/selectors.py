from django.db.models import QuerySet

from apps.messaging.models import Notification


def notification_list_for_user(*, user) -> QuerySet:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, is_read=False).count()
