"""The request's language, time zone and URL state, read without a process-wide lock.

Django keeps the active language, time zone, URL prefix and URLconf in
``asgiref.local.Local`` objects. Each read of one takes a lock shared by every thread of
the process, and under ASGI each request runs in a thread of its own: a page calls
``gettext`` thousands of times, so 200 people at work made 200 threads queue on that
lock, each woken in turn behind the interpreter lock. In the 1M load run on SQLite
(docs/benchmarks.md) 59 of 70 threads of the web process were waiting there at once,
and pages that translate much waited 9–44 s while the API's JSON reads took 120 ms.

``ContextLocal`` keeps the same storage as asgiref's ``Local`` (a context variable
holding a dictionary that a write replaces and never changes in place, tagged with its
thread, which asgiref's ``sync_to_async`` and ``async_to_sync`` carry across), so it is
seen where Django's would be; only reads go without the lock, since they read a
published dictionary and nothing else. ``install`` puts one in place of each of
Django's four at start (``YingjiConfig.ready``), before any request sets them.
"""

from __future__ import annotations

import threading
from typing import Any

from asgiref.local import _CVar


class ContextLocal:
    """``asgiref.local.Local()`` (not thread-critical) whose reads take no lock."""

    __slots__ = ("_lock", "_storage")

    def __init__(self) -> None:
        object.__setattr__(self, "_storage", _CVar())
        object.__setattr__(self, "_lock", threading.Lock())

    def __getattr__(self, key: str) -> Any:
        return getattr(self._storage, key)

    def __setattr__(self, key: str, value: Any) -> None:
        with self._lock:
            setattr(self._storage, key, value)

    def __delattr__(self, key: str) -> None:
        with self._lock:
            delattr(self._storage, key)


def install() -> None:
    """Replace Django's module-level locals with ``ContextLocal`` objects."""
    from django.urls import base as urls
    from django.utils import timezone
    from django.utils.translation import trans_real

    for module, name in (
        (trans_real, "_active"),
        (timezone, "_active"),
        (urls, "_prefixes"),
        (urls, "_urlconfs"),
    ):
        if not isinstance(getattr(module, name), ContextLocal):
            setattr(module, name, ContextLocal())
