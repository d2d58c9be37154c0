"""Indexing and finding text, with the same answers on SQLite and PostgreSQL.

A subject matches a query Q when
- Q (three characters or more) occurs in its text, or
- every word of Q (rjieba, function words dropped) is among its words, which are indexed
  in search-engine mode so that sub-words count (工资 is found in 月工资);
and, for a query with no word in it at all (only function words), when Q occurs in its
text (a plain LIKE). A one- or two-character query thus matches whole words only: the
trigram index needs three characters, and scanning every text for one character would
not scale.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models.expressions import RawSQL

from yingji.search import text as chinese
from yingji.search.models import SearchEntry

TRIGRAM_MIN = 3


def index(subject: models.Model, content: str) -> None:
    """(Re)index a subject's text; call inside the service's transaction."""
    subject_type = ContentType.objects.get_for_model(subject)
    words = " ".join(chinese.index_tokens(content))
    entry, _created = SearchEntry.objects.update_or_create(
        subject_type=subject_type,
        subject_id=subject.pk,
        defaults={"words": words, "text": content},
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_words WHERE rowid = %s", [entry.pk])
            cursor.execute("DELETE FROM search_trigrams WHERE rowid = %s", [entry.pk])
            cursor.execute(
                "INSERT INTO search_words (rowid, words) VALUES (%s, %s)", [entry.pk, words]
            )
            cursor.execute(
                "INSERT INTO search_trigrams (rowid, text) VALUES (%s, %s)", [entry.pk, content]
            )


def _fts_phrase(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matching_ids(model: type[models.Model], query: str) -> models.QuerySet[SearchEntry, Any]:
    """The ids of ``model`` rows matching ``query``, as a subquery (one SQL statement)."""
    query = " ".join(query.split())
    entries = SearchEntry.objects.filter(subject_type=ContentType.objects.get_for_model(model))
    if not query:
        return entries.none().values("subject_id")
    words = chinese.tokens(query)
    sqlite = connection.vendor == "sqlite"
    conditions = []
    if len(query) >= TRIGRAM_MIN:
        if sqlite:
            conditions.append(
                models.Q(
                    id__in=RawSQL(
                        "SELECT rowid FROM search_trigrams WHERE search_trigrams MATCH %s",
                        [_fts_phrase(query)],
                    )
                )
            )
        else:
            # ILIKE, not UPPER(...) LIKE, so that the trigram index is used.
            conditions.append(
                models.Q(
                    id__in=RawSQL(
                        "SELECT id FROM search_searchentry WHERE text ILIKE %s", [_like(query)]
                    )
                )
            )
    if words:
        if sqlite:
            expression = " AND ".join(_fts_phrase(w) for w in words)
            conditions.append(
                models.Q(
                    id__in=RawSQL(
                        "SELECT rowid FROM search_words WHERE search_words MATCH %s", [expression]
                    )
                )
            )
        else:
            conditions.append(
                models.Q(
                    id__in=RawSQL(
                        "SELECT id FROM search_searchentry WHERE "
                        "to_tsvector('simple', words) @@ plainto_tsquery('simple', %s)",
                        [" ".join(words)],
                    )
                )
            )
    if not conditions:
        conditions.append(models.Q(text__icontains=query))
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return entries.filter(combined).values("subject_id")
