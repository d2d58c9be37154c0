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

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

from yingji.search import fts
from yingji.search import text as chinese
from yingji.search.models import SearchEntry

TRIGRAM_MIN = 3


def index(subject: models.Model, content: str, *, at: datetime | None = None) -> None:
    """(Re)index a subject's text; call inside the service's transaction.

    ``at`` is the subject's time, by which search orders its finds (newest first): give
    it when the subject is first indexed; a later call without it keeps the order.
    """
    subject_type = ContentType.objects.get_for_model(subject)
    words = " ".join(chinese.index_tokens(content))
    entry = (
        SearchEntry.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=subject.pk)
        .first()
    )
    old_key = entry.sort_key if entry is not None else None
    if entry is None:
        entry = SearchEntry.objects.create(
            subject_type=subject_type, subject_id=subject.pk, words=words, text=content
        )
    if at is None and old_key is None:
        at = timezone.now()
    entry.words, entry.text = words, content
    entry.sort_key = fts.sort_key(at, entry.pk) if at is not None else old_key
    entry.save(update_fields=["words", "text", "sort_key"])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            if old_key is not None:
                cursor.execute("DELETE FROM search_words WHERE rowid = %s", [old_key])
                cursor.execute("DELETE FROM search_trigrams WHERE rowid = %s", [old_key])
            cursor.execute(
                "INSERT INTO search_words (rowid, words) VALUES (%s, %s)", [entry.sort_key, words]
            )
            cursor.execute(
                "INSERT INTO search_trigrams (rowid, text) VALUES (%s, %s)",
                [entry.sort_key, content],
            )


def _fts_phrase(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matching_ids(model: type[models.Model], query: str) -> models.QuerySet[SearchEntry, Any]:
    """The ids of ``model`` rows matching ``query``, as a subquery (one SQL statement).

    For a whole set (exports, a filter under another order); a page of finds newest
    first comes from ``newest_first``, which stops early.
    """
    query = " ".join(query.split())
    entries = SearchEntry.objects.filter(subject_type=ContentType.objects.get_for_model(model))
    if not query:
        return entries.none().values("subject_id")
    trigrams, words = _conditions(query)
    conditions = []
    if connection.vendor == "sqlite":
        if trigrams is not None:
            conditions.append(
                models.Q(
                    sort_key__in=RawSQL(
                        "SELECT rowid FROM search_trigrams WHERE search_trigrams MATCH %s",
                        [_fts_phrase(trigrams)],
                    )
                )
            )
        if words:
            conditions.append(
                models.Q(
                    sort_key__in=RawSQL(
                        "SELECT rowid FROM search_words WHERE search_words MATCH %s",
                        [_fts_words(words)],
                    )
                )
            )
    else:
        where, params = _postgres_where(trigrams, words)
        if where:
            # The SQL is this module's constants; the query travels only in params.
            return entries.extra(where=[where], params=params).values("subject_id")  # noqa: S610
    if not conditions:
        conditions.append(models.Q(text__icontains=query))
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return entries.filter(combined).values("subject_id")


def _conditions(query: str) -> tuple[str | None, list[str]]:
    """The phrase for the trigram index (None when too short) and the words to match."""
    return (query if len(query) >= TRIGRAM_MIN else None), chinese.tokens(query)


def _fts_words(words: list[str]) -> str:
    return " AND ".join(_fts_phrase(w) for w in words)


def _postgres_where(trigrams: str | None, words: list[str]) -> tuple[str, list[str]]:
    """PostgreSQL: the condition on search_searchentry, both indexes ORed."""
    parts, params = [], []
    if trigrams is not None:
        # ILIKE, not UPPER(...) LIKE, so that the trigram index is used.
        parts.append("text ILIKE %s")
        params.append(_like(trigrams))
    if words:
        parts.append("words_tsv @@ plainto_tsquery('simple', %s)")
        params.append(" ".join(words))
    return " OR ".join(f"({part})" for part in parts), params


TOP = 2**63 - 1  # above every sort key


def newest_first(
    model: type[models.Model], query: str, *, first: int = 200, most: int = 20_000
) -> Iterator[list[int]]:
    """The ids of ``model`` rows matching ``query``, newest first, in growing chunks.

    The same finds as ``matching_ids``, but walked down the sort key so that a caller
    who needs one page stops after a few chunks whatever the number of finds. Chunks
    grow fourfold from ``first`` to ``most``.
    """
    query = " ".join(query.split())
    if not query:
        return
    subject_type = ContentType.objects.get_for_model(model)
    trigrams, words = _conditions(query)
    entries = SearchEntry.objects.filter(subject_type=subject_type)
    fetch: Fetch
    if connection.vendor == "sqlite" and (trigrams is not None or words):
        fetch = _fts_chunks(entries, trigrams, words)
    else:
        if connection.vendor == "sqlite":
            entries = entries.filter(text__icontains=query)
        else:
            where, params = _postgres_where(trigrams, words)
            where, params = (where, params) if where else ("text ILIKE %s", [_like(query)])
            entries = entries.extra(where=[where], params=params)  # noqa: S610 - as above
        fetch = _ordered_chunks(entries)
    below, size = TOP, first
    while True:
        keys, ids, exhausted = fetch(below, size)
        if ids:
            yield ids
        if exhausted:
            return
        below, size = keys[-1], min(size * 4, most)


Fetch = Callable[[int, int], tuple[list[int], list[int], bool]]


def _ordered_chunks(entries: models.QuerySet[SearchEntry]) -> Fetch:
    """One query per chunk down the sort-key index, each row checked on the way."""

    def fetch(below: int, size: int) -> tuple[list[int], list[int], bool]:
        rows = [
            (int(key or 0), subject_id)
            for key, subject_id in entries.filter(sort_key__lt=below)
            .order_by("-sort_key")
            .values_list("sort_key", "subject_id")[:size]
        ]
        return [r[0] for r in rows], [r[1] for r in rows], len(rows) < size

    return fetch


def _fts_chunks(
    entries: models.QuerySet[SearchEntry], trigrams: str | None, words: list[str]
) -> Fetch:
    """SQLite: each FTS5 table walked down its rowid (the sort key), the two merged."""

    def fetch(below: int, size: int) -> tuple[list[int], list[int], bool]:
        found: set[int] = set()
        short = True
        with connection.cursor() as cursor:
            if trigrams is not None:
                cursor.execute(
                    "SELECT rowid FROM search_trigrams WHERE search_trigrams MATCH %s "
                    "AND rowid < %s ORDER BY rowid DESC LIMIT %s",
                    [_fts_phrase(trigrams), below, size],
                )
                rows = [r[0] for r in cursor.fetchall()]
                short, found = len(rows) < size, found | set(rows)
            if words:
                cursor.execute(
                    "SELECT rowid FROM search_words WHERE search_words MATCH %s "
                    "AND rowid < %s ORDER BY rowid DESC LIMIT %s",
                    [_fts_words(words), below, size],
                )
                rows = [r[0] for r in cursor.fetchall()]
                short, found = short and len(rows) < size, found | set(rows)
        keys = sorted(found, reverse=True)
        exhausted = short and len(keys) <= size
        keys = keys[:size]
        subjects: dict[int | None, int] = {}
        for start in range(0, len(keys), 1000):
            part = entries.filter(sort_key__in=keys[start : start + 1000])
            subjects.update(part.values_list("sort_key", "subject_id"))
        return keys, [subjects[k] for k in keys if k in subjects], exhausted

    return fetch
