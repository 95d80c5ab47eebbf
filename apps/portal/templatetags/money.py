"""Money on portal pages: always 2 decimals, grouped thousands, then the currency code.

The same digits and separators in every language (``1,234.50 USD``), like the amounts in the
services' messages and in the CSV export, so a figure never changes meaning with the page's
language. Templates wrap amounts in ``class="amount"`` (isolated, left to right); in a right-to-
left language the text itself is also isolated (Unicode LRI … PDI), so that an amount inside an
Arabic sentence (a message, a help text) does not come out as ``USD 1,234.50``."""

from django import template

from apps.common.money import money_text, to_money

register = template.Library()

__all__ = ["money_text", "register"]


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
