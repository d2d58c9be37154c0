"""Background jobs of the clock: the minute-by-minute check and calendar recomputation."""

from __future__ import annotations

import logging
from datetime import date

from django.utils.translation import gettext
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from yingji.audit.services import Actor

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("clock-check")
def check_deadlines() -> dict[str, int]:
    from yingji.clock import services

    result = services.check()
    if result["missed"] or result["due_soon"]:
        logger.info("deadline check: %(missed)d missed, %(due_soon)d due soon", result)
    return result


@db_task(retries=3, retry_delay=30)
def recompute_deadlines(first: str, last: str) -> int:
    from yingji.clock import services

    changed = services.recompute_between(
        date.fromisoformat(first),
        date.fromisoformat(last),
        actor=Actor.system(gettext("calendar change")),
    )
    logger.info("calendar change %s..%s: %d deadlines recomputed", first, last, changed)
    return changed
