"""Full-text indexes beside search_searchentry, one design per database.

SQLite: FTS5 tables keyed by the entry's id, one over the space-separated rjieba words
(unicode61), one over the raw text (trigram, for substrings of three characters or more).
PostgreSQL: pg_trgm (trusted since 13, so the database owner may create it), a GIN
index on to_tsvector('simple', words) and a GIN trigram index on the text.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_words USING fts5(words, tokenize='unicode61')",
    "CREATE VIRTUAL TABLE search_trigrams USING fts5(text, tokenize='trigram')",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS search_words", "DROP TABLE IF EXISTS search_trigrams"]
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX search_entry_words ON search_searchentry "
    "USING gin (to_tsvector('simple', words))",
    "CREATE INDEX search_entry_trigrams ON search_searchentry USING gin (text gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_entry_words",
    "DROP INDEX IF EXISTS search_entry_trigrams",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(
        schema_editor.connection.vendor, []
    )
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
