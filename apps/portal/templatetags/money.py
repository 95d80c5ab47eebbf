"""Money on portal pages: always 2 decimals, grouped thousands, then the currency code.

The same digits and separators in every language (``1,234.50 USD``), like the amounts in the
services' messages and in the CSV export, so a figure never changes meaning with the page's
language. Templates wrap amounts in ``class="amount"`` (isolated, left to right); in a right-to-
left language the text itself is also isolated (Unicode LRI … PDI), so that an amount inside an
Arabic sentence (a message, a help text) does not come out as ``USD 1,234.50``."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language_bidi

from apps.common.money import to_money

register = template.Library()

LEFT_TO_RIGHT_ISOLATE = "\u2066"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def money_text(amount: Decimal | int | str | None, currency: str = "") -> str:
    """``1234.5`` → ``"1,234.50 USD"``; an empty string for no amount."""
    if amount is None or amount == "":
        return ""
    text = f"{to_money(amount):,.2f}"
    text = f"{text} {currency}" if currency else text
    return f"{LEFT_TO_RIGHT_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}" if get_language_bidi() else text


@register.filter
def money(amount, currency: str = "") -> str:
    return money_text(amount, currency)


@register.filter
def unsigned(amount):
    """The size of a signed amount (a debit of -5.00 shows as 5.00 in the debit column)."""
    return None if amount is None else abs(amount)


@register.filter
def percent(rate) -> str:
    """``Decimal("1.50")`` → ``"1.50%"``."""
    return f"{to_money(rate):.2f}%"
