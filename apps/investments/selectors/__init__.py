"""Reads with rules on investments (a package: one module per audience, all re-exported here)."""

from apps.investments.selectors.api import *  # noqa: F403
from apps.investments.selectors.backoffice import *  # noqa: F403
from apps.investments.selectors.investor import *  # noqa: F403
from apps.investments.selectors.portal import *  # noqa: F403
from apps.investments.selectors.positions import *  # noqa: F403
from apps.investments.selectors.risk import *  # noqa: F403
