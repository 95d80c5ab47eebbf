"""Everything under /api/: the schema, its offline Swagger UI, and each app's API urls."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.wallet.api.urls")),
    path("", include("apps.referrals.api.urls")),
    path("", include("apps.investments.api.urls")),
    path("", include("apps.kyc.api.urls")),
    path("", include("apps.messaging.api.urls")),
    path("", include("apps.backoffice.api.urls")),
]
