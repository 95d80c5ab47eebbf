from django.apps import AppConfig


class InvestmentsConfig(AppConfig):
    name = "apps.investments"
    label = "investments"
    verbose_name = "Investments"
