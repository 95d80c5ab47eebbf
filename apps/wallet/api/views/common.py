"""Helpers shared by the investor and staff views."""

from apps.common.api.filters import enum_parameter, query_params  # noqa: F401  (shared with the apps)
from apps.common.api.schema import error_response

AMOUNT_CODES = (("invalid_amount", "amount"), ("amount_below_minimum", "amount"), ("amount_above_maximum", "amount"))
NOT_FOUND = error_response("No such request, or not one of the caller's.", "not_found")
