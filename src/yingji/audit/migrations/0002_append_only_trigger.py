"""Refuse UPDATE on audit entries in the database itself, on SQLite and PostgreSQL.

The application has no update path; this makes a stray SQL statement fail too. Deletes
are left to the hash chain to expose, so that test databases can still be flushed.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_entry_no_update;"
POSTGRES_UP = """
CREATE FUNCTION audit_entry_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_refuse_update();
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
