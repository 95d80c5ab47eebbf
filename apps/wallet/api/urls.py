from django.urls import path

from apps.wallet.api import views

urlpatterns = [
    path("transactions/", views.TransactionListView.as_view(), name="api-transactions"),
    path("transactions/history/", views.TransactionListView.as_view(), name="api-transactions-history"),
    path("transactions/deposit/", views.DepositCreateView.as_view(), name="api-transactions-deposit"),
    path("transactions/withdraw/", views.WithdrawalCreateView.as_view(), name="api-transactions-withdraw"),
    path("transactions/cancel/", views.TransactionCancelView.as_view(), name="api-transactions-cancel"),
    path(
        "transactions/deposit-address/", views.DepositAddressListView.as_view(), name="api-transactions-deposit-address"
    ),
    path("users/stats/", views.UserStatsView.as_view(), name="api-users-stats"),
    path("admin/deposits/", views.AdminDepositListView.as_view(), name="api-admin-deposits"),
    path("admin/withdrawals/", views.AdminWithdrawalListView.as_view(), name="api-admin-withdrawals"),
    path(
        "admin/transactions/approve/",
        views.AdminTransactionApproveView.as_view(),
        name="api-admin-transactions-approve",
    ),
    path(
        "admin/transactions/reject/", views.AdminTransactionRejectView.as_view(), name="api-admin-transactions-reject"
    ),
    path("admin/users/adjust-balance/", views.AdminBalanceAdjustView.as_view(), name="api-admin-users-adjust-balance"),
    path(
        "admin/adjustments/approve/", views.AdminAdjustmentApproveView.as_view(), name="api-admin-adjustments-approve"
    ),
    path("admin/adjustments/reject/", views.AdminAdjustmentRejectView.as_view(), name="api-admin-adjustments-reject"),
]
