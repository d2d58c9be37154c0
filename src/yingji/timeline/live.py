"""The live hub: one watcher per process that hands new timeline events to the streams
open in that process.

Design
------
A thread, not a task. The watcher is a daemon thread with its own database connection,
so it serves both kinds of server the same way: under ASGI (granian) every stream is an
async generator on the event loop, and the loop never runs a query or waits on a lock
held across one; under WSGI (runserver, the test live server) every stream is a thread
blocked on a condition variable. A subscription made for an event loop is fed through
``loop.call_soon_threadsafe``, once per loop and wake (not once per stream), and the
stream awaits an ``asyncio.Event``; a thread subscription is fed through a
``threading.Condition``.

One query per wake. Each wake reads every event committed since the last read, for all
subjects, in one query, then fans the rows out by ``(content type id, subject id)``. A
stream never queries the table while it follows the hub; it only reads its backlog once
when it opens (see streams.py). Rows are shared between the streams that receive them:
treat them as read-only.

Wakes:
  (a) ``timeline.services.record()`` registers :func:`committed` with
      ``transaction.on_commit``: the watcher of the committing process wakes at once;
  (b) with ``settings.REDIS_URL``, :func:`committed` also publishes on the Redis channel
      :data:`CHANNEL`, and a listener thread beside each watcher wakes it, so a change
      made in one process reaches the streams of every other process;
  (c) otherwise, and as a safety net, the watcher polls every :data:`POLL_SECONDS`
      (embedded mode: the job consumer writes events from another process).

Late commits. On PostgreSQL ids come from a sequence when a row is inserted, not when
its transaction commits, so id 11 can become visible after id 12 has been read. A read
position alone (``id > last_seen``) would skip 11 for ever. The watcher therefore
remembers the holes below its position (ids it jumped over) for :data:`GAP_SECONDS` and
asks for them again in the same query (``id > last_seen OR id IN (holes)``). A hole is
either a transaction still in flight, which is then delivered when it commits, or a
rolled-back insert, which expires. Each row is delivered once: a hole is forgotten as
soon as it is filled. This is the precise form of "re-read a lookback window and
deduplicate": it re-reads only the ids that were missing, not the whole window. SQLite
serialises writers, so it never has holes except after a rollback.

Starting and stopping. The threads start on the first subscription. The first
subscription after an idle period takes the starting position itself, before its
stream reads the backlog, so nothing committed between the backlog and the first wake
can fall between the two. While no stream is subscribed the watcher runs no queries
and closes its connection.

Faults. A database error in the watcher is logged and retried with a growing pause
(up to :data:`MAX_BACKOFF_SECONDS`); the read position and the holes survive it, so
nothing is skipped when the database comes back. Streams are not ended for a
transient error: a browser that reconnects while the database is down gets an error
response, and ``EventSource`` gives up on those instead of retrying. Streams end when
the hub stops, when the watcher dies of an unexpected error (the next subscription
starts a fresh one), and after their own time limit; the browser then resumes with
``Last-Event-ID`` from the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

import redis
from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection
from django.db.models import Q

from yingji.timeline.models import Event

logger = logging.getLogger(__name__)

CHANNEL = "yingji:timeline"
POLL_SECONDS = 0.5
# How long an id that was jumped over is asked for again: a transaction that records an
# event and commits later than this is delivered only to streams opened after it.
GAP_SECONDS = 30.0
# Holes remembered at most (the highest ones); a larger jump is a bulk rollback.
MAX_GAPS = 1000
# At start, holes among the last this many ids are taken to be transactions in flight.
START_LOOKBACK_IDS = 100
READ_BATCH = 500
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10.0

Key = tuple[int, str]


class Subscription:
    """What one stream receives: the new events of one subject, in the order the hub
    read them (ids can arrive out of order after a late commit)."""

    def __init__(self, hub: Hub, key: Key) -> None:
        self.hub = hub
        self.key = key
        # Set when the hub ends the subscription (it stopped, or its watcher failed):
        # the stream should end and let the browser resume from the table.
        self.ended = False

    def close(self) -> None:
        self.hub.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class ThreadSubscription(Subscription):
    """For a stream that runs in its own thread (WSGI)."""

    def __init__(self, hub: Hub, key: Key) -> None:
        super().__init__(hub, key)
        self._condition = threading.Condition()
        self._items: list[Event] = []

    def _push(self, events: list[Event]) -> None:
        with self._condition:
            self._items.extend(events)
            self._condition.notify_all()

    def _end(self) -> None:
        with self._condition:
            self.ended = True
            self._condition.notify_all()

    def get(self, timeout: float) -> list[Event]:
        """The events delivered since the last call, waiting up to ``timeout`` seconds
        for one; an empty list when none came or the subscription ended."""
        with self._condition:
            self._condition.wait_for(lambda: bool(self._items) or self.ended, timeout)
            items, self._items = self._items, []
        return items


class LoopSubscription(Subscription):
    """For a stream that is an async generator on an event loop (ASGI). Only the loop's
    thread touches its state; the hub reaches it through ``call_soon_threadsafe``."""

    def __init__(self, hub: Hub, key: Key, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(hub, key)
        self.loop = loop
        self._items: list[Event] = []
        self._arrived = asyncio.Event()

    def _push_on_loop(self, events: list[Event]) -> None:
        self._items.extend(events)
        self._arrived.set()

    def _end_on_loop(self) -> None:
        self.ended = True
        self._arrived.set()

    async def get(self, timeout: float) -> list[Event]:
        """As :meth:`ThreadSubscription.get`, awaiting instead of blocking."""
        if not self._items and not self.ended:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._arrived.wait()
        self._arrived.clear()
        items, self._items = self._items, []
        return items


def _deliver_on_loop(batch: list[tuple[LoopSubscription, list[Event] | None]]) -> None:
    for subscription, events in batch:
        if events is None:
            subscription._end_on_loop()
        else:
            subscription._push_on_loop(events)


class Hub:
    """The watcher of one process (see the module docstring). ``redis_url`` turns on the
    Redis listener; ``poll_seconds`` is the fallback polling interval."""

    def __init__(self, *, redis_url: str | None = None, poll_seconds: float = POLL_SECONDS) -> None:
        self.redis_url = redis_url or None
        self.poll_seconds = poll_seconds
        self.pid = os.getpid()
        # Counters, for tests and benchmarks: wakes that read the table, SQL statements
        # the watcher ran, and wakes that came from Redis.
        self.reads = 0
        self.queries = 0
        self.redis_wakes = 0
        # Set while the Redis listener is subscribed to the channel.
        self.listening = threading.Event()
        self._lock = threading.Lock()
        self._subscribers: dict[Key, set[Subscription]] = defaultdict(set)
        self._ready = False
        self._last_seen = 0
        self._gaps: dict[int, float] = {}  # id jumped over -> when it was first missed
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self._listener: threading.Thread | None = None

    # --- streams --------------------------------------------------------------------------
    def subscribe(self, subject_type_id: int, subject_id: str) -> ThreadSubscription:
        """Follow a subject from a thread. May run one query (the first subscription
        after an idle period): never call it on an event loop."""
        subscription = ThreadSubscription(self, (subject_type_id, str(subject_id)))
        self._add(subscription)
        return subscription

    def subscribe_for_loop(
        self, subject_type_id: int, subject_id: str, loop: asyncio.AbstractEventLoop
    ) -> LoopSubscription:
        """Follow a subject from an async generator running on ``loop``. Like
        :meth:`subscribe` it may query: call it through ``sync_to_async``."""
        subscription = LoopSubscription(self, (subject_type_id, str(subject_id)), loop)
        self._add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            found = self._subscribers.get(subscription.key)
            if found is not None:
                found.discard(subscription)
                if not found:
                    del self._subscribers[subscription.key]

    def subscriber_count(self) -> int:
        with self._lock:
            return sum(len(found) for found in self._subscribers.values())

    @property
    def stopped(self) -> bool:
        return self._stopping.is_set()

    def wake(self) -> None:
        """Read the table now (thread-safe, cheap, coalesced)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """End every subscription and stop the threads; the hub cannot be restarted."""
        self._stopping.set()
        self._wake.set()
        # Under the lock: a thread is assigned and started there, so one seen here has
        # started, and none starts once stopping is set.
        with self._lock:
            threads = (self._watcher, self._listener)
        for thread in threads:
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)
        self._end_all()

    def _add(self, subscription: Subscription) -> None:
        if self._stopping.is_set():
            raise RuntimeError("the timeline hub has been stopped")
        with self._lock:
            # While anyone is subscribed the hub stays ready (only the watcher clears it,
            # and only with nobody subscribed), so joining under the lock is enough.
            joined = self._ready
            if joined:
                self._subscribers[subscription.key].add(subscription)
        if not joined:
            # The starting position is taken here, in the subscriber's thread and before
            # its stream reads the backlog, so that every event is either in that backlog
            # or read by the watcher later. Wakes from before are spent: what they
            # announced is inside the position (the query comes after the clearing).
            self._wake.clear()
            last_seen, gaps = self._starting_position()
            with self._lock:
                if not self._ready:
                    self._last_seen, self._gaps = last_seen, gaps
                    self._ready = True
                else:
                    # Another subscriber took an earlier position, and the clearing above
                    # may have spent a wake meant for it: read once more.
                    self._wake.set()
                self._subscribers[subscription.key].add(subscription)
        self._start_threads()

    def _starting_position(self) -> tuple[int, dict[int, float]]:
        recent = list(
            Event.objects.order_by("-pk").values_list("pk", flat=True)[:START_LOOKBACK_IDS]
        )
        if not recent:
            return 0, {}
        top = recent[0]
        floor = max(top - START_LOOKBACK_IDS, 0)
        now = time.monotonic()
        missing = set(range(floor + 1, top + 1)) - set(recent)
        return top, dict.fromkeys(missing, now)

    def _start_threads(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            if self._watcher is None or not self._watcher.is_alive():
                self._watcher = threading.Thread(
                    target=self._watch, name="yingji-timeline-hub", daemon=True
                )
                self._watcher.start()
            if self.redis_url and (self._listener is None or not self._listener.is_alive()):
                self._listener = threading.Thread(
                    target=self._listen, name="yingji-timeline-redis", daemon=True
                )
                self._listener.start()

    # --- the watcher ----------------------------------------------------------------------
    def _watch(self) -> None:
        backoff = FIRST_BACKOFF_SECONDS
        try:
            while not self._stopping.is_set():
                self._wake.wait(self.poll_seconds)
                self._wake.clear()
                if self._stopping.is_set():
                    break
                with self._lock:
                    active = bool(self._subscribers)
                    if not active:
                        # Nobody follows: forget the position (the next subscriber
                        # takes a fresh one) and hold no connection.
                        self._ready = False
                    last_seen, gaps = self._last_seen, sorted(self._gaps)
                if not active:
                    self._release_connection()
                    continue
                try:
                    rows = self._read(last_seen, gaps)
                except DatabaseError:
                    logger.warning(
                        "timeline hub: reading new events failed; retrying in %.1f s",
                        backoff,
                        exc_info=True,
                    )
                    self._release_connection()
                    self._stopping.wait(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                    self._wake.set()
                    continue
                backoff = FIRST_BACKOFF_SECONDS
                self._advance(rows)
                self._fan_out(rows)
                if len(rows) >= READ_BATCH:
                    self._wake.set()  # more to read: go on without waiting
        finally:
            # Stopped, or died of a bug (the exception still reaches threading's hook):
            # end the streams so that browsers resume from the table, and let the next
            # subscription start afresh.
            self._release_connection()
            with self._lock:
                self._ready = False
            self._end_all()

    def _count_query(self, execute: Callable[..., Any], *args: Any) -> Any:
        self.queries += 1
        return execute(*args)

    def _read(self, last_seen: int, gaps: list[int]) -> list[Event]:
        condition = Q(pk__gt=last_seen)
        if gaps:
            condition |= Q(pk__in=gaps)
        with connection.execute_wrapper(self._count_query):
            rows = list(Event.objects.filter(condition).order_by("pk")[:READ_BATCH])
        self.reads += 1
        return rows

    def _advance(self, rows: list[Event]) -> None:
        """Move the read position past ``rows``, remembering the ids jumped over."""
        now = time.monotonic()
        with self._lock:
            last_seen, gaps = self._last_seen, self._gaps
            for row in rows:
                if row.pk in gaps:
                    del gaps[row.pk]
                elif row.pk > last_seen:
                    lowest_kept = max(last_seen + 1, row.pk - MAX_GAPS)
                    for missing in range(lowest_kept, row.pk):
                        gaps[missing] = now
                    last_seen = row.pk
            expired = [pk for pk, since in gaps.items() if now - since > GAP_SECONDS]
            for pk in expired:
                del gaps[pk]
            if len(gaps) > MAX_GAPS:
                for pk in sorted(gaps)[: len(gaps) - MAX_GAPS]:
                    del gaps[pk]
            self._last_seen = last_seen

    def _fan_out(self, rows: list[Event]) -> None:
        if not rows:
            return
        by_key: dict[Key, list[Event]] = defaultdict(list)
        for row in rows:
            by_key[(row.subject_type_id, row.subject_id)].append(row)
        with self._lock:
            targets = [
                (subscription, events)
                for key, events in by_key.items()
                for subscription in self._subscribers.get(key, ())
            ]
        self._send(targets)

    def _end_all(self) -> None:
        with self._lock:
            everyone = [s for found in self._subscribers.values() for s in found]
            self._subscribers.clear()
        self._send([(subscription, None) for subscription in everyone])

    def _send(self, targets: Iterable[tuple[Subscription, list[Event] | None]]) -> None:
        """Hand events (``None``: the end) to subscriptions: threads directly, event
        loops with one callback per loop."""
        per_loop: dict[asyncio.AbstractEventLoop, list[tuple[LoopSubscription, Any]]] = defaultdict(
            list
        )
        for subscription, events in targets:
            if isinstance(subscription, LoopSubscription):
                per_loop[subscription.loop].append((subscription, events))
            elif isinstance(subscription, ThreadSubscription):
                if events is None:
                    subscription._end()
                else:
                    subscription._push(events)
        for loop, batch in per_loop.items():
            try:
                loop.call_soon_threadsafe(_deliver_on_loop, batch)
            except RuntimeError:  # the loop has closed: its streams are gone
                for subscription, _events in batch:
                    self.unsubscribe(subscription)

    @staticmethod
    def _release_connection() -> None:
        with contextlib.suppress(DatabaseError):
            connection.close()

    # --- Redis ----------------------------------------------------------------------------
    def _listen(self) -> None:
        backoff = FIRST_BACKOFF_SECONDS
        while not self._stopping.is_set():
            client = redis.Redis.from_url(str(self.redis_url), socket_connect_timeout=2)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(CHANNEL)
                self.listening.set()
                # Anything published while this listener was not subscribed was missed.
                self.wake()
                backoff = FIRST_BACKOFF_SECONDS
                while not self._stopping.is_set():
                    if pubsub.get_message(timeout=1.0) is not None:
                        self.redis_wakes += 1
                        self.wake()
            except redis.RedisError:
                self.listening.clear()
                logger.warning(
                    "timeline hub: Redis listener failed; retrying in %.1f s",
                    backoff,
                    exc_info=True,
                )
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            finally:
                self.listening.clear()
                with contextlib.suppress(redis.RedisError):
                    pubsub.close()
                    client.close()


_process_hub: Hub | None = None
_process_lock = threading.Lock()
_publishers: dict[str, redis.Redis] = {}


def hub() -> Hub:
    """This process's hub, made on first use (again in a forked child)."""
    global _process_hub
    with _process_lock:
        if _process_hub is None or _process_hub.pid != os.getpid() or _process_hub.stopped:
            _process_hub = Hub(redis_url=settings.REDIS_URL or None)
        return _process_hub


def stop_process_hub() -> None:
    """Stop this process's hub (its streams end); the next subscription makes a new one.
    For tests, whose database must have no connection left open at the end."""
    global _process_hub
    with _process_lock:
        found, _process_hub = _process_hub, None
    if found is not None and found.pid == os.getpid():
        found.stop()


def committed() -> None:
    """``record()``'s on-commit hook: wake this process's watcher now and, in scaled
    mode, every other process's through Redis. It never raises: the write is already
    committed, and the other processes still poll."""
    found = _process_hub
    if found is not None and found.pid == os.getpid():
        found.wake()
    url = settings.REDIS_URL
    if not url:
        return
    try:
        client = _publishers.get(url)
        if client is None:
            # Short timeouts: a Redis outage must not hold up the service that committed.
            client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
            _publishers[url] = client
        client.publish(CHANNEL, b"1")
    except redis.RedisError:
        logger.warning("timeline: could not publish to Redis", exc_info=True)
