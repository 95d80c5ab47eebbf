"""Money helpers: one set of precision constants, quantising, and a refusal of floats."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
