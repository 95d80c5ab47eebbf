from django.urls import path

import apps.common.api.paths  # noqa: F401  (registers the path_id converter)
from apps.messaging.api.views import admin, attachments, messages, notifications, tasks, threads

urlpatterns = [
    # The original API (with the original client's id-in-the-path forms).
    path("messages/", messages.MessageListView.as_view(), name="api-messages"),
    path("messages/send/", messages.MessageSendView.as_view(), name="api-messages-send"),
    path("messages/mark-read/", messages.MessageMarkReadView.as_view(), name="api-messages-mark-read"),
    path(
        "messages/mark-read/<path_id:message_id>/",
        messages.MessageMarkReadByPathView.as_view(),
        name="api-messages-mark-read-path",
    ),
    path("messages/submit-link/", messages.MessageSubmitLinkView.as_view(), name="api-messages-submit-link"),
    path(
        "messages/submit-link/<path_id:message_id>/",
        messages.MessageSubmitLinkByPathView.as_view(),
        name="api-messages-submit-link-path",
    ),
    path("admin/messages/", admin.AdminMessageListView.as_view(), name="api-admin-messages"),
    path("admin/messages/approve-link/", admin.AdminApproveLinkView.as_view(), name="api-admin-messages-approve"),
    path(
        "admin/messages/approve-link/<path_id:message_id>/",
        admin.AdminApproveLinkByPathView.as_view(),
        name="api-admin-messages-approve-path",
    ),
    path("admin/messages/reject-link/", admin.AdminRejectLinkView.as_view(), name="api-admin-messages-reject"),
    path(
        "admin/messages/reject-link/<path_id:message_id>/",
        admin.AdminRejectLinkByPathView.as_view(),
        name="api-admin-messages-reject-path",
    ),
    # Conversations, files, tasks and notifications for new clients.
    path("threads/", threads.ThreadListView.as_view(), name="api-threads"),
    path("threads/<int:thread_id>/", threads.ThreadDetailView.as_view(), name="api-thread"),
    path("threads/<int:thread_id>/reply/", threads.ThreadReplyView.as_view(), name="api-thread-reply"),
    path("threads/<int:thread_id>/read/", threads.ThreadReadView.as_view(), name="api-thread-read"),
    path("threads/<int:thread_id>/note/", threads.ThreadNoteView.as_view(), name="api-thread-note"),
    path("threads/<int:thread_id>/assign/", threads.ThreadAssignView.as_view(), name="api-thread-assign"),
    path("threads/<int:thread_id>/status/", threads.ThreadStatusView.as_view(), name="api-thread-status"),
    path("threads/<int:thread_id>/priority/", threads.ThreadPriorityView.as_view(), name="api-thread-priority"),
    path("threads/<int:thread_id>/category/", threads.ThreadCategoryView.as_view(), name="api-thread-category"),
    path("attachments/<int:attachment_id>/", attachments.AttachmentView.as_view(), name="api-messaging-attachment"),
    path("tasks/", tasks.TaskListView.as_view(), name="api-tasks"),
    path("tasks/<int:task_id>/accept/", tasks.TaskAcceptView.as_view(), name="api-task-accept"),
    path("tasks/<int:task_id>/decline/", tasks.TaskDeclineView.as_view(), name="api-task-decline"),
    path("tasks/<int:task_id>/submit/", tasks.TaskSubmitView.as_view(), name="api-task-submit"),
    path("notifications/", notifications.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/mark-read/",
        notifications.NotificationMarkReadView.as_view(),
        name="api-notifications-mark-read",
    ),
    path(
        "notifications/preferences/",
        notifications.NotificationPreferencesView.as_view(),
        name="api-notifications-preferences",
    ),
    path(
        "notifications/<int:notification_id>/dismiss/",
        notifications.NotificationDismissView.as_view(),
        name="api-notification-dismiss",
    ),
]
