"""Reads with rules on the wallet (a package: one module per audience).

Everything is re-exported here, so callers import ``from apps.wallet.selectors import …``.
The ledger check lives in ``apps.wallet.ledger_check``.
"""

from apps.wallet.selectors.activity import *  # noqa: F403
from apps.wallet.selectors.backoffice import *  # noqa: F403
from apps.wallet.selectors.balances import *  # noqa: F403
from apps.wallet.selectors.dashboard import *  # noqa: F403
from apps.wallet.selectors.portal import *  # noqa: F403
from apps.wallet.selectors.stats import *  # noqa: F403
