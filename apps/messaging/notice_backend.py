"""The backend of ``apps.common.notices`` (``settings.NOTICE_BACKEND``): the notices of the apps
below messaging (accounts' security notices) are messaging's notifications."""

from apps.messaging.models import Notification
from apps.messaging.services import notification_send


class NotificationNoticeBackend:
    @staticmethod
    def send(*, user, kind: str, title, body, link: str) -> None:
        notification_send(user=user, kind=kind, title=title, body=body, link=link)

    @staticmethod
    def sent_since(*, user, kind: str, since) -> bool:
        return Notification.objects.filter(user=user, kind=kind, created_at__gte=since).exists()
