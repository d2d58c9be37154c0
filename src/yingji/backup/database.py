"""Copying the database out of a running server and into an empty one.

SQLite: the backup API copies the file in one step under a read transaction, which in
WAL mode does not stop the server's writers. PostgreSQL: a repeatable-read transaction
exports its snapshot; the row counts are taken in it and ``pg_dump --snapshot`` dumps
exactly that state, so the manifest's counts are the dump's counts however busy the
server is.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, connections

from yingji.backup.archive import place
from yingji.db.sqlite3.base import clear_pool

SQLITE_MEMBER = "database/yingji.sqlite3"
POSTGRES_MEMBER = "database/yingji.pgdump"
# OPTIONS keys Django reads itself; the rest are libpq parameters (sslmode, …).
DJANGO_ONLY_OPTIONS = {"pool", "isolation_level", "server_side_binding", "assume_role"}


class DatabaseCopyError(RuntimeError):
    """A dump or restore that did not complete; the message is for the operator."""


def kind() -> str:
    """``sqlite`` or ``postgresql``: the configured database's kind."""
    return connection.vendor


def member() -> str:
    return SQLITE_MEMBER if kind() == "sqlite" else POSTGRES_MEMBER


def model_tables() -> list[str]:
    """The tables of yingji's and Django's models, the ones the manifest counts."""
    return sorted(connection.introspection.django_table_names(include_views=False))


def _quoted(table: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_]+", table):
        raise DatabaseCopyError(f"unexpected table name {table!r}")
    return f'"{table}"'


def _counts(cursor: Any, tables: Iterable[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(table)}")  # noqa: S608 - checked name
        counts[table] = int(cursor.fetchone()[0])
    return counts


# --- SQLite ------------------------------------------------------------------------------
def sqlite_path() -> Path:
    return Path(connection.settings_dict["NAME"])


def dump_sqlite(target: Path) -> dict[str, int]:
    """Copy the live database into ``target``; the row counts of the copy."""
    source_path = sqlite_path()
    if not source_path.exists():
        raise DatabaseCopyError(f"there is no database at {source_path}")
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            # One step (all pages): the read transaction holds one snapshot throughout.
            source.backup(copy)
            # A single self-contained file; the server turns WAL back on when it opens it.
            copy.execute("PRAGMA journal_mode=DELETE")
            present = {
                row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            return _counts(copy.cursor(), [t for t in model_tables() if t in present])
        finally:
            copy.close()
    except sqlite3.Error as error:
        raise DatabaseCopyError(f"SQLite could not copy {source_path}: {error}") from None
    finally:
        source.close()


def restore_sqlite(dump: Path) -> None:
    """Put the copy in place of the (empty) target database file."""
    target = sqlite_path()
    connections.close_all()
    # Closed connections wait in the process's pool: none may hold the old file open.
    clear_pool()
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    place(dump, target)


# --- PostgreSQL --------------------------------------------------------------------------
def pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: on PATH, else the newest in /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> int:
        match = re.search(r"/postgresql/(\d+)/", path)
        return int(match.group(1)) if match else 0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if not candidates:
        raise DatabaseCopyError(
            f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin "
            "(Debian: apt-get install postgresql-client)"
        )
    return candidates[-1]


def _libpq() -> tuple[dict[str, str], str]:
    """Connection parameters without the password, and the password (given to the
    tools through PGPASSWORD, so it never shows in a process list)."""
    settings_dict = connection.settings_dict
    params = {
        key: str(value)
        for key, value in settings_dict["OPTIONS"].items()
        if key not in DJANGO_ONLY_OPTIONS
    }
    params["dbname"] = settings_dict["NAME"]
    for key, setting in (("host", "HOST"), ("port", "PORT"), ("user", "USER")):
        if settings_dict[setting]:
            params[key] = str(settings_dict[setting])
    return params, settings_dict["PASSWORD"] or ""


def _conninfo(params: dict[str, str]) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo("", **params)


def _run(command: list[str], password: str) -> None:
    env = {**os.environ, "PGPASSWORD": password} if password else dict(os.environ)
    result = subprocess.run(  # noqa: S603 - the tool's path and fixed arguments
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tool = Path(command[0]).name
        detail = result.stderr.strip() or f"exit status {result.returncode}"
        raise DatabaseCopyError(f"{tool} failed: {detail}")


def dump_postgresql(target: Path) -> dict[str, int]:
    """``pg_dump`` of one snapshot into ``target``; the row counts in that snapshot."""
    import psycopg

    tool = pg_tool("pg_dump")
    params, password = _libpq()
    try:
        with psycopg.connect(_conninfo(params), password=password or None, autocommit=True) as db:
            db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            row = db.execute("SELECT pg_export_snapshot()").fetchone()
            assert row is not None
            snapshot = row[0]
            present = {
                r[0]
                for r in db.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            }
            counts = _counts(db.cursor(), [t for t in model_tables() if t in present])
            # The exporting transaction must stay open until pg_dump has taken the snapshot;
            # it stays open until the dump is complete, which is simplest.
            _run(
                [
                    tool,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    f"--dbname={_conninfo(params)}",
                ],
                password,
            )
            db.execute("COMMIT")
    except psycopg.Error as error:
        raise DatabaseCopyError(f"PostgreSQL: {error}") from None
    return counts


def restore_postgresql(dump: Path) -> None:
    """``pg_restore`` into the (empty) target database, in one transaction."""
    tool = pg_tool("pg_restore")
    params, password = _libpq()
    connections.close_all()
    _run(
        [
            tool,
            # Roles differ between servers: the restoring user owns everything.
            "--no-owner",
            "--no-acl",
            # A target migrated but empty already has the tables: replace them.
            "--clean",
            "--if-exists",
            "--single-transaction",
            f"--dbname={_conninfo(params)}",
            str(dump),
        ],
        password,
    )


# --- either ------------------------------------------------------------------------------
def dump(target: Path) -> dict[str, int]:
    return dump_sqlite(target) if kind() == "sqlite" else dump_postgresql(target)


def restore(dump_file: Path) -> None:
    if kind() == "sqlite":
        restore_sqlite(dump_file)
    else:
        restore_postgresql(dump_file)


def current_counts(tables: Iterable[str]) -> dict[str, int]:
    """Row counts of the configured database, for tables it has."""
    present = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        return _counts(cursor, [t for t in tables if t in present])


def occupied() -> list[str]:
    """What makes the configured database not empty: units or users (empty if none).

    A database migrated but never used has seeded categories and event types; it counts
    as empty. A SQLite file that does not exist yet is not created by asking.
    """
    from yingji.accounts.models import User
    from yingji.org.models import Unit

    if kind() == "sqlite" and not sqlite_path().exists():
        return []
    try:
        present = set(connection.introspection.table_names())
        found = []
        for model, what in ((Unit, "units"), (User, "users")):
            if model._meta.db_table in present:
                count = model.objects.count()
                if count:
                    found.append(f"{count} {what}")
        return found
    except DatabaseError as error:
        raise DatabaseCopyError(f"the target database cannot be read: {error}") from None
    finally:
        connections.close_all()
