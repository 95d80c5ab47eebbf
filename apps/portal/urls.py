from django.urls import path

from apps.portal.views import accounts as views
from apps.portal.views import dashboard, investments, kyc, messages, mfa, notifications, wallet
from apps.portal.views import referrals as referral_views

app_name = "portal"
urlpatterns = [
    path("", dashboard.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("r/<str:code>/", views.signup_referral, name="signup_referral"),
    path("login/", views.login, name="login"),
    path("login/code/", mfa.login_code, name="login_code"),
    path("logout/", views.logout, name="logout"),
    path("verify-email/<str:token>/", views.verify_email, name="verify_email"),
    path("verify-email/", views.verify_email_resend, name="verify_email_resend"),
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/reset/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password/change/", views.password_change, name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("profile/security/", mfa.security, name="security"),
    path("profile/security/setup/", mfa.security_setup, name="security_setup"),
    path("profile/security/recovery-codes/", mfa.security_codes, name="security_codes"),
    path("profile/security/recovery-codes/new/", mfa.security_regenerate, name="security_regenerate"),
    path("profile/security/turn-off/", mfa.security_disable, name="security_disable"),
    path("language/", views.language_set, name="language_set"),
    # wallet
    path("wallet/", wallet.wallet, name="wallet"),
    path("wallet/deposit/", wallet.deposit, name="wallet_deposit"),
    path("wallet/withdraw/", wallet.withdraw, name="wallet_withdraw"),
    path("wallet/requests/", wallet.request_list, name="wallet_requests"),
    path("wallet/deposits/<int:deposit_id>/cancel/", wallet.deposit_cancel, name="wallet_deposit_cancel"),
    path("wallet/withdrawals/<int:withdrawal_id>/cancel/", wallet.withdrawal_cancel, name="wallet_withdrawal_cancel"),
    path("wallet/statement/", wallet.statement, name="wallet_statement"),
    path("wallet/statement.csv", wallet.statement_csv, name="wallet_statement_csv"),
    # investments
    path("plans/", investments.plan_list, name="plans"),
    path("plans/<int:plan_id>/invest/", investments.plan_invest, name="plan_invest"),
    path("investments/", investments.position_list, name="investments"),
    path("investments/<int:position_id>/", investments.position_detail, name="investment"),
    # notices
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notifications_mark_read, name="notifications_mark_read"),
    path(
        "notifications/<int:notification_id>/read/", notifications.notification_mark_read, name="notification_mark_read"
    ),
    path(
        "notifications/<int:notification_id>/dismiss/", notifications.notification_dismiss, name="notification_dismiss"
    ),
    path("notifications/preferences/", notifications.notification_preferences, name="notification_preferences"),
    # messages with support, and tasks
    path("messages/", messages.message_list, name="messages"),
    path("messages/new/", messages.message_new, name="message_new"),
    path("messages/<int:thread_id>/", messages.thread, name="thread"),
    path("messages/attachments/<int:attachment_id>/", messages.attachment, name="message_attachment"),
    path("messages/tasks/<int:assignment_id>/accept/", messages.task_accept, name="task_accept"),
    path("messages/tasks/<int:assignment_id>/decline/", messages.task_decline, name="task_decline"),
    path("messages/tasks/<int:assignment_id>/proof/", messages.task_proof, name="task_proof"),
    # referrals
    path("referrals/", referral_views.referrals, name="referrals"),
    # identity check
    path("kyc/", kyc.kyc, name="kyc"),
]
