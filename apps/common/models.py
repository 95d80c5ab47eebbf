from django.db import models

from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    """A money column: the one precision every amount uses."""
    return models.DecimalField(verbose_name, max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs)
