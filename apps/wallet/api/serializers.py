"""Input and output shapes of the wallet API. Parsing only: every rule is a service.

Money is a string with 2 decimals out. In requests an amount is a string of digits with at most
2 decimals (``"100"``, ``"100.5"``, ``"100.50"``), a JSON integer (``100``) or a JSON number read
exactly from its text (``99.99``); booleans, exponents (``1e3``, ``"1e3"``), separators and
anything else are refused with 400 on the field (``apps.common.api.serializers.MoneyField``).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.common.api.paths import MAX_ID  # noqa: F401  (the other apps' serializers import it from here)
from apps.common.api.serializers import (
    AliasedSerializer,
    AmountField,
    IdField,
    MoneyField,
    OutputSerializer,
    StrictCharField,
    StrictSerializer,
)
from apps.wallet import selectors
from apps.wallet.models import Adjustment, AdjustmentDirection, Deposit, EntryKind, RequestStatus, Withdrawal

ADMIN_NOTE_MAX_LENGTH = 2000
DIRECTIONS = AdjustmentDirection.choices  # credit, debit
TRANSACTION_TYPE_LABELS = {
    selectors.TRANSACTION_DEPOSIT: _("Deposit"),
    selectors.TRANSACTION_WITHDRAWAL: _("Withdrawal"),
    **dict(EntryKind.choices),
}


# The API names a movement as the original system did where it had a name for it (returns were
# `earning`, commissions `referral_commission`); Bursar's own kinds keep theirs.
API_TYPE_NAMES = {EntryKind.RETURN.value: "earning", EntryKind.COMMISSION.value: "referral_commission"}
LEDGER_TYPE_NAMES = {api: kind for kind, api in API_TYPE_NAMES.items()}
API_TRANSACTION_TYPES = tuple(API_TYPE_NAMES.get(kind, kind) for kind in selectors.TRANSACTION_TYPES)


class _TransactionTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=API_TRANSACTION_TYPES, read_only=True, source="row_type", **kwargs)

    def to_representation(self, value) -> str:
        return API_TYPE_NAMES.get(value, value)


def _choice(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, read_only=True, **kwargs)


# --- Fields ------------------------------------------------------------------------------------


class _ConstantField(serializers.Field):
    def __init__(self, value: str, **kwargs):
        self.value = value
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        return self.value


def _constant(value: str) -> _ConstantField:
    field_class = type(f"_{value.title()}ConstantField", (_ConstantField,), {})
    return extend_schema_field({"type": "string", "enum": [value]})(field_class)(value)


def _email_of(source: str, help_text: str) -> serializers.EmailField:
    return serializers.EmailField(source=f"{source}.email", read_only=True, allow_null=True, help_text=help_text)


# --- Investor output ---------------------------------------------------------------------------


class TransactionSerializer(OutputSerializer):
    """One row of the investor's activity: a deposit or withdrawal request, or a ledger movement."""

    id = serializers.IntegerField(
        source="row_id",
        help_text=(
            "For a deposit or withdrawal, its `transaction_id` (one id space for both). For a ledger "
            "movement, the posting's id, from a different sequence: use `reference` as a row's unique key."
        ),
    )
    user = serializers.IntegerField(source="row_user_id", help_text="The owner's id (the caller's).")
    type = _TransactionTypeField(
        help_text=(
            "The original system's names where it had one (`deposit`, `withdrawal`, `earning` for returns, "
            "`referral_commission`), Bursar's own for the rest."
        )
    )
    direction = _choice(DIRECTIONS, source="row_direction", help_text="`credit` adds to the balance, `debit` takes.")
    amount = MoneyField(source="row_amount", help_text="Always positive; see `direction`.")
    fee = MoneyField(source="row_fee", help_text="Withdrawal fee, held and paid on top of `amount` (else 0.00).")
    status = _choice(
        selectors.TRANSACTION_STATUSES,
        source="row_status",
        help_text="Requests: pending, approved, rejected, cancelled. Movements: completed.",
    )
    balance_after = MoneyField(
        source="row_balance_after",
        allow_null=True,
        help_text=(
            "The available balance right after this was posted: a deposit once approved, a withdrawal when "
            "requested (funds held), a movement when posted; null while nothing was posted."
        ),
    )
    wallet_address = serializers.CharField(
        source="row_wallet_address", help_text="Deposit: the sender's address; withdrawal: the destination."
    )
    transaction_hash = serializers.CharField(
        source="row_transaction_hash", help_text="Deposit: the investor's hash; withdrawal: the payout hash."
    )
    admin_note = serializers.CharField(source="row_admin_note", help_text="Staff note, or the movement's memo.")
    reference = serializers.CharField(
        source="row_reference", help_text="Unique: `deposit:<id>`, `withdrawal:<id>`, or the ledger entry's key."
    )
    created_at = serializers.DateTimeField(source="row_created_at")
    updated_at = serializers.DateTimeField(source="row_updated_at")


class TransactionFilterSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=API_TRANSACTION_TYPES, required=False)
    status = serializers.ChoiceField(choices=selectors.TRANSACTION_STATUSES, required=False)


class DepositAddressSerializer(serializers.Serializer):
    address = serializers.CharField()
    network = serializers.CharField(help_text="e.g. TRC20, ERC20, BTC")


class ActivitySerializer(serializers.Serializer):
    action = serializers.SerializerMethodField(help_text="What happened, in the caller's language.")
    type = _TransactionTypeField()
    direction = _choice(DIRECTIONS, source="row_direction")
    amount = MoneyField(source="row_amount")
    status = _choice(selectors.TRANSACTION_STATUSES, source="row_status")
    created_at = serializers.DateTimeField(source="row_created_at")

    def get_action(self, row) -> str:
        return str(TRANSACTION_TYPE_LABELS.get(row["row_type"], row["row_type"]))


class UserStatsSerializer(serializers.Serializer):
    total_balance = MoneyField(help_text="Available + held for withdrawals + invested.")
    active_investments = serializers.IntegerField(help_text="Running investments (status active).")
    total_earnings = MoneyField(
        help_text=(
            "All returns credited so far, every investment: daily returns as paid, an at-maturity plan's returns "
            "once paid at maturity. Never principal, commissions or rewards."
        )
    )
    total_referrals = serializers.IntegerField(help_text="Users who signed up with the caller's code.")
    pending_withdrawals = serializers.IntegerField(
        help_text="How many of the caller's withdrawals are pending (a count, as in the original system)."
    )
    pending_withdrawals_amount = MoneyField(help_text="Sum of the amounts of those pending withdrawals, fees apart.")
    recent_activities = ActivitySerializer(many=True, help_text="The 10 latest rows of `transactions/`.")


# --- Investor input ----------------------------------------------------------------------------


class DepositCreateSerializer(StrictSerializer):
    amount = AmountField()
    wallet_address = StrictCharField(
        required=False, allow_blank=True, max_length=200, help_text="The address the funds are sent from."
    )
    transaction_hash = StrictCharField(
        required=False, allow_blank=True, max_length=200, help_text="The transfer's hash; each can be used once."
    )
    method = StrictCharField(required=False, allow_blank=True, max_length=40, help_text="e.g. crypto, bank.")


class WithdrawalCreateSerializer(StrictSerializer):
    amount = AmountField()
    wallet_address = StrictCharField(max_length=200, help_text="The address to pay to.")


class TransactionIdSerializer(StrictSerializer):
    transaction_id = IdField(help_text="The id of a deposit or withdrawal request.")


# --- Staff output ------------------------------------------------------------------------------


