"""A subject's timeline over Server-Sent Events, read as a browser reads it."""

from __future__ import annotations

import asyncio
import http.client
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test import AsyncClient, Client

from tests import personas
from tests.timeline.conftest import note
from tests.timeline.sse import Reader
from yingji.accounts.models import User
from yingji.accounts.roles import Role
from yingji.timeline import live, streams

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.timeline.urls"),
]


@pytest.fixture
def officer(city: personas.City) -> User:
    return personas.make_user("officer", city.baishi, Role.DUTY_OFFICER, name="孙晓")


@pytest.fixture
def short_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streams, "STREAM_SECONDS", 1.5)


def url_for(unit: object) -> str:
    return f"/units/{unit.pk}/timeline/stream/"  # type: ignore[attr-defined]


def read(chunks: Iterator[bytes], events: int) -> Reader:
    """Read until ``events`` events have come or the stream ends."""
    reader = Reader()
    for chunk in chunks:
        reader.feed(chunk)
        if len(reader.events) >= events:
            break
    return reader


def close_connection() -> None:
    connection.close()  # this thread's, resolved in the thread


def later(seconds: float, action) -> threading.Thread:
    """Run ``action`` in another thread after ``seconds`` (a change made elsewhere)."""

    def run() -> None:
        time.sleep(seconds)
        try:
            action()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_it_replays_what_came_after_the_last_event_id(
    officer: User, city: personas.City, short_streams: None
) -> None:
    seen = note(city.baishi, "首报：白石县暴雨")
    missed = [note(city.baishi, "续报一"), note(city.baishi, "续报二")]
    note(city.qingxi, "清溪区的事件")  # another subject
    client = Client()
    client.force_login(officer)

    response = client.get(url_for(city.baishi), HTTP_LAST_EVENT_ID=str(seen.pk))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert "no-cache" in response["Cache-Control"] and response["X-Accel-Buffering"] == "no"
    reader = read(response.streaming_content, 2)
    assert reader.messages[0].retry == "3000"
    assert reader.ids == [e.pk for e in missed]
    assert {m.event for m in reader.events} == {"timeline"}
    assert [m.data["summary"] for m in reader.events] == ["续报一", "续报二"]


def test_the_after_parameter_replays_like_the_header(
    officer: User, city: personas.City, short_streams: None
) -> None:
    first = note(city.baishi, "首报")
    second = note(city.baishi, "续报")
    client = Client()
    client.force_login(officer)
    response = client.get(url_for(city.baishi), {"after": str(first.pk)})
    assert read(response.streaming_content, 1).ids == [second.pk]


def test_without_a_position_it_sends_only_what_comes_next(
    officer: User, city: personas.City, short_streams: None
) -> None:
    note(city.baishi, "已在页面上的事件")
    client = Client()
    client.force_login(officer)
    response = client.get(url_for(city.baishi))
    writer = later(0.3, lambda: note(city.baishi, "新事件", is_drill=True))
    reader = read(response.streaming_content, 1)
    writer.join()
    [message] = reader.events
    assert message.data["summary"] == "新事件" and message.data["drill"] is True


def test_a_quiet_stream_sends_keep_alives_and_ends(
    officer: User, city: personas.City, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "STREAM_SECONDS", 1.0)
    monkeypatch.setattr(streams, "KEEPALIVE_SECONDS", 0.3)
    client = Client()
    client.force_login(officer)
    began = time.monotonic()
    reader = read(client.get(url_for(city.baishi)).streaming_content, 1)
    assert time.monotonic() - began < 10  # it ended by itself
    assert reader.events == []
    assert [m.comment for m in reader.messages].count("keep-alive") >= 2
    assert live.hub().subscriber_count() == 0  # the stream left the hub


def test_the_view_checks_access_before_streaming(city: personas.City, short_streams: None) -> None:
    outsider = personas.make_user("qingxi", city.qingxi, Role.DUTY_OFFICER)
    client = Client()
    client.force_login(outsider)
    assert client.get(url_for(city.baishi)).status_code == 404


