from django.urls import path

import apps.common.api.paths  # noqa: F401  (registers the path_id converter)
from apps.accounts.api import staff, views

urlpatterns = [
    path("auth/signup/", views.SignupView.as_view(), name="api-auth-signup"),
    path("auth/login/", views.LoginView.as_view(), name="api-auth-login"),
    path("auth/logout/", views.LogoutView.as_view(), name="api-auth-logout"),
    path("auth/token/refresh/", views.TokenRefreshView.as_view(), name="api-auth-token-refresh"),
    path("auth/verify-email/", views.EmailVerifyView.as_view(), name="api-auth-verify-email"),
    path("auth/forgot-password/", views.PasswordForgotView.as_view(), name="api-auth-forgot-password"),
    path("auth/reset-password/", views.PasswordResetView.as_view(), name="api-auth-reset-password"),
    path("auth/change-password/", views.PasswordChangeView.as_view(), name="api-auth-change-password"),
    path("users/profile/", views.ProfileView.as_view(), name="api-users-profile"),
    path("users/profile/update/", views.ProfileUpdateView.as_view(), name="api-users-profile-update"),
    path("admin/users/", staff.AdminUserListView.as_view(), name="api-admin-users"),
    path("admin/users/update/", staff.AdminUserUpdateView.as_view(), name="api-admin-users-update"),
    path(
        "admin/users/update/<path_id:user_id>/",
        staff.AdminUserUpdateByPathView.as_view(),
        name="api-admin-users-update-path",
    ),
    path("admin/users/delete/", staff.AdminUserDeleteView.as_view(), name="api-admin-users-delete"),
    path(
        "admin/users/delete/<path_id:user_id>/",
        staff.AdminUserDeleteByPathView.as_view(),
        name="api-admin-users-delete-path",
    ),
]
