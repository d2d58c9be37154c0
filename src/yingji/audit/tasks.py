"""Background jobs of the audit log: the daily checkpoint."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="3", minute="17"))
@lock_task("audit-checkpoint")
def daily_checkpoint() -> int | None:
    """Sign how far the chain reached, once a day, so that a later truncation shows.

    The entry id of each checkpoint goes to the log, so an operator can compare it with
    copies kept elsewhere; a chain that does not verify gets no checkpoint, and an error.
    """
    from yingji.audit import services

    try:
        checkpoint = services.take_checkpoint()
    except services.ChainBroken as error:
        logger.error("audit checkpoint not taken: %s", error)
        return None
    logger.info("audit checkpoint: the chain reaches entry #%d", checkpoint.last_id)
    return checkpoint.last_id
