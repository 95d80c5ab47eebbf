"""Money helpers: one set of precision constants, quantising, a refusal of floats, and the one
way an amount is written for people (pages, the admin, messages)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language_bidi

MONEY_MAX_DIGITS = 20
MONEY_DECIMAL_PLACES = 2
CENT = Decimal("0.01")


def to_money(value: Decimal | int | str) -> Decimal:
    """Exact conversion to a 2-place Decimal. Floats are refused: they never touch money."""
    if isinstance(value, float):
        raise TypeError("Floats never touch money; pass a Decimal, int or str.")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"Not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"Not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


LEFT_TO_RIGHT_ISOLATE = "\u2066"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def bidi_isolated(text: str) -> str:
    """``text`` kept left to right when the active language is written right to left: wrapped in
    Unicode's LRI … PDI, so that in an Arabic page or sentence a negative amount keeps its minus in
    front (``-7,620.00``, not ``7,620.00-``) and the currency stays after the digits. Unchanged in a
    left-to-right language."""
    return f"{LEFT_TO_RIGHT_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}" if get_language_bidi() else text


def money_text(amount: Decimal | int | str | None, currency: str = "") -> str:
    """``1234.5`` → ``"1,234.50 USD"`` (2 decimals, grouped thousands, then the currency code; the
    same digits and separators in every language), isolated left to right in a right-to-left
    language (``bidi_isolated``); an empty string for no amount."""
    if amount is None or amount == "":
        return ""
    text = f"{to_money(amount):,.2f}"
    return bidi_isolated(f"{text} {currency}" if currency else text)
