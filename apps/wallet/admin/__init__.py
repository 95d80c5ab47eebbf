"""The money part of the staff admin: request queues (deposits, withdrawals, adjustments), deposit
addresses and the read-only ledger. Every write is a service call (``apps.wallet.services``)."""

from apps.wallet.admin.addresses import DepositAddressAdmin
from apps.wallet.admin.adjustments import AdjustmentAdmin
from apps.wallet.admin.deposits import DepositAdmin
from apps.wallet.admin.ledger import AccountAdmin, EntryAdmin, PostingAdmin
from apps.wallet.admin.treasury import TreasuryBalanceAdmin
from apps.wallet.admin.withdrawals import WithdrawalAdmin

__all__ = [
    "AccountAdmin",
    "AdjustmentAdmin",
    "DepositAddressAdmin",
    "DepositAdmin",
    "EntryAdmin",
    "PostingAdmin",
    "TreasuryBalanceAdmin",
    "WithdrawalAdmin",
]
