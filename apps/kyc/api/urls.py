from django.urls import path

from apps.kyc.api import views  # also registers the `path_id` converter

urlpatterns = [
    path("kyc/submit/", views.KycSubmitView.as_view(), name="api-kyc-submit"),
    path("kyc/status/", views.KycStatusView.as_view(), name="api-kyc-status"),
    path("kyc/history/", views.KycHistoryView.as_view(), name="api-kyc-history"),
    path("admin/kyc/", views.AdminKycListView.as_view(), name="api-admin-kyc"),
    path("admin/kyc/approve/", views.AdminKycApproveView.as_view(), name="api-admin-kyc-approve"),
    path(
        "admin/kyc/approve/<path_id:kyc_id>/",
        views.AdminKycApproveByPathView.as_view(),
        name="api-admin-kyc-approve-path",
    ),
    path("admin/kyc/reject/", views.AdminKycRejectView.as_view(), name="api-admin-kyc-reject"),
    path(
        "admin/kyc/reject/<path_id:kyc_id>/",
        views.AdminKycRejectByPathView.as_view(),
        name="api-admin-kyc-reject-path",
    ),
    path("admin/kyc/revoke/", views.AdminKycRevokeView.as_view(), name="api-admin-kyc-revoke"),
    path(
        "admin/kyc/documents/<int:document_id>/",
        views.AdminKycDocumentView.as_view(),
        name="api-admin-kyc-document",
    ),
]
