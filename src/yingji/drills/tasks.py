"""Delivering drill injects in the background: each minute, and right after a change
(a start, an answer, a skip, a live addition) makes one due."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
@lock_task("drills-deliver")
def deliver_injects() -> int:
    from yingji.drills.services import conduct

    return conduct.deliver_due()


@db_periodic_task(crontab(minute="*"))
@lock_task("drills-deliver")
def deliver_injects_each_minute() -> int:
    from yingji.drills.services import conduct

    return conduct.deliver_due()
