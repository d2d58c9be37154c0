"""Database-level pieces of the text indexes that migrations share with the service.

Kept free of models so that migrations may import it: what is here must keep working
for every migration that calls it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

POSTGRES_TSVECTOR = [
    "ALTER TABLE search_searchentry ADD COLUMN IF NOT EXISTS words_tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', words)) STORED",
    "DROP INDEX IF EXISTS search_entry_words",
    "CREATE INDEX search_entry_words_tsv ON search_searchentry USING gin (words_tsv)",
]
# Both take each entry at once (fastupdate off, migration 0004).
POSTGRES_GIN_INDEXES = ("search_entry_trigrams", "search_entry_words_tsv")
POSTGRES_TSVECTOR_DOWN = [
    "DROP INDEX IF EXISTS search_entry_words_tsv",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS words_tsv",
    "CREATE INDEX IF NOT EXISTS search_entry_words ON search_searchentry "
    "USING gin (to_tsvector('simple', words))",
]


def rebuild_sqlite(connection: Any) -> None:
    """Refill both FTS5 tables from the entries, keyed by their sort keys."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_words")
        cursor.execute("DELETE FROM search_trigrams")
        cursor.execute(
            "INSERT INTO search_words (rowid, words) SELECT sort_key, words FROM search_searchentry"
        )
        cursor.execute(
            "INSERT INTO search_trigrams (rowid, text) "
            "SELECT sort_key, text FROM search_searchentry"
        )


EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
ID_BITS = 30


def sort_key(at: datetime, entry_id: int) -> int:
    """Newest first when walked downwards: whole seconds since 2000, then the entry id.

    Fits a signed 64-bit integer for times between about 1932 and 2068.
    """
    seconds = (at - EPOCH) // timedelta(seconds=1)
    return (seconds << ID_BITS) + entry_id % (1 << ID_BITS)