def test_async_streams_replay_and_follow_the_hub(
    officer: User, city: personas.City, short_streams: None, process_hub: live.Hub
) -> None:
    """Under ASGI every stream is an async generator on one event loop."""
    seen = note(city.baishi, "首报")
    missed = note(city.baishi, "续报")
    client = AsyncClient()
    client.force_login(officer)
    count = 20

    async def one_stream() -> Reader:
        response = await client.get(url_for(city.baishi), headers={"Last-Event-ID": str(seen.pk)})
        assert response["Content-Type"].startswith("text/event-stream")
        reader = Reader()
        async for chunk in response.streaming_content:
            reader.feed(chunk)
            if len(reader.events) >= 2:
                break
        return reader

    async def main() -> tuple[list[Reader], int]:
        readers = asyncio.gather(*(one_stream() for _ in range(count)))
        while process_hub.subscriber_count() < count:
            await asyncio.sleep(0.02)
        reads = process_hub.reads
        fresh = await sync_to_async(note)(city.baishi, "指挥部：启动二级响应")
        found = await readers
        assert process_hub.reads - reads == 1
        await sync_to_async(close_connection)()
        return found, fresh.pk

    readers, fresh_id = asyncio.run(main())
    for reader in readers:
        assert reader.ids == [missed.pk, fresh_id]


def test_each_async_stream_renders_in_its_readers_language(
    officer: User, city: personas.City, short_streams: None
) -> None:
    english, chinese = AsyncClient(), AsyncClient()
    for client in (english, chinese):
        client.force_login(officer)
    english.cookies["yingji_language"] = "en"

    async def heading(client: AsyncClient) -> str:
        response = await client.get(url_for(city.baishi))
        reader = Reader()
        async for chunk in response.streaming_content:
            reader.feed(chunk)
            if reader.events:
                break
            if len(reader.messages) == 1:  # "retry": the stream has subscribed
                await sync_to_async(note)(city.baishi, "双语")
        return str(reader.events[0].data["heading"])

    async def main() -> list[str]:
        found = [await heading(english), await heading(chinese)]
        await sync_to_async(close_connection)()
        return found

    assert asyncio.run(main()) == ["Timeline", "时间线"]


def open_stream(
    live_server, officer: User, unit: object
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse, Reader]:
    """A browser's EventSource on the live server, once the stream is subscribed."""
    client = Client()
    client.force_login(officer)
    address = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(str(address.hostname), address.port, timeout=10)
    conn.request(
        "GET", url_for(unit), headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    )
    response = conn.getresponse()
    assert response.status == 200
    reader = Reader()
    while not reader.messages:
        reader.feed(response.read1())
    assert reader.messages[0].retry == "3000"  # sent once the stream has subscribed
    return conn, response, reader


def test_a_real_wsgi_server_streams_to_a_browser(
    officer: User, city: personas.City, live_server, short_streams: None
) -> None:
    """The development and test server: one thread per stream."""
    conn, response, reader = open_stream(live_server, officer, city.baishi)
    began = time.monotonic()
    event = note(city.baishi, "现场：人员已转移")
    while not reader.events and time.monotonic() < began + 10:
        reader.feed(response.read1())
    latency = time.monotonic() - began
    print(f"WSGI stream: arrived after {latency * 1000:.1f} ms")
    conn.close()
    assert reader.ids == [event.pk]
    assert latency < 5


def test_waiting_streams_hold_no_database_connection(
    officer: User, city: personas.City, live_server, short_streams: None
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("counted in pg_stat_activity")

    def connections() -> int:
        """Connections open and not waiting in the pool (none waits without one)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            opened = int(cursor.fetchone()[0])
        pool = connection.pool  # type: ignore[attr-defined]
        return opened - (pool.get_stats().get("pool_available", 0) if pool else 0)

    opened = [open_stream(live_server, officer, city.baishi) for _ in range(8)]
    event = note(city.baishi, "八个页面同时打开")
    for _conn, response, reader in opened:
        while not reader.events:
            reader.feed(response.read1())
        assert reader.ids == [event.pk]
    # This test's own connection and the hub's: not one per stream, in a pool or not.
    assert connections() <= 3
    for conn, _response, _reader in opened:
        conn.close()
