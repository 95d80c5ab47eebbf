"""Property test: random sequences of deposits, approvals, rejections, withdrawals, payouts,
cancellations, adjustments and replays keep the ledger invariants (I1–I4, I11) and match a
simple model of each investor's balances after every step."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from apps.common.errors import ApplicationError, ConflictError
from apps.controls.runtime import runtime_setting
from apps.wallet.ledger_check import ledger_check
from apps.wallet.models import RequestStatus
from apps.wallet.selectors import balances_for_user
from apps.wallet.services import adjustments, deposits, withdrawals
from tests.factories import StaffFactory, UserFactory
from tests.wallet.helpers import kyc_approve

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("3000.00"), places=2)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.investors = [UserFactory(), UserFactory()]
        for investor in self.investors:
            kyc_approve(investor)
        self.staff = [StaffFactory(), StaffFactory()]
        self.expected = {u.pk: {"available": Decimal("0.00"), "held": Decimal("0.00")} for u in self.investors}
        self.pending_deposits: dict[int, tuple[int, Decimal]] = {}
        self.pending_withdrawals: dict[int, tuple[int, Decimal]] = {}
        self.closed: list[tuple[str, int]] = []
        self.withdrawn_today = {u.pk: Decimal("0.00") for u in self.investors}

    # --- deposits ---
    @rule(who=st.integers(0, 1), amount=amounts)
    def deposit(self, who, amount):
        user = self.investors[who]
        if not runtime_setting("DEPOSIT_MIN") <= amount <= runtime_setting("DEPOSIT_MAX"):
            with pytest.raises(ApplicationError):
                deposits.deposit_request_create(user=user, amount=amount)
            return
        deposit = deposits.deposit_request_create(user=user, amount=amount)
        self.pending_deposits[deposit.pk] = (user.pk, amount)

    @precondition(lambda self: self.pending_deposits)
    @rule(pick=st.integers(0, 10_000), approve=st.booleans())
    def review_deposit(self, pick, approve):
        deposit_id = sorted(self.pending_deposits)[pick % len(self.pending_deposits)]
        user_id, amount = self.pending_deposits.pop(deposit_id)
        if approve:
            deposits.deposit_approve(deposit_id=deposit_id, actor=self.staff[0])
            self.expected[user_id]["available"] += amount
        else:
            deposits.deposit_reject(deposit_id=deposit_id, actor=self.staff[0], note="no funds")
        self.closed.append(("deposit", deposit_id))

    # --- withdrawals ---
    @rule(who=st.integers(0, 1), amount=amounts)
    def withdraw(self, who, amount):
        user = self.investors[who]
        model = self.expected[user.pk]
        allowed = (
            runtime_setting("WITHDRAWAL_MIN") <= amount <= runtime_setting("WITHDRAWAL_MAX")
            and self.withdrawn_today[user.pk] + amount <= runtime_setting("WITHDRAWAL_DAILY_LIMIT")
            and amount <= model["available"]
        )
        if not allowed:
            with pytest.raises(ApplicationError):
                withdrawals.withdrawal_request_create(user=user, amount=amount, address="addr")
            return
        withdrawal = withdrawals.withdrawal_request_create(user=user, amount=amount, address="addr")
        self.pending_withdrawals[withdrawal.pk] = (user.pk, amount)
        self.withdrawn_today[user.pk] += amount
        model["available"] -= amount
        model["held"] += amount

    @precondition(lambda self: self.pending_withdrawals)
    @rule(pick=st.integers(0, 10_000), outcome=st.sampled_from(["approve", "reject", "cancel"]))
    def close_withdrawal(self, pick, outcome):
        withdrawal_id = sorted(self.pending_withdrawals)[pick % len(self.pending_withdrawals)]
        user_id, amount = self.pending_withdrawals.pop(withdrawal_id)
        model = self.expected[user_id]
        if outcome == "approve":
            withdrawal = withdrawals.withdrawal_approve(
                withdrawal_id=withdrawal_id, actor=self.staff[0], payout_hash=f"p{withdrawal_id}"
            )
            if withdrawal.status == RequestStatus.PENDING:  # above the four-eyes threshold
                withdrawals.withdrawal_approve(
                    withdrawal_id=withdrawal_id, actor=self.staff[1], payout_hash=f"p{withdrawal_id}"
                )
            model["held"] -= amount
        else:
            if outcome == "reject":
                withdrawals.withdrawal_reject(withdrawal_id=withdrawal_id, actor=self.staff[1], note="no")
            else:
                user = next(u for u in self.investors if u.pk == user_id)
                withdrawals.withdrawal_cancel(withdrawal_id=withdrawal_id, user=user)
            self.withdrawn_today[user_id] -= amount
            model["held"] -= amount
            model["available"] += amount
        self.closed.append(("withdrawal", withdrawal_id))

    # --- adjustments (below the four-eyes threshold: applied at once) ---
    @rule(who=st.integers(0, 1), amount=amounts, credit=st.booleans())
    def adjust(self, who, amount, credit):
        assume(amount <= runtime_setting("FOUR_EYES_THRESHOLD"))
        user = self.investors[who]
        model = self.expected[user.pk]
        direction = "credit" if credit else "debit"
        if not credit and amount > model["available"]:
            with pytest.raises(ApplicationError):
                adjustments.adjustment_create(
                    user_id=user.pk, amount=amount, direction=direction, reason="r", maker=self.staff[0]
                )
            return
        adjustments.adjustment_create(
            user_id=user.pk, amount=amount, direction=direction, reason="r", maker=self.staff[0]
        )
        model["available"] += amount if credit else -amount

    # --- replays of closed requests change nothing ---
    @precondition(lambda self: self.closed)
    @rule(pick=st.integers(0, 10_000))
    def replay(self, pick):
        kind, request_id = self.closed[pick % len(self.closed)]
        with pytest.raises(ConflictError):
            if kind == "deposit":
                deposits.deposit_approve(deposit_id=request_id, actor=self.staff[1])
            else:
                withdrawals.withdrawal_approve(
                    withdrawal_id=request_id, actor=self.staff[1], payout_hash=f"r{request_id}"
                )

    @invariant()
    def balances_match_the_model(self):
        for user in self.investors:
            balances = balances_for_user(user=user)
            assert (balances.available, balances.held) == (
                self.expected[user.pk]["available"],
                self.expected[user.pk]["held"],
            )

    @invariant()
    def ledger_invariants_hold(self):
        report = ledger_check(deep=True)
        assert report.ok, report.problems


@pytest.mark.django_db
def test_ledger_state_machine(settings, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=Decimal("2000.00"))
    run_state_machine_as_test(
        LedgerMachine,
        settings=hypothesis_settings(
            max_examples=40,
            database=None,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
