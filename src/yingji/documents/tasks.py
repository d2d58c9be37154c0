"""Imports in the background (see ``documents/jobs.py``)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task
from huey.exceptions import RetryTask

# A job that finds another import running waits its turn, asking again this often.
WAIT_SECONDS = 5


@db_task()
def run_import(job_id: int) -> None:
    from yingji.documents import jobs

    if not jobs.run(job_id):
        raise RetryTask(delay=WAIT_SECONDS)
