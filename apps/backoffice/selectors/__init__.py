"""Reads of the back office (a package, all re-exported here): the system pages' reads of
third-party tables, and the platform-wide figures of the staff dashboard and ``admin/stats/``
(charts, coverage, queue health), which combine the domain apps' selectors."""

from apps.backoffice.selectors.charts import *  # noqa: F403
from apps.backoffice.selectors.coverage import *  # noqa: F403
from apps.backoffice.selectors.queues import *  # noqa: F403
from apps.backoffice.selectors.stats import *  # noqa: F403
from apps.backoffice.selectors.system import *  # noqa: F403
