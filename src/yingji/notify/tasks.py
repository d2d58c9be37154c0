"""Delivering notifications in the background."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
@lock_task("notify-deliver")
def deliver_now() -> dict[str, int]:
    from yingji.notify import services

    return services.deliver_due()


@db_periodic_task(crontab(minute="*"))
@lock_task("notify-deliver")
def deliver_retries() -> dict[str, int]:
    """Retries and deliveries held back by quiet hours, once a minute."""
    from yingji.notify import services

    return services.deliver_due()


@db_periodic_task(crontab(minute="*"))
@lock_task("notify-escalate")
def escalate() -> int:
    """Unacknowledged urgent notifications move up their chain, once a minute."""
    from yingji.notify import escalation

    return escalation.escalate_due()


@db_periodic_task(crontab(minute="*"))
@lock_task("notify-deadlines")
def deadline_events() -> int:
    """The clock's due-soon and overdue events, turned into notifications."""
    from yingji.notify import deadlines

    return deadlines.notify_deadline_events()
