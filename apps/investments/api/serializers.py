"""Input and output shapes of the investments API. Parsing only: every rule is a service.

Money is a string with 2 decimals and a rate a string with 4 (percent per day, ``"5.0000"``) out;
in, either may also be a JSON number, read exactly from its text. Ids are JSON integers; booleans
are JSON booleans.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.common.api.serializers import (
    ExactDecimalInputMixin,
    MoneyField,
    StrictBooleanField,
    StrictCharField,
    StrictSerializer,
)
from apps.investments import selectors
from apps.investments.models import RATE_DECIMAL_PLACES, RATE_MAX_DIGITS, PayoutSchedule, PositionStatus
from apps.investments.returns import cumulative_return, return_for_day
from apps.investments.services.plans import TERM_DAYS_MAX
from apps.wallet.api.serializers import MAX_ID, AmountField, IdField

NAME_MAX_LENGTH = 100
TEXT_MAX_LENGTH = 10_000
#: API field → ``Plan`` field, where they differ (the API keeps the original system's names).
PLAN_FIELD_NAMES = {"daily_return_rate": "daily_rate", "duration_days": "term_days"}
API_FIELD_NAMES = {model: api for api, model in PLAN_FIELD_NAMES.items()}


# --- Fields ------------------------------------------------------------------------------------


class RateField(ExactDecimalInputMixin, serializers.DecimalField):
    """A rate in percent per day: a string with at most 4 decimals out; in, a string or a JSON
    number read exactly (the amount fields' reading, with 4 decimals)."""

    default_error_messages = {
        "float": _("A binary float is not an exact rate."),
        "format": _('Send the rate as a number or a string such as "1.5" (digits, at most 4 decimals).'),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", RATE_MAX_DIGITS)
        kwargs.setdefault("decimal_places", RATE_DECIMAL_PLACES)
        kwargs["coerce_to_string"] = True
        super().__init__(**kwargs)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer (not a string, float or boolean)."""

    def to_internal_value(self, data):
        if not isinstance(data, int) or isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryIdField(serializers.IntegerField):
    """An id in a query string: digits only."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.isascii() or not data.isdigit():
            self.fail("invalid")
        return super().to_internal_value(data)


# --- Output ------------------------------------------------------------------------------------


class PackSerializer(serializers.Serializer):
    """A plan on offer (the original system's "investment pack")."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    min_amount = MoneyField()
    max_amount = MoneyField()
    daily_return_rate = RateField(source="daily_rate", help_text="Percent of the amount paid per day.")
    duration_days = serializers.IntegerField(source="term_days", help_text="The term: days of returns.")
    payout_schedule = serializers.ChoiceField(
        choices=PayoutSchedule.choices,
        help_text="`daily`: each day's return is credited that day; `at_maturity`: all of it at maturity.",
    )
    capital_back = serializers.BooleanField(help_text="Whether the amount comes back at maturity.")
    total_return_rate = serializers.SerializerMethodField(
        help_text=(
            "Percent of the amount returned over the whole term, = `daily_return_rate` × `duration_days`, "
            'a string with 4 decimals ("300.0000" for 5% a day over 60 days). Principal not included.'
        )
    )
    risk_disclosure = serializers.CharField(help_text="What the investor accepts when investing.")
    is_active = serializers.BooleanField(help_text="Offered to investors.")

    @extend_schema_field(RateField(max_digits=RATE_MAX_DIGITS + 3))
    def get_total_return_rate(self, plan) -> str:
        return f"{plan.daily_rate * plan.term_days:.{RATE_DECIMAL_PLACES}f}"


class AdminPackSerializer(PackSerializer):
    display_order = serializers.IntegerField(help_text="Plans are listed by this, then by id.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PackRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class InvestmentSerializer(serializers.Serializer):
    """An investment. Its terms are those of the plan when it was bought."""

    # Serializes positions from the ``investment_list_*`` selectors (``paid_return`` annotated),
    # with ``today`` (the business date) in the context.

    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id", help_text="The owner's id.")
    pack = PackSerializer(
        source="plan",
        help_text=(
            "The plan bought, as `investments/packs/` shows it now (its current terms; the terms bought are "
            "this investment's own fields)."
        ),
    )
    amount = MoneyField(source="principal", help_text="The amount invested.")
    daily_return = serializers.SerializerMethodField(
        help_text="The first day's return. Later days can differ by a cent: each day pays what keeps the total exact."
    )
    daily_return_rate = RateField(source="daily_rate", help_text="Bursar extension: the rate bought (% per day).")
    duration_days = serializers.IntegerField(source="term_days", help_text="Bursar extension: the term bought.")
    payout_schedule = serializers.ChoiceField(choices=PayoutSchedule.choices, help_text="Bursar extension: as bought.")
    capital_back = serializers.BooleanField(help_text="Bursar extension: as bought.")
    start_date = serializers.DateField(help_text="The business date it was bought; returns start the day after.")
    end_date = serializers.DateField(source="maturity_date", help_text="Maturity: the last day of returns.")
    days_elapsed = serializers.SerializerMethodField(
        help_text="Days of the term passed as of today's business date: 0 on the day of purchase, at most the term."
    )
    total_return = MoneyField(
        source="paid_return",
        help_text=(
            "Returns actually credited so far. An at-maturity plan credits all its returns with the maturity "
            "payment, so this stays 0.00 until then."
        ),
    )
    expected_total_return = serializers.SerializerMethodField(help_text="All returns of the term (principal excluded).")
    status = serializers.ChoiceField(choices=PositionStatus.choices)
    created_at = serializers.DateTimeField()

    @extend_schema_field(MoneyField())
    def get_daily_return(self, position) -> str:
        return MoneyField().to_representation(
            return_for_day(principal=position.principal, daily_rate=position.daily_rate, day=1)
        )

    def get_days_elapsed(self, position) -> int:
        return selectors.position_days_elapsed(position=position, today=self.context["today"])

    @extend_schema_field(MoneyField())
    def get_expected_total_return(self, position) -> str:
        return MoneyField().to_representation(
            cumulative_return(principal=position.principal, daily_rate=position.daily_rate, days=position.term_days)
        )


class AdminInvestmentSerializer(InvestmentSerializer):
    user_email = serializers.EmailField(source="user.email")


class QuoteSerializer(serializers.Serializer):
    """What investing ``amount`` in the plan today would do (nothing is reserved)."""

    pack = PackRefSerializer(source="plan")
    amount = MoneyField()
    daily_return_rate = RateField(source="plan.daily_rate")
    duration_days = serializers.IntegerField(source="plan.term_days")
    payout_schedule = serializers.ChoiceField(source="plan.payout_schedule", choices=PayoutSchedule.choices)
    capital_back = serializers.BooleanField(source="plan.capital_back")
    risk_disclosure = serializers.CharField(source="plan.risk_disclosure", help_text="The terms to accept.")
    daily_return = MoneyField(source="first_day_return", help_text="The first day's return.")
    expected_total_return = MoneyField(source="total_return", help_text="All returns of the term.")
    start_date = serializers.DateField(help_text="Today's business date: the day of purchase.")
    first_accrual_date = serializers.DateField(help_text="The first day that earns a return.")
    end_date = serializers.DateField(source="maturity_date", help_text="Maturity: the last day of returns.")
    payable_at_maturity = MoneyField(
        help_text=(
            "Paid on the maturity date: the amount when `capital_back`, plus all returns for an at-maturity plan."
        )
    )


class ChartPointSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = MoneyField(help_text="Returns credited up to and including this date, all positions summed.")


# --- Investor input ----------------------------------------------------------------------------


class EarningPositionSerializer(serializers.Serializer):
    position_id = serializers.IntegerField(help_text="The investment (`id` in `investments/my-investments/`).")
    pack_name = serializers.CharField(source="plan_name", help_text="Its plan's name.")
    amount = MoneyField(help_text="This investment's return for the date.")


class EarningSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="posting_id", help_text="The `id` of the `earning` row in `transactions/`.")
    business_date = serializers.DateField(help_text="The date the returns are for.")
    amount = MoneyField(help_text="What was credited: the sum of the positions' amounts.")
    positions = EarningPositionSerializer(many=True, help_text="Each investment that earned, by id.")


class InvestmentCreateSerializer(StrictSerializer):
    pack_id = IdField(help_text="An active plan's id (a JSON integer).")
    amount = AmountField()
    accept_terms = StrictBooleanField(
        required=False,
        help_text=(
            "`true`: the investor read and accepts the plan's terms and its current risk disclosure. The "
            "acceptance is recorded once per investor, plan and disclosure version (with its time, the "
            "caller's IP address and the SHA-256 of the text), here or in the portal. Needed only while the "
            "caller has not accepted the plan's current disclosure: without it, 400 `terms_not_accepted`; "
            "after that it may be left out (or sent as `true` again, which records nothing new). A changed "
            "disclosure must be accepted again; a plan without a risk disclosure needs none. `false` always "
            "means the investor declines: 400 `terms_not_accepted`, nothing bought."
        ),
    )


class QuoteQuerySerializer(serializers.Serializer):
    pack_id = QueryIdField()
    amount = AmountField()


class ChartQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=list(selectors.CHART_PERIODS), required=False, default="all")


class AdminInvestmentQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PositionStatus.values, required=False)
    user = QueryIdField(required=False)


# --- Staff input -------------------------------------------------------------------------------


def _text(**kwargs) -> StrictCharField:
    return StrictCharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH, **kwargs)


class PackWriteSerializer(StrictSerializer):
    """A plan as staff create it (every required field) or change it (``partial``: any subset)."""

    name = StrictCharField(max_length=NAME_MAX_LENGTH)
    description = _text()
    min_amount = AmountField()
    max_amount = AmountField(help_text="Not below `min_amount`.")
    daily_return_rate = RateField(help_text="Percent per day: above 0, at most 100, at most 4 decimals.")
    duration_days = StrictIntegerField(help_text=f"The term in days, 1 to {TERM_DAYS_MAX}.")
    payout_schedule = serializers.ChoiceField(choices=PayoutSchedule.choices, default=PayoutSchedule.DAILY)
    capital_back = StrictBooleanField(default=True, help_text="Whether the amount comes back at maturity.")
    is_active = StrictBooleanField(default=True, help_text="Offered to investors.")
    risk_disclosure = _text(help_text="Shown to investors, who accept it when they invest.")
    display_order = StrictIntegerField(required=False, help_text="Bursar extension: listing order (0 first).")

    def plan_fields(self) -> dict:
        """The validated data under the ``Plan`` field names the services take."""
        return {PLAN_FIELD_NAMES.get(name, name): value for name, value in self.validated_data.items()}
