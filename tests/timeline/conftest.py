from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from tests import servers
from yingji.audit.services import Actor
from yingji.org.models import Unit
from yingji.timeline import live
from yingji.timeline.models import Event
from yingji.timeline.services import record

SYSTEM = Actor.system("tests")


@pytest.fixture(autouse=True)
def process_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[live.Hub]:
    """This process's hub, polling so rarely that only a wake (a commit here, or
    Redis) can deliver an event within a test."""
    hub = live.Hub(poll_seconds=60)
    monkeypatch.setattr(live, "_process_hub", hub)
    yield hub
    live.stop_process_hub()  # its connection must not outlive the test database


@pytest.fixture
def unit_type() -> int:
    return ContentType.objects.get_for_model(Unit).pk


def note(subject: models.Model, summary: str, **options: object) -> Event:
    """An event recorded the way a service records one: in a transaction."""
    with transaction.atomic():
        return record(subject, "test.noted", summary, actor=SYSTEM, **options)  # type: ignore[arg-type]


def collect(subscription: live.ThreadSubscription, count: int, timeout: float = 10) -> list[Event]:
    """What a thread subscription receives, until ``count`` events or ``timeout``."""
    found: list[Event] = []
    ends = time.monotonic() + timeout
    while len(found) < count and (left := ends - time.monotonic()) > 0:
        found.extend(subscription.get(left))
    return found


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    """A real redis-server on a free loopback port, with no persistence, stopped after."""
    server, url = servers.start_redis(tmp_path)
    try:
        yield url
    finally:
        servers.stop(server)
