"""PostgreSQL: drop ``petitions_id_text`` (0014), which nothing reads any more.

It let PostgreSQL find a petition from a missed deadline's text subject id while
``clock.with_missed_deadline`` compared ``petition.id::varchar`` with it. That query now
goes the other way, from the missed deadlines to the petitions by their key
(``petition.id IN (SELECT subject_id::bigint ...)``), so the index only cost every insert.
"""

from django.db import migrations

INDEX = "petitions_id_text"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON petitions_petition ((id::varchar))"
        )


class Migration(migrations.Migration):
    dependencies = [("petitions", "0015_awaiting_rating")]
    operations = [migrations.RunPython(forwards, backwards)]
