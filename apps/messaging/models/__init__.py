"""The messaging center's models: conversations, tasks, announcements and notices."""

from apps.messaging.models.announcements import Announcement
from apps.messaging.models.audience import DeliveryStatus, Segment
from apps.messaging.models.notifications import (
    Notification,
    NotificationCategory,
    NotificationPreference,
)
from apps.messaging.models.tasks import AssignmentStatus, Task, TaskAssignment, TaskPlatform
from apps.messaging.models.threads import (
    Attachment,
    AttachmentAccess,
    CannedReply,
    Message,
    MessageKind,
    Thread,
    ThreadCategory,
    ThreadEvent,
    ThreadEventKind,
    ThreadKind,
    ThreadPriority,
    ThreadReadState,
    ThreadStatus,
)

__all__ = [
    "Announcement",
    "AssignmentStatus",
    "Attachment",
    "AttachmentAccess",
    "CannedReply",
    "DeliveryStatus",
    "Message",
    "MessageKind",
    "Notification",
    "NotificationCategory",
    "NotificationPreference",
    "Segment",
    "Task",
    "TaskAssignment",
    "TaskPlatform",
    "Thread",
    "ThreadCategory",
    "ThreadEvent",
    "ThreadEventKind",
    "ThreadKind",
    "ThreadPriority",
    "ThreadReadState",
    "ThreadStatus",
]
