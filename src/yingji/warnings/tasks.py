"""Prevention's background jobs: warnings that reach their expiry end their warning
period (each minute), and the petition trends are scanned for early-warning signals
(each hour, and at once when asked)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_periodic_task(crontab(minute="*"))
@lock_task("warnings-expire")
def expire_warnings() -> int:
    from yingji.warnings.services import alerts

    return alerts.expire_due()


@db_periodic_task(crontab(minute="7"))
@lock_task("warnings-trends")
def scan_trends_each_hour() -> int:
    from yingji.warnings.services import trends

    return trends.scan()


@db_task()
@lock_task("warnings-trends")
def scan_trends() -> int:
    from yingji.warnings.services import trends

    return trends.scan()
