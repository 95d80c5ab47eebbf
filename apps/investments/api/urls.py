from django.urls import path

import apps.common.api.paths  # noqa: F401  (registers the path_id converter)
from apps.investments.api.views import investor, staff

urlpatterns = [
    path("investments/packs/", investor.PackListView.as_view(), name="api-investments-packs"),
    path("investments/my-investments/", investor.InvestmentListView.as_view(), name="api-investments-mine"),
    path("investments/create/", investor.InvestmentCreateView.as_view(), name="api-investments-create"),
    path("investments/quote/", investor.InvestmentQuoteView.as_view(), name="api-investments-quote"),
    path("investments/chart-data/", investor.ChartDataView.as_view(), name="api-investments-chart-data"),
    path(
        "transactions/earnings/<path_id:transaction_id>/",
        investor.EarningDetailView.as_view(),
        name="api-transactions-earning",
    ),
    path("admin/investments/", staff.AdminInvestmentListView.as_view(), name="api-admin-investments"),
    path("admin/packs/", staff.AdminPackListView.as_view(), name="api-admin-packs"),
    path("admin/packs/<int:plan_id>/", staff.AdminPackDetailView.as_view(), name="api-admin-pack"),
]
