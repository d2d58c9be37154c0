"""The index's jobs: subjects saved for indexing are indexed after their commit, and
once a minute whatever a lost or cut-off job left (indexing.py)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def index_pending() -> int:
    # No lock: batches take their rows (skipping rows another job holds on PostgreSQL;
    # one after the other on SQLite), so two runs at once share the work.
    from yingji.search import indexing

    return indexing.index_pending()


@db_periodic_task(crontab(minute="*"))
def index_pending_each_minute() -> int:
    from yingji.search import indexing

    return indexing.index_pending()
