"""Order search entries newest first, so that a search stops at a page.

Adds ``sort_key`` (unique). On SQLite the FTS5 rowids become the sort key; on
PostgreSQL the words get a stored tsvector (a per-row check during the ordered walk
then costs a lookup, not a parse) with its GIN index in place of the expression index.
Existing entries get a key from their id alone; the apps that own them set the real
time in their own migrations (petitions 0009).
"""

from django.db import migrations, models

from yingji.search.fts import POSTGRES_TSVECTOR, POSTGRES_TSVECTOR_DOWN, rebuild_sqlite


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("UPDATE search_searchentry SET sort_key = id WHERE sort_key IS NULL")
    if connection.vendor == "sqlite":
        rebuild_sqlite(connection)
    elif connection.vendor == "postgresql":
        for sql in POSTGRES_TSVECTOR:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for sql in POSTGRES_TSVECTOR_DOWN:
            schema_editor.execute(sql)
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_words")
            cursor.execute("DELETE FROM search_trigrams")
            cursor.execute("INSERT INTO search_words (rowid, words) SELECT id, words FROM search_searchentry")
            cursor.execute("INSERT INTO search_trigrams (rowid, text) SELECT id, text FROM search_searchentry")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_text_indexes")]
    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="sort_key",
            field=models.BigIntegerField(null=True, unique=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
