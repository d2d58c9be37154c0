"""Database guards on the audit tables, for SQLite and PostgreSQL.

The entries and the checkpoints refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL);
the chain head refuses DELETE and any UPDATE that would move it back, rewrite the newest
hash it holds or move its seal. The application has no such path; the guards make a
stray statement or a writer without DDL rights fail too. Someone who may drop triggers
is stopped by the keyed chain and by checkpoints kept elsewhere, not by these.

SQLite loses a table's triggers whenever Django rebuilds the table (many ALTERs do), so
every migration that alters one of these tables calls :func:`install_guards` again.
"""

from __future__ import annotations

from typing import Any

ENTRIES = "audit_auditentry"
HEAD = "audit_chainhead"
CHECKPOINTS = "audit_checkpoint"

# The UPDATE guard on entries, as migrations 0002 and 0003 installed it.
SQLITE_UP = """
CREATE TRIGGER IF NOT EXISTS audit_entry_no_update BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_entry_no_update;"
POSTGRES_UP = """
CREATE OR REPLACE FUNCTION audit_entry_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$;
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_refuse_update();
"""

# What a change of the head may not do: go back, rewrite the newest hash at the same
# position, or move the seal once it is set (the migration that keys the chain sets it
# on a head written before it; every head created since starts sealed).
HEAD_REWIND = (
    "NEW.id <> OLD.id OR NEW.last_id < OLD.last_id"
    " OR (NEW.last_id = OLD.last_id AND NEW.last_hash <> OLD.last_hash)"
    " OR (OLD.seal <> '' AND (NEW.seal <> OLD.seal OR NEW.plain_until <> OLD.plain_until))"
)

# name, table, event; the entries' UPDATE guard above is not among them.
GUARDS = [
    ("audit_entry_no_delete", ENTRIES, "DELETE"),
    ("audit_checkpoint_no_update", CHECKPOINTS, "UPDATE"),
    ("audit_checkpoint_no_delete", CHECKPOINTS, "DELETE"),
    ("audit_head_no_rewind", HEAD, "UPDATE"),
    ("audit_head_no_delete", HEAD, "DELETE"),
]
TRUNCATE_GUARDS = [
    ("audit_entry_no_truncate", ENTRIES),
    ("audit_checkpoint_no_truncate", CHECKPOINTS),
    ("audit_head_no_truncate", HEAD),
]

POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% on % refused: the audit log is append-only', TG_OP, TG_TABLE_NAME;
END; $$;
CREATE OR REPLACE FUNCTION audit_head_refuse_rewind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF {HEAD_REWIND} THEN
    RAISE EXCEPTION 'the audit chain head only moves forward';
  END IF;
  RETURN NEW;
END; $$;
"""
POSTGRES_DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS audit_refuse();
DROP FUNCTION IF EXISTS audit_head_refuse_rewind();
"""


def _sqlite_create(name: str, table: str, event: str) -> str:
    if name == "audit_head_no_rewind":
        return (
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE UPDATE ON {table} "
            f"WHEN {HEAD_REWIND} "
            "BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward'); END;"
        )
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{event} on {table} refused: "
        "the audit log is append-only'); END;"
    )


def _postgres_create(name: str, table: str, event: str) -> str:
    function = "audit_head_refuse_rewind" if name == "audit_head_no_rewind" else "audit_refuse"
    return (
        f"DROP TRIGGER IF EXISTS {name} ON {table}; "
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}();"
    )


def install_guards_on(connection: Any) -> None:
    """Create every guard but the entries' UPDATE guard (see :func:`install`)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, table, event in GUARDS:
                cursor.execute(_sqlite_create(name, table, event))
        elif connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTIONS)
            for name, table, event in GUARDS:
                cursor.execute(_postgres_create(name, table, event))
            for name, table in TRUNCATE_GUARDS:
                cursor.execute(
                    f"DROP TRIGGER IF EXISTS {name} ON {table}; "
                    f"CREATE TRIGGER {name} BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();"
                )


def remove_guards_from(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, _table, _event in GUARDS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name};")
        elif connection.vendor == "postgresql":
            for name, table in [(n, t) for n, t, _e in GUARDS] + TRUNCATE_GUARDS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
            cursor.execute(POSTGRES_DROP_FUNCTIONS)


def guarded(connection: Any) -> bool:
    """Whether the tables the guards sit on exist (the audit migrations have run)."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    return {ENTRIES, HEAD, CHECKPOINTS} <= tables


def install_guards(apps: Any, schema_editor: Any) -> None:
    install_guards_on(schema_editor.connection)


def remove_guards(apps: Any, schema_editor: Any) -> None:
    remove_guards_from(schema_editor.connection)


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
