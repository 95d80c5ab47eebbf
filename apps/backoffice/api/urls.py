from django.urls import path

import apps.common.api.paths  # noqa: F401  (registers the path_id converter)
from apps.backoffice.api import users, views

urlpatterns = [
    path("admin/stats/", views.AdminStatsView.as_view(), name="api-admin-stats"),
    path("admin/users/", users.AdminUserListView.as_view(), name="api-admin-users"),
    path("admin/users/update/", users.AdminUserUpdateView.as_view(), name="api-admin-users-update"),
    path(
        "admin/users/update/<path_id:user_id>/",
        users.AdminUserUpdateByPathView.as_view(),
        name="api-admin-users-update-path",
    ),
    path("admin/users/delete/", users.AdminUserDeleteView.as_view(), name="api-admin-users-delete"),
    path(
        "admin/users/delete/<path_id:user_id>/",
        users.AdminUserDeleteByPathView.as_view(),
        name="api-admin-users-delete-path",
    ),
]
