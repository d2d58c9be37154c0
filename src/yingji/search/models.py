from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models


class SearchEntry(models.Model):
    """The searchable text of one subject: its words (rjieba) and its raw text.

    SQLite keeps two FTS5 tables beside it (words, trigrams); PostgreSQL a tsvector
    GIN index on the words and a pg_trgm GIN index on the text (see migrations).
    """

    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.BigIntegerField()
    words = models.TextField()
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="search_entry_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_type_id}:{self.subject_id}"
