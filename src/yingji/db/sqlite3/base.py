"""Django's SQLite backend with the process's connections kept for reuse.

Under ASGI each request runs in a thread of its own, so Django opens a new connection
for every request that reads the database and closes it at the end. Opening one costs
SQLite about 3–4 ms of CPU (it reads the whole schema again, then the PRAGMAs run):
more than the rest of a registration's SQL together (docs/benchmarks.md). Here a closed
connection goes back to a small pool of the process and the next request takes it,
as the PostgreSQL pool does for PostgreSQL.

A connection is pooled only outside a transaction and after a clean rollback of any
the request left open; one is handed out only while the database file is the file it
was opened on (a restore or a test database rebuilt replaces the file). At most
``POOL_SIZE`` wait; more are closed.

Writers of the process also queue on a lock of their own before ``BEGIN IMMEDIATE``.
SQLite makes a writer that finds the database locked sleep and try again (1, 2, 5 …
100 ms), so under a burst of registrations some waited a second or more while others
went in at once; on the lock each goes in as soon as the one before commits. Writers of
other processes (the job consumer) still meet SQLite's own wait.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

from django.db.backends.sqlite3 import base
from django.utils.asyncio import async_unsafe

POOL_SIZE = 16
# How long a writer waits for the process's other writers before it goes on to
# SQLite's own wait: as long as that wait (the busy timeout).
WRITER_WAIT_SECONDS = 20

_writers = threading.Lock()

_lock = threading.Lock()
# (database path, its file's identity) -> idle connections
_idle: dict[tuple[str, tuple[int, int] | None], list[Any]] = {}


def _identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino)


def clear_pool() -> None:
    """Close every idle connection (before replacing the database file)."""
    with _lock:
        idle = [c for connections in _idle.values() for c in connections]
        _idle.clear()
    for connection in idle:
        connection.close()


# The stubs leave out the private methods overridden here.
_Wrapper: Any = base.DatabaseWrapper


class DatabaseWrapper(_Wrapper):
    _holds_writers = False

    def _start_transaction_under_autocommit(self) -> None:
        if self.transaction_mode == "IMMEDIATE" and not self._holds_writers:
            self._holds_writers = _writers.acquire(timeout=WRITER_WAIT_SECONDS)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writers()
            raise

    def _release_writers(self) -> None:
        if self._holds_writers:
            self._holds_writers = False
            _writers.release()

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_writers()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_writers()

    def _pool_key(self, name: str) -> tuple[str, tuple[int, int] | None] | None:
        if self.is_in_memory_db() or not name:
            return None
        return (name, _identity(name))

    @async_unsafe
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        key = self._pool_key(str(conn_params.get("database", "")))
        if key is not None and key[1] is not None:
            stale = []
            with _lock:
                idle = _idle.get(key)
                if idle:
                    return idle.pop()
                # Connections to a file since replaced are of no more use.
                for other in [k for k in _idle if k[0] == key[0] and k != key]:
                    stale += _idle.pop(other)
            for connection in stale:
                connection.close()
        return super().get_new_connection(conn_params)

    def _close(self) -> None:
        connection = self.connection
        if connection is None:
            self._release_writers()
            return
        key = self._pool_key(str(self.settings_dict["NAME"]))
        if key is not None and key[1] is not None:
            try:
                if connection.in_transaction:
                    connection.rollback()
            except sqlite3.Error:
                pass
            else:
                self._release_writers()
                with _lock:
                    idle = _idle.setdefault(key, [])
                    if len(idle) < POOL_SIZE:
                        idle.append(connection)
                        return
        try:
            super()._close()
        finally:
            self._release_writers()
