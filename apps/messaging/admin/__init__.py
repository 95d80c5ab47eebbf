"""The messaging part of the staff admin: the support inbox and thread page, task proofs and
tasks, announcements, canned replies, and the read-only attachment-access and notice logs. Every
write is a service call (``apps.messaging.services``)."""

from apps.messaging.admin.announcements import AnnouncementAdmin
from apps.messaging.admin.canned import CannedReplyAdmin
from apps.messaging.admin.logs import AttachmentAccessAdmin, NotificationAdmin
from apps.messaging.admin.proofs import TaskAssignmentAdmin
from apps.messaging.admin.tasks import TaskAdmin
from apps.messaging.admin.threads import ThreadAdmin

__all__ = [
    "AnnouncementAdmin",
    "AttachmentAccessAdmin",
    "CannedReplyAdmin",
    "NotificationAdmin",
    "TaskAdmin",
    "TaskAssignmentAdmin",
    "ThreadAdmin",
]
