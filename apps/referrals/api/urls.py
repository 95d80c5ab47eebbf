from django.urls import path

from apps.referrals.api import views

urlpatterns = [
    path("referrals/my-code/", views.MyCodeView.as_view(), name="api-referrals-my-code"),
    path("referrals/stats/", views.StatsView.as_view(), name="api-referrals-stats"),
    path("referrals/packs/", views.PacksView.as_view(), name="api-referrals-packs"),
    path("referrals/my-referrals/", views.MyReferralsView.as_view(), name="api-referrals-my-referrals"),
    path("admin/affiliates/", views.AdminAffiliatesView.as_view(), name="api-admin-affiliates"),
]
