"""Background jobs of the database itself: SQLite's planner statistics, kept current."""

from __future__ import annotations

import logging
import time

from django.db import connection
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="4", minute="7"))
@lock_task("planner-statistics")
def refresh_planner_statistics() -> bool:
    """Take SQLite's statistics of every table and index again (``ANALYZE``), nightly.

    SQLite plans a query from the statistics ``ANALYZE`` last took (``sqlite_stat1``),
    and nothing takes them again as the tables grow: a database that grew from a few
    cases to a million would be planned as it was, and pages tuned on the grown data
    (docs/benchmarks.md) would walk the wrong index. PostgreSQL's autovacuum does this
    there, so the job does nothing on PostgreSQL. On the 1M benchmark database it takes
    about 3 s, for which the night's writers wait.
    """
    if connection.vendor != "sqlite":
        return False
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    logger.info("planner statistics taken in %.1f s", time.monotonic() - started)
    return True
