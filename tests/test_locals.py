"""The request's language and time zone, kept per request as Django keeps them, read
without the lock asgiref's Local takes (yingji.locals)."""

from __future__ import annotations

import asyncio
import threading
import zoneinfo

from asgiref.local import Local
from asgiref.sync import async_to_sync, sync_to_async
from django.urls import base as urls
from django.utils import timezone, translation
from django.utils.translation import trans_real

from yingji.locals import ContextLocal


def test_djangos_request_locals_are_replaced_at_start() -> None:
    for local in (trans_real._active, timezone._active, urls._prefixes, urls._urlconfs):  # type: ignore[attr-defined]
        assert isinstance(local, ContextLocal)


def test_a_read_does_not_wait_for_a_thread_holding_the_lock() -> None:
    """The lock asgiref's Local takes for every read is what 200 request threads
    queued on; a ContextLocal read goes past a writer holding its lock."""
    local = trans_real._active  # type: ignore[attr-defined]
    assert isinstance(local, ContextLocal)
    read: list[str] = []
    with local._lock:  # a writer, stopped half-way
        reader = threading.Thread(target=lambda: read.append(translation.get_language()))
        reader.start()
        reader.join(timeout=5)
    assert read and not reader.is_alive()


def observed(local: object) -> list[object]:
    """What code sees of a value set in a sync thread: in another thread, in a task
    async_to_sync runs and in its sync_to_async, after the task changed it, and in two
    tasks that set their own."""
    seen: list[object] = []
    local.value = "en"  # type: ignore[attr-defined]
    worker = threading.Thread(target=lambda: seen.append(getattr(local, "value", None)))
    worker.start()
    worker.join()

    async def task() -> None:
        seen.append(await sync_to_async(lambda: local.value)())  # type: ignore[attr-defined]
        local.value = "zh-hans"  # type: ignore[attr-defined]
        seen.append(await sync_to_async(lambda: local.value)())  # type: ignore[attr-defined]

    async_to_sync(task)()
    seen.append(local.value)  # type: ignore[attr-defined]

    async def own(value: str) -> object:
        local.value = value  # type: ignore[attr-defined]
        await asyncio.sleep(0.01)
        return await sync_to_async(lambda: local.value)()  # type: ignore[attr-defined]

    async def both() -> list[object]:
        return list(await asyncio.gather(own("a"), own("b")))

    seen.append(asyncio.run(both()))
    del local.value  # type: ignore[attr-defined]
    seen.append(getattr(local, "value", None))
    return seen


def test_a_value_is_seen_where_asgirefs_local_shows_it() -> None:
    expected = [None, "en", "zh-hans", "zh-hans", ["a", "b"], None]
    assert observed(Local()) == expected
    assert observed(ContextLocal()) == expected


def test_two_tasks_keep_their_own_time_zone() -> None:
    async def task(zone: str) -> str:
        timezone.activate(zoneinfo.ZoneInfo(zone))
        await asyncio.sleep(0.01)
        return str(await sync_to_async(timezone.get_current_timezone)())

    async def both() -> list[str]:
        return list(await asyncio.gather(task("Asia/Urumqi"), task("Asia/Shanghai")))

    assert asyncio.run(both()) == ["Asia/Urumqi", "Asia/Shanghai"]
    timezone.deactivate()
