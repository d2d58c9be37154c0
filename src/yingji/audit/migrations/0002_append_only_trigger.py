"""Refuse UPDATE on audit entries in the database itself, on SQLite and PostgreSQL.

The application has no update path; this makes a stray SQL statement fail too. Deletes
are left to the hash chain to expose, so that test databases can still be flushed.
"""

from django.db import migrations

from yingji.audit import triggers


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(triggers.install, triggers.remove)]
