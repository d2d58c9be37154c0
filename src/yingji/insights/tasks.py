"""The figures' jobs: stale days are rewritten after each change's commit, and once a
minute whatever a lost job left (rollups.py)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
def refresh_figures() -> int:
    # No lock: refreshes take each stale day in turn (rollups.py), so two at once share
    # the work instead of one waiting.
    from yingji.insights import rollups

    return rollups.refresh()


@db_periodic_task(crontab(minute="*"))
@lock_task("insights-refresh")
def refresh_figures_each_minute() -> int:
    from yingji.insights import rollups

    return rollups.refresh()


@db_periodic_task(crontab(minute="20"))
@lock_task("insights-reports")
def generate_due_reports() -> int:
    """Each hour: the reports whose period has ended, for the units with recipients,
    written and sent once."""
    from yingji.insights import reports

    return reports.generate_due()
