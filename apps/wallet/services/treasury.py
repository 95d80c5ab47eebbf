"""Treasury balances: finance staff record by hand what the platform holds outside its clearing
account. Each recording is a new row (the history is never edited); the latest ``as_of`` is
current. No ledger entry: the figure is a count of money held elsewhere, not a movement."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.wallet.models import TreasuryBalance
from apps.wallet.services.common import amount_clean

RECORD_PERMISSION = "wallet.add_treasurybalance"
NOTE_MAX_LENGTH = TreasuryBalance._meta.get_field("note").max_length
# A count "as of" a moment a little ahead of the server's clock is a clock difference, not a
# forecast; anything further ahead is refused.
CLOCK_SKEW = timedelta(minutes=5)


@transaction.atomic
def treasury_balance_record(*, amount, actor, as_of: datetime | None = None, note: str = "") -> TreasuryBalance:
    """Record a treasury balance counted at ``as_of`` (default: now). ``amount`` is positive with
    at most 2 decimals; the actor needs ``wallet.add_treasurybalance``."""
    if not (actor.is_active and actor.is_staff and actor.has_perm(RECORD_PERMISSION)):
        raise ApplicationError(_("You may not record treasury balances."), code="permission_denied", status_code=403)
    amount = amount_clean(amount)
    now = timezone.now()
    as_of = as_of or now
    if timezone.is_naive(as_of):
        raise ApplicationError(_("Give the time with its time zone."), code="invalid_as_of", field="as_of")
    if as_of > now + CLOCK_SKEW:
        raise ApplicationError(_("The count cannot be in the future."), code="as_of_in_future", field="as_of")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ApplicationError(
            _("Keep the note under %(count)d characters.") % {"count": NOTE_MAX_LENGTH + 1},
            code="note_too_long",
            field="note",
        )
    return TreasuryBalance.objects.create(amount=amount, as_of=as_of, note=note, recorded_by=actor, recorded_at=now)
