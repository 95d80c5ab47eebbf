from django.urls import path

import apps.common.api.paths  # noqa: F401  (registers the path_id converter)
from apps.wallet.api.views import investor, staff

urlpatterns = [
    path("transactions/", investor.TransactionListView.as_view(), name="api-transactions"),
    path("transactions/history/", investor.TransactionHistoryView.as_view(), name="api-transactions-history"),
    path("transactions/deposit/", investor.DepositCreateView.as_view(), name="api-transactions-deposit"),
    path("transactions/withdraw/", investor.WithdrawalCreateView.as_view(), name="api-transactions-withdraw"),
    path("transactions/cancel/", investor.TransactionCancelView.as_view(), name="api-transactions-cancel"),
    path(
        "transactions/deposit-address/",
        investor.DepositAddressListView.as_view(),
        name="api-transactions-deposit-address",
    ),
    path("users/stats/", investor.UserStatsView.as_view(), name="api-users-stats"),
    path("admin/deposits/", staff.AdminDepositListView.as_view(), name="api-admin-deposits"),
    path("admin/withdrawals/", staff.AdminWithdrawalListView.as_view(), name="api-admin-withdrawals"),
    path(
        "admin/transactions/approve/",
        staff.AdminTransactionApproveView.as_view(),
        name="api-admin-transactions-approve",
    ),
    path(
        "admin/transactions/approve/<path_id:transaction_id>/",
        staff.AdminTransactionApproveByPathView.as_view(),
        name="api-admin-transactions-approve-path",
    ),
    path(
        "admin/transactions/reject/", staff.AdminTransactionRejectView.as_view(), name="api-admin-transactions-reject"
    ),
    path(
        "admin/transactions/reject/<path_id:transaction_id>/",
        staff.AdminTransactionRejectByPathView.as_view(),
        name="api-admin-transactions-reject-path",
    ),
    path("admin/users/adjust-balance/", staff.AdminBalanceAdjustView.as_view(), name="api-admin-users-adjust-balance"),
    path(
        "admin/adjustments/approve/", staff.AdminAdjustmentApproveView.as_view(), name="api-admin-adjustments-approve"
    ),
    path("admin/adjustments/reject/", staff.AdminAdjustmentRejectView.as_view(), name="api-admin-adjustments-reject"),
]
