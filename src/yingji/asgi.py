"""The ASGI application, working on a bounded number of requests at once.

Django runs each synchronous request in a thread of its own, and every thread of a
process shares one interpreter lock. Past a process's capacity, 200 requests at once
made 200 threads share it: each page took as many times longer as there were threads,
and a writer holding SQLite's write lock (or the audit chain's head) got one turn in
200, so every write queued behind it. In the 1M load run on SQLite (docs/benchmarks.md)
p99 was 29 s; with at most ``REQUEST_SLOTS`` (8) at once, the rest waiting their turn
in order of arrival, it was 6 s, and more requests were answered.

The slot is held from the first middleware to the view's response: reading the body
(an upload from a slow line) and sending the response (a live stream, which may last
an hour) happen outside it. ``YINGJI_REQUEST_SLOTS=0`` works on every request at once:
the default with PostgreSQL, where the bound measured no better than none (its pool
already bounds the database work of a process).
"""

from __future__ import annotations

import asyncio
import os
import weakref
from typing import Any

import django
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class BoundedASGIHandler(ASGIHandler):
    """Django's ASGI handler, with at most ``slots`` requests past the body at once."""

    def __init__(self, slots: int) -> None:
        super().__init__()
        self.slots = slots
        # One semaphore per event loop (a server may run several).
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._turns = weakref.WeakKeyDictionary()

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        turns = self._turns.get(loop)
        if turns is None:
            turns = self._turns[loop] = asyncio.Semaphore(self.slots)
        return turns

    async def run_get_response(self, request: HttpRequest) -> HttpResponseBase:
        if self.slots <= 0:
            return await super().run_get_response(request)
        async with self._semaphore():
            return await super().run_get_response(request)


def _application() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    django.setup(set_prefix=False)
    return BoundedASGIHandler(settings.REQUEST_SLOTS)


application = _application()
