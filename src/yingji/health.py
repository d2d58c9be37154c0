"""GET /api/v1/health: is the database answering, is the job queue reachable."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema, Status

logger = logging.getLogger(__name__)
router = Router(tags=["health"])


class HealthOut(Schema):
    status: str
    database: str
    queue: str


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health: database unreachable", exc_info=True)
        return False


def _queue_ok() -> bool:
    from huey.contrib.djhuey import HUEY

    try:
        HUEY.storage.queue_size()
    except Exception:
        logger.warning("health: job queue unreachable", exc_info=True)
        return False
    return True


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut})
def health(request: HttpRequest) -> Status[HealthOut]:
    database = _database_ok()
    queue = _queue_ok()
    body = HealthOut(
        status="ok" if database and queue else "failing",
        database="ok" if database else "unreachable",
        queue="ok" if queue else "unreachable",
    )
    return Status(200 if database and queue else 503, body)
