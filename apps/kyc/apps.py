from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KycConfig(AppConfig):
    name = "apps.kyc"
    label = "kyc"
    verbose_name = _("KYC")
