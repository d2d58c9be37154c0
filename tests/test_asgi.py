"""The ASGI application works on at most REQUEST_SLOTS requests at once: the rest wait
their turn, and a live stream or an upload being read holds no slot (yingji.asgi)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpResponse, StreamingHttpResponse

from yingji import asgi


def scope(path: str = "/") -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


class Client:
    """One request through the handler; its response's status and body."""

    def __init__(self) -> None:
        self.status = 0
        self.body = b""
        self.done = asyncio.Event()
        self.hang_up = asyncio.Event()

    async def receive(self) -> dict[str, Any]:
        if not hasattr(self, "_sent_body"):
            self._sent_body = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.hang_up.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Mapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                self.done.set()


def served_at_once(
    monkeypatch: pytest.MonkeyPatch, slots: int, requests: int
) -> tuple[int, list[Client]]:
    """Send ``requests`` at once through a handler of ``slots``, each view taking 20 ms:
    the most worked on at the same time, and the clients with their answers."""
    working = 0
    most = 0

    async def view(self: ASGIHandler, request: Any) -> HttpResponse:
        nonlocal working, most
        working += 1
        most = max(most, working)
        await asyncio.sleep(0.02)
        working -= 1
        return HttpResponse(request.path)

    monkeypatch.setattr(ASGIHandler, "run_get_response", view)
    handler = asgi.BoundedASGIHandler(slots)

    async def all_at_once() -> list[Client]:
        clients = [Client() for _ in range(requests)]
        await asyncio.gather(
            *(
                handler(scope(f"/{n}/"), client.receive, client.send)
                for n, client in enumerate(clients)
            )
        )
        return clients

    clients = asyncio.run(all_at_once())
    return most, clients


def test_at_most_the_slots_work_at_once_and_the_rest_are_answered_in_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    most, clients = served_at_once(monkeypatch, slots=2, requests=6)
    assert most == 2
    assert [(c.status, c.body) for c in clients] == [(200, f"/{n}/".encode()) for n in range(6)]


def test_a_live_stream_holds_no_slot_while_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one slot, a stream that has not ended lets the next request through."""

    async def view(self: ASGIHandler, request: Any) -> HttpResponse | StreamingHttpResponse:
        if request.path == "/stream/":

            async def events() -> Any:
                yield b"event: hello\n\n"
                await asyncio.sleep(3600)

            return StreamingHttpResponse(events(), content_type="text/event-stream")
        return HttpResponse(b"page")

    monkeypatch.setattr(ASGIHandler, "run_get_response", view)
    handler = asgi.BoundedASGIHandler(1)

    async def stream_then_page() -> bytes:
        streaming, page = Client(), Client()
        stream = asyncio.create_task(handler(scope("/stream/"), streaming.receive, streaming.send))
        await asyncio.sleep(0.05)
        assert streaming.status == 200 and not streaming.done.is_set()
        await asyncio.wait_for(handler(scope("/page/"), page.receive, page.send), timeout=5)
        streaming.hang_up.set()  # the browser closes the stream
        await asyncio.wait_for(stream, timeout=5)
        return page.body

    assert asyncio.run(stream_then_page()) == b"page"


def test_no_slots_set_means_no_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    most, clients = served_at_once(monkeypatch, slots=0, requests=5)
    assert most == 5 and all(c.status == 200 for c in clients)


def test_the_served_application_is_bounded_by_the_setting() -> None:
    from django.conf import settings

    assert isinstance(asgi.application, asgi.BoundedASGIHandler)
    assert asgi.application.slots == settings.REQUEST_SLOTS