class AdminDepositSerializer(serializers.ModelSerializer):
    type = _constant("deposit")
    user = serializers.IntegerField(source="user_id", read_only=True, help_text="The owner's id.")
    user_email = serializers.EmailField(source="user.email", read_only=True)
    wallet_address = serializers.CharField(source="sender_address", read_only=True)
    reviewed_by = _email_of("reviewed_by", "The staff member who approved or rejected it.")

    class Meta:
        model = Deposit
        fields = [
            "id",
            "type",
            "user",
            "user_email",
            "amount",
            "currency",
            "method",
            "wallet_address",
            "transaction_hash",
            "confirmed_hash",
            "status",
            "admin_note",
            "reviewed_by",
            "reviewed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AdminWithdrawalSerializer(serializers.ModelSerializer):
    type = _constant("withdrawal")
    user = serializers.IntegerField(source="user_id", read_only=True, help_text="The owner's id.")
    user_email = serializers.EmailField(source="user.email", read_only=True)
    total = MoneyField(read_only=True, help_text="Amount + fee: what was held.")
    wallet_address = serializers.CharField(source="address", read_only=True)
    transaction_hash = serializers.CharField(source="payout_hash", read_only=True, help_text="The payout hash.")
    first_approved_by = _email_of("first_approved_by", "First approver, when two approvals are needed.")
    reviewed_by = _email_of("reviewed_by", "The staff member who paid or rejected it.")

    class Meta:
        model = Withdrawal
        fields = [
            "id",
            "type",
            "user",
            "user_email",
            "amount",
            "fee",
            "total",
            "currency",
            "wallet_address",
            "transaction_hash",
            "status",
            "needs_two_approvals",
            "first_approved_by",
            "first_approved_at",
            "reviewed_by",
            "reviewed_at",
            "admin_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AdjustmentSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True, help_text="The owner's id.")
    user_email = serializers.EmailField(source="user.email", read_only=True)
    maker = serializers.EmailField(source="maker.email", read_only=True)
    checker = _email_of("checker", "The second staff member, for an adjustment above the four-eyes threshold.")

    class Meta:
        model = Adjustment
        fields = [
            "id",
            "user",
            "user_email",
            "direction",
            "amount",
            "currency",
            "reason",
            "status",
            "maker",
            "checker",
            "checked_at",
            "check_note",
            "created_at",
        ]
        read_only_fields = fields


class StatusFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RequestStatus.values, required=False)


# --- Staff input -------------------------------------------------------------------------------


def _admin_note(**kwargs) -> StrictCharField:
    return StrictCharField(max_length=ADMIN_NOTE_MAX_LENGTH, **kwargs)


class TransactionApproveSerializer(AliasedSerializer):
    aliases = {"admin_note": ("note",)}

    transaction_id = IdField(help_text="The id of a deposit or withdrawal request.")
    admin_note = _admin_note(required=False, allow_blank=True)
    note = _admin_note(required=False, allow_blank=True, help_text="The original client's name for `admin_note`.")
    transaction_hash = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=(
            "Withdrawals: the payout hash, required for the final approval. Deposits: the transfer hash staff "
            "confirm, recorded as `confirmed_hash`; it must be the investor's (`hash_mismatch` otherwise), or, "
            "when they gave none, one no other deposit used."
        ),
    )


class TransactionRejectSerializer(AliasedSerializer):
    aliases = {"admin_note": ("reason", "note")}
    aliases_required = ("admin_note",)

    transaction_id = IdField(help_text="The id of a deposit or withdrawal request.")
    admin_note = _admin_note(required=False, help_text="Why (required, here or as `reason`): the investor sees it.")
    reason = _admin_note(required=False, help_text="The original client's name for `admin_note`.")
    note = _admin_note(required=False, help_text="Also accepted for `admin_note`.")


class AdjustmentCreateSerializer(StrictSerializer):
    user_id = IdField()
    amount = AmountField()
    direction = serializers.ChoiceField(choices=DIRECTIONS)
    reason = StrictCharField(max_length=ADMIN_NOTE_MAX_LENGTH, help_text="Why: the investor sees it.")


class AdjustmentApproveSerializer(StrictSerializer):
    adjustment_id = IdField()
    admin_note = _admin_note(required=False, allow_blank=True)


class AdjustmentRejectSerializer(StrictSerializer):
    adjustment_id = IdField()
    admin_note = _admin_note(help_text="Why it is rejected.")
