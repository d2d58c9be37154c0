"""SQLite connections reused across requests, and the process's writers queued on a lock
(yingji/db/sqlite3)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from yingji.db.sqlite3 import base as pool
from yingji.insights.models import Stale
from yingji.org.models import Unit

FIRST = date(2026, 1, 1)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the pool and the writers' lock are SQLite's (PostgreSQL has its own pool)")


def test_a_closed_connection_is_reused_by_the_next_request() -> None:
    connection.ensure_connection()
    raw = connection.connection
    connection.close()  # what Django does at the end of each request under ASGI
    connection.ensure_connection()
    assert connection.connection is raw
    assert Unit.objects.count() >= 0  # it still works


def test_a_connection_left_in_a_transaction_is_rolled_back_before_reuse() -> None:
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("BEGIN")
    raw.execute("CREATE TABLE pool_probe (x)")
    connection.close()
    connection.ensure_connection()
    assert connection.connection is raw
    assert not raw.in_transaction
    names = [r[0] for r in raw.execute("SELECT name FROM sqlite_master").fetchall()]
    assert "pool_probe" not in names


def test_a_replaced_database_file_is_never_served_by_an_old_connection(tmp_path) -> None:
    connection.ensure_connection()
    raw = connection.connection
    key = (str(connection.settings_dict["NAME"]), pool._identity(connection.settings_dict["NAME"]))
    connection.close()
    with pool._lock:
        assert raw in pool._idle[key]
        # As if the file had been replaced since: the connection is filed under the old one.
        pool._idle[(key[0], (0, 0))] = pool._idle.pop(key)
    connection.ensure_connection()
    assert connection.connection is not raw
    with pool._lock:
        assert (key[0], (0, 0)) not in pool._idle  # the stale one was closed


def test_writers_of_the_process_take_turns_and_the_lock_is_always_given_back() -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                with transaction.atomic():
                    Stale.objects.create(
                        topic=f"probe-{n}", day=FIRST + timedelta(days=i), marked_at=timezone.now()
                    )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert Stale.objects.filter(topic__startswith="probe-").count() == 40
    # A failed transaction gives the lock back too.
    with pytest.raises(RuntimeError), transaction.atomic():
        Stale.objects.create(topic="rolled-back", day=FIRST, marked_at=timezone.now())
        raise RuntimeError
    assert pool._writers.acquire(timeout=1)
    pool._writers.release()
    assert not Stale.objects.filter(topic="rolled-back").exists()
