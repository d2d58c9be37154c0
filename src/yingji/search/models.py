from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models


class SearchEntry(models.Model):
    """The searchable text of one subject: its words (rjieba) and its raw text.

    ``sort_key`` orders the entries newest first: the subject's time in seconds, shifted
    left 30 bits, plus the entry's id modulo 2**30 (unique while ids stay below about a
    billion; the unique index guards it). Search walks it downwards and stops at a page.
    SQLite keeps two FTS5 tables beside it whose rowid is the sort key (words, trigrams);
    PostgreSQL a stored tsvector of the words with a GIN index and a pg_trgm GIN index
    on the text (see migrations).
    """

    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.BigIntegerField()
    words = models.TextField()
    text = models.TextField()
    sort_key = models.BigIntegerField(null=True, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="search_entry_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_type_id}:{self.subject_id}"
