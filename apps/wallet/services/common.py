"""Checks shared by the request services."""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError, ConflictError
from apps.common.money import CENT, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, to_money
from apps.wallet.models import RequestStatus

# An amount as typed: ASCII digits with one optional decimal point (and a leading minus, refused
# below as "not greater than zero"), ASCII spaces around it stripped; the API's reading too
# (``apps.common.api.serializers.ExactDecimalInputMixin``). Python's ``Decimal`` alone would take
# "١٠٠", "１００" or "१००" as 100, and "1e2" as well.
AMOUNT_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)
ASCII_WHITESPACE = " \t\r\n"


def amount_text_is_plain(text: str) -> bool:
    return bool(AMOUNT_TEXT.fullmatch(text.strip(ASCII_WHITESPACE)))


def amount_clean(amount, *, field: str = "amount") -> Decimal:
    """A positive amount with at most 2 decimals and a sane size; anything else is a clear error."""
    if isinstance(amount, float | bool):
        raise ApplicationError(_('Send the amount as a string such as "100.00".'), code="invalid_amount", field=field)
    if not isinstance(amount, Decimal) and not amount_text_is_plain(str(amount)):
        raise ApplicationError(_("Enter a valid amount."), code="invalid_amount", field=field)
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip(ASCII_WHITESPACE))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("Enter a valid amount."), code="invalid_amount", field=field) from None
    if not value.is_finite():
        raise ApplicationError(_("Enter a valid amount."), code="invalid_amount", field=field)
    if value.adjusted() >= MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES:
        raise ApplicationError(_("This amount is too large."), code="invalid_amount", field=field)
    if value != value.quantize(CENT):
        raise ApplicationError(_("Use at most 2 decimal places."), code="invalid_amount", field=field)
    if value <= 0:
        raise ApplicationError(_("The amount must be greater than zero."), code="invalid_amount", field=field)
    return to_money(value)


def limits_check(*, amount: Decimal, minimum: Decimal, maximum: Decimal, field: str = "amount") -> None:
    if amount < minimum:
        raise ApplicationError(
            _("The minimum is %(minimum)s.") % {"minimum": minimum}, code="amount_below_minimum", field=field
        )
    if amount > maximum:
        raise ApplicationError(
            _("The maximum is %(maximum)s.") % {"maximum": maximum}, code="amount_above_maximum", field=field
        )


def pending_check(request) -> None:
    if request.status != RequestStatus.PENDING:
        raise ConflictError(
            _("This request is already %(status)s.") % {"status": request.get_status_display().lower()},
            code="already_reviewed",
        )


def reviewer_check(*, reviewer, owner) -> None:
    if not reviewer.is_staff:
        raise ApplicationError(_("Only staff can review requests."), code="permission_denied", status_code=403)
    if reviewer.pk == owner.pk:
        raise ApplicationError(_("You cannot review your own request."), code="own_request", status_code=403)


def text_required(value: str | None, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, code="reason_required", field=field)
    return value
