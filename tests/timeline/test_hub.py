"""The live hub: one watcher per process, one query per wake, every subscriber served."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from django.db import connection, transaction

from tests import personas
from tests.servers import free_port
from tests.timeline.conftest import SYSTEM, collect, note
from yingji.timeline import live
from yingji.timeline.services import record

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_event_reaches_a_subscriber_promptly(
    city: personas.City, unit_type: int, process_hub: live.Hub
) -> None:
    subscription = process_hub.subscribe(unit_type, str(city.baishi.pk))
    began = time.monotonic()
    event = note(city.baishi, "白石县报告：河道水位上涨")
    [arrived] = collect(subscription, 1)
    latency = time.monotonic() - began
    print(f"in-process wake: arrived after {latency * 1000:.1f} ms")
    assert arrived.pk == event.pk and arrived.summary == "白石县报告：河道水位上涨"
    assert latency < 5  # generous: the figure above is what matters (goal: 1 s)


def test_it_fans_out_to_many_subscribers_with_one_query_per_wake(
    city: personas.City, unit_type: int, process_hub: live.Hub
) -> None:
    subscriptions = [process_hub.subscribe(unit_type, str(city.baishi.pk)) for _ in range(200)]
    reads, queries = process_hub.reads, process_hub.queries

    event = note(city.baishi, "指挥部成立")

    for subscription in subscriptions:
        assert [e.pk for e in collect(subscription, 1)] == [event.pk]
    assert process_hub.reads - reads == 1
    assert process_hub.queries - queries == 1


def test_subjects_are_not_mixed(city: personas.City, unit_type: int, process_hub: live.Hub) -> None:
    baishi = process_hub.subscribe(unit_type, str(city.baishi.pk))
    qingxi = process_hub.subscribe(unit_type, str(city.qingxi.pk))

    for_qingxi = note(city.qingxi, "清溪区：道路塌方")
    for_baishi = note(city.baishi, "白石县：转移群众")

    assert [e.pk for e in collect(baishi, 2, timeout=1.5)] == [for_baishi.pk]
    assert [e.pk for e in collect(qingxi, 2, timeout=0.5)] == [for_qingxi.pk]


def test_drill_events_pass_through_as_they_are(
    city: personas.City, unit_type: int, process_hub: live.Hub
) -> None:
    subscription = process_hub.subscribe(unit_type, str(city.baishi.pk))
    drill = note(city.baishi, "演练：模拟堤坝渗漏", is_drill=True)
    [arrived] = collect(subscription, 1)
    assert arrived.pk == drill.pk and arrived.is_drill


def test_without_a_wake_the_watcher_polls(city: personas.City, unit_type: int) -> None:
    # This hub stands for another process's (the job consumer writes here): no commit
    # in this process wakes it, so only its polling can find the event.
    other = live.Hub(poll_seconds=0.2)
    try:
        subscription = other.subscribe(unit_type, str(city.baishi.pk))
        event = note(city.baishi, "后台任务：续报逾期提醒")
        assert [e.pk for e in collect(subscription, 1)] == [event.pk]
        assert other.redis_wakes == 0
    finally:
        other.stop()


def test_a_stopped_hub_ends_its_subscriptions(
    city: personas.City, unit_type: int, process_hub: live.Hub
) -> None:
    subscription = process_hub.subscribe(unit_type, str(city.baishi.pk))
    process_hub.stop()
    assert subscription.get(5) == [] and subscription.ended
    assert live.hub() is not process_hub  # the next stream gets a fresh one


def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: ids always commit in order")


class SlowTransaction:
    """A service transaction in another thread that records an event (taking an id)
    and commits only when told to."""

    def __init__(self, subject: object) -> None:
        self.subject = subject
        self.event_id = 0
        self.recorded = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            with transaction.atomic():
                self.event_id = record(
                    self.subject,  # type: ignore[arg-type]
                    "test.noted",
                    "先写入、后提交的事件",
                    actor=SYSTEM,
                ).pk
                self.recorded.set()
                self.release.wait(20)
        finally:
            connection.close()

    def __enter__(self) -> SlowTransaction:
        self.thread.start()
        assert self.recorded.wait(10)
        return self

    def commit(self) -> None:
        self.release.set()
        self.thread.join(10)

    def __exit__(self, *exc: object) -> None:
        self.commit()


def test_an_event_with_a_lower_id_that_commits_later_still_arrives(
    city: personas.City, unit_type: int, process_hub: live.Hub
) -> None:
    postgresql_only()
    subscription = process_hub.subscribe(unit_type, str(city.baishi.pk))
    with SlowTransaction(city.baishi) as slow:
        fast = note(city.baishi, "后写入、先提交的事件")
        assert fast.pk > slow.event_id
        assert [e.pk for e in collect(subscription, 1)] == [fast.pk]
        slow.commit()
        assert [e.pk for e in collect(subscription, 1)] == [slow.event_id]
    assert collect(subscription, 1, timeout=0.5) == []  # each once


def test_a_transaction_in_flight_when_the_hub_starts_is_not_skipped(
    city: personas.City, unit_type: int, process_hub: live.Hub
) -> None:
    postgresql_only()
    with SlowTransaction(city.baishi) as slow:
        fast = note(city.baishi, "后写入、先提交的事件")
        # The first subscription takes the starting position: the highest id is
        # visible, a lower one is still in flight.
        subscription = process_hub.subscribe(unit_type, str(city.baishi.pk))
        slow.commit()
        assert [e.pk for e in collect(subscription, 1)] == [slow.event_id]
    assert fast.pk > slow.event_id


def test_the_watcher_survives_losing_its_database_connection(
    city: personas.City, unit_type: int, process_hub: live.Hub, caplog: pytest.LogCaptureFixture
) -> None:
    postgresql_only()
    subscription = process_hub.subscribe(unit_type, str(city.baishi.pk))
    first = note(city.baishi, "第一条")
    assert [e.pk for e in collect(subscription, 1)] == [first.pk]  # the watcher is connected
    with connection.cursor() as cursor:  # as a database restart would
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    with caplog.at_level(logging.WARNING, logger="yingji.timeline.live"):
        second = note(city.baishi, "第二条")
        # Every pooled connection died with it: the watcher's retry may wait for the pool
        # to open a new one (up to its 30 s timeout on a loaded machine), then backs off.
        assert [e.pk for e in collect(subscription, 1, timeout=45)] == [second.pk]
    assert "reading new events failed" in caplog.text
    assert not subscription.ended


def test_scaled_mode_wakes_a_hub_in_another_process_through_redis(
    city: personas.City, unit_type: int, redis_url: str, settings
) -> None:
    settings.REDIS_URL = redis_url
    # Stands for another app process: a separate hub that no commit here wakes, and
    # that would not poll for a minute.
    other = live.Hub(redis_url=redis_url, poll_seconds=60)
    try:
        subscription = other.subscribe(unit_type, str(city.baishi.pk))
        assert other.listening.wait(10)
        collect(subscription, 1, timeout=0.3)  # let its first wake pass
        began = time.monotonic()
        event = note(city.baishi, "另一进程写入：启动三级响应")
        [arrived] = collect(subscription, 1)
        latency = time.monotonic() - began
        print(f"Redis pub/sub wake: arrived after {latency * 1000:.1f} ms")
        assert arrived.pk == event.pk
        assert other.redis_wakes >= 1
        assert latency < 30  # far below the poll interval: pub/sub woke it
    finally:
        other.stop()


def test_a_redis_outage_does_not_fail_the_service_that_committed(
    city: personas.City, unit_type: int, process_hub: live.Hub, settings, caplog
) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    subscription = process_hub.subscribe(unit_type, str(city.baishi.pk))
    with caplog.at_level(logging.WARNING, logger="yingji.timeline.live"):
        event = note(city.baishi, "Redis 不可用时照常记录")
    assert "could not publish to Redis" in caplog.text
    assert [e.pk for e in collect(subscription, 1)] == [event.pk]  # this process still hears
