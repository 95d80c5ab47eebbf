from django.urls import path

from apps.accounts.api import views

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
]
