"""A subject's timeline as Server-Sent Events, for any page that shows it live.

A view checks access to the subject first, then returns :func:`subject_stream`::

    def render_event(event: Event) -> dict[str, object]:
        return {"kind": event.kind, "summary": event.summary, "drill": event.is_drill}

    @login_required
    def incident_stream(request: HttpRequest, pk: int) -> StreamingHttpResponse:
        incident = incident_for(request.user, pk)  # 404 for what the user may not see
        return subject_stream(request, incident, render_event)

The stream first sends the subject's events after ``Last-Event-ID`` (or ``?after=``)
from the table, then follows the process's hub (live.py). Without either it sends only
what is recorded from now on: a page renders the timeline it has, then opens the stream
with ``?after=<the last id it shows>``. Each message is ``id: <event pk>``,
``event: <event_name>`` and ``data: <render(event) as JSON>``.

Events are sent in the order the hub reads them. After a late commit on PostgreSQL a
lower id can follow a higher one, with two consequences for a browser that reconnects
with the last id it received:
- an event it already has may be sent again: a page should key what it shows by event
  id (e.g. an element id ``event-<pk>``);
- an event with a lower id that commits while the browser is away is not replayed (it
  is in the table, and the next page load shows it). The window is the time between a
  service's timeline write and its commit, normally milliseconds.

``render`` runs where the stream runs: on the event loop under ASGI. It must not query
the database; everything on :class:`~yingji.timeline.models.Event` is loaded (use
``actor_label``, not ``actor``). It runs in the language of the request that opened
the stream, so gettext in it speaks the reader's language. Drill events are passed
through like any other: the caller shows them as drills.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.contrib.contenttypes.models import ContentType
from django.core.handlers.asgi import ASGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import Error as DatabaseError
from django.db import connection, models
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import translation

from yingji.timeline import live
from yingji.timeline.models import Event

logger = logging.getLogger(__name__)

STREAM_SECONDS = 300.0  # a stream ends after this; the browser reconnects with Last-Event-ID
KEEPALIVE_SECONDS = 15.0
RETRY_MILLISECONDS = 3000
REPLAY_BATCH = 200

Render = Callable[[Event], dict[str, Any]]
S = TypeVar("S", bound=live.Subscription)


def subject_stream(
    request: HttpRequest,
    subject: models.Model,
    render: Render,
    *,
    event_name: str = "timeline",
) -> StreamingHttpResponse:
    """Server-Sent Events for ``subject``'s timeline. Call it after the view's own
    access check. It runs no query itself, so an async view may call it directly."""
    if not event_name or "\n" in event_name or "\r" in event_name:
        raise ValueError("an SSE event name is one line")
    after = requested_after(request)
    model = type(subject)
    subject_id = str(subject.pk)
    # The stream outlives the middleware that chose the reader's language: keep it.
    language = translation.get_language()
    events: Iterator[str] | AsyncIterator[str]
    if isinstance(request, ASGIRequest):
        events = _async_stream(model, subject_id, after, render, event_name, language)
    else:
        events = _sync_stream(model, subject_id, after, render, event_name, language)
    response = StreamingHttpResponse(events, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def requested_after(request: HttpRequest) -> int | None:
    """The last event id the browser has: the ``Last-Event-ID`` header of a reconnecting
    ``EventSource``, else ``?after=``; ``None`` for neither (or nonsense)."""
    raw = (request.headers.get("Last-Event-ID") or request.GET.get("after") or "").strip()
    # ASCII digits only, and within a bigint: anything else starts from now.
    if raw.isascii() and raw.isdigit() and len(raw) <= 18:
        return int(raw)
    return None


def _message(event: Event, render: Render, event_name: str) -> str:
    data = json.dumps(render(event), ensure_ascii=False, cls=DjangoJSONEncoder)
    return f"id: {event.pk}\nevent: {event_name}\ndata: {data}\n\n"


def _release_connection() -> None:
    """Give the thread's connection back while the stream waits: a stream that held one
    for five minutes would exhaust PostgreSQL's connections long before the servers.
    (A test's transaction, if any, keeps it.)"""
    if not connection.in_atomic_block:
        connection.close()


def _open(
    model: type[models.Model],
    subject_id: str,
    after: int | None,
    subscribe: Callable[[live.Hub, int, str], S],
) -> tuple[S, int, int, bool]:
    """Subscribe, then settle where the backlog starts: subscribing first means an
    event committed meanwhile is in the backlog, or from the hub, or both (the stream
    drops the repeat). Returns the subscription, the content type id, the id after which
    to replay, and whether there is a backlog to replay at all."""
    try:
        subject_type = ContentType.objects.get_for_model(model)
        subscription = subscribe(live.hub(), subject_type.pk, subject_id)
        if after is not None:
            return subscription, subject_type.pk, after, True
        try:
            latest = (
                Event.objects.filter(subject_type=subject_type, subject_id=subject_id)
                .order_by("-pk")
                .values_list("pk", flat=True)
                .first()
            )
        except DatabaseError:
            subscription.close()
            raise
        return subscription, subject_type.pk, latest or 0, False
    finally:
        _release_connection()


def _backlog(subject_type_id: int, subject_id: str, after: int) -> list[Event]:
    try:
        return list(
            Event.objects.filter(
                subject_type_id=subject_type_id, subject_id=subject_id, pk__gt=after
            ).order_by("pk")[:REPLAY_BATCH]
        )
    finally:
        _release_connection()


class _Sender:
    """Turns events into SSE messages for one stream: each id once, and a keep-alive
    comment after a quiet spell."""

    def __init__(self, render: Render, event_name: str, language: str | None) -> None:
        self.render = render
        self.event_name = event_name
        self.language = language
        self.ends = time.monotonic() + STREAM_SECONDS
        self.sent: set[int] = set()
        self.quiet_since = time.monotonic()

    def messages(self, events: list[Event]) -> list[str]:
        out = []
        with translation.override(self.language):
            for event in events:
                if event.pk not in self.sent:
                    self.sent.add(event.pk)
                    out.append(_message(event, self.render, self.event_name))
        if out:
            self.quiet_since = time.monotonic()
        return out

    def wait_seconds(self) -> float | None:
        """How long to wait for the hub now; ``None`` once the stream's time is up."""
        now = time.monotonic()
        if now >= self.ends:
            return None
        return max(0.0, min(self.ends, self.quiet_since + KEEPALIVE_SECONDS) - now)

    def keepalive(self) -> str | None:
        if time.monotonic() - self.quiet_since < KEEPALIVE_SECONDS:
            return None
        self.quiet_since = time.monotonic()
        return ": keep-alive\n\n"


def _thread_subscription(
    hub: live.Hub, subject_type_id: int, subject_id: str
) -> live.ThreadSubscription:
    return hub.subscribe(subject_type_id, subject_id)


def _sync_stream(
    model: type[models.Model],
    subject_id: str,
    after: int | None,
    render: Render,
    event_name: str,
    language: str | None,
) -> Iterator[str]:
    """For WSGI (the development and test servers): one thread per stream, blocked on
    its subscription, holding no database connection while it waits."""
    sender = _Sender(render, event_name, language)
    try:
        subscription, subject_type_id, position, replay = _open(
            model, subject_id, after, _thread_subscription
        )
    except DatabaseError:  # the database went away: the browser resumes later
        logger.warning("timeline stream could not start", exc_info=True)
        return
    with subscription:
        # Sent once subscribed: a client that has read it misses nothing from then on.
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        while replay:
            try:
                batch = _backlog(subject_type_id, subject_id, position)
            except DatabaseError:
                logger.warning("timeline stream could not read its backlog", exc_info=True)
                return
            yield from sender.messages(batch)
            replay = len(batch) == REPLAY_BATCH
            if batch:
                position = batch[-1].pk
        while (wait := sender.wait_seconds()) is not None:
            yield from sender.messages(subscription.get(wait))
            if subscription.ended:
                return
            if keepalive := sender.keepalive():
                yield keepalive


async def _open_on_loop(
    model: type[models.Model], subject_id: str, after: int | None
) -> tuple[live.LoopSubscription, int, int, bool]:
    loop = asyncio.get_running_loop()

    def subscribe(hub: live.Hub, subject_type_id: int, subject_id: str) -> live.LoopSubscription:
        return hub.subscribe_for_loop(subject_type_id, subject_id, loop)

    opening = asyncio.ensure_future(sync_to_async(_open)(model, subject_id, after, subscribe))
    try:
        return await asyncio.shield(opening)
    except asyncio.CancelledError:
        # The browser left while the thread was subscribing: unsubscribe once it has.
        def close(done: asyncio.Future[tuple[live.LoopSubscription, int, int, bool]]) -> None:
            if not done.cancelled() and done.exception() is None:
                done.result()[0].close()

        opening.add_done_callback(close)
        raise


async def _async_stream(
    model: type[models.Model],
    subject_id: str,
    after: int | None,
    render: Render,
    event_name: str,
    language: str | None,
) -> AsyncIterator[str]:
    """For ASGI: an async generator on the event loop; database work runs in the
    request's thread through ``sync_to_async``, the waiting on the loop."""
    sender = _Sender(render, event_name, language)
    try:
        subscription, subject_type_id, position, replay = await _open_on_loop(
            model, subject_id, after
        )
    except DatabaseError:
        logger.warning("timeline stream could not start", exc_info=True)
        return
    with subscription:
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        while replay:
            try:
                batch = await sync_to_async(_backlog)(subject_type_id, subject_id, position)
            except DatabaseError:
                logger.warning("timeline stream could not read its backlog", exc_info=True)
                return
            for message in sender.messages(batch):
                yield message
            replay = len(batch) == REPLAY_BATCH
            if batch:
                position = batch[-1].pk
        while (wait := sender.wait_seconds()) is not None:
            for message in sender.messages(await subscription.get(wait)):
                yield message
            if subscription.ended:
                return
            if keepalive := sender.keepalive():
                yield keepalive
