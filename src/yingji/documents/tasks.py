"""Imports in the background (see ``documents/jobs.py``)."""

from __future__ import annotations

from huey.contrib.djhuey import HUEY, db_task
from huey.exceptions import RetryTask, TaskLockedException

# One import at a time: the consumer's other thread stays free for notifications and
# deadlines. A job that finds another running waits its turn. The lock lapses on its own
# after LOCK_SECONDS, longer than the largest import takes, should a worker die holding it.
WAIT_SECONDS = 5
LOCK_SECONDS = 30 * 60


@db_task()
def run_import(job_id: int) -> None:
    from yingji.documents import jobs

    try:
        with HUEY.lock_task("documents-import", ttl=LOCK_SECONDS):
            jobs.run(job_id)
    except TaskLockedException:
        raise RetryTask(delay=WAIT_SECONDS) from None
