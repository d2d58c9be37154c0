"""Indexing and finding text, with the same answers on SQLite and PostgreSQL.

A subject matches a query Q when
- Q (three characters or more) occurs in its text, or
- every word of Q is among its words, which are indexed in search-engine mode so that
  sub-words count (工资 is found in 月工资); Q is segmented the same way, and a word of
  Q that its sub-words cover stands for them (拖欠工资 for 拖欠 and 工资, wherever they
  are), so that Q typed without spaces finds what it finds with them (text.query_tokens);
and, for a query with no word in it at all (only function words), when Q occurs in its
text (a plain LIKE). A one- or two-character query thus matches whole words only: the
trigram index needs three characters, and scanning every text for one character would
not scale.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

from yingji.fields import CONTROL
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


def words_of(
    model: type[models.Model], ids: list[int] | RawSQL | models.QuerySet[Any, Any]
) -> dict[int, tuple[int | None, list[str]]]:
    """The sort keys and indexed words of these ``model`` rows, by id (rows never
    indexed are absent); ``time_key`` gives the sort key's bounds for a time.

    ``ids`` may be a subquery of ids (raw, or a query set of one column), read in the
    same statement.
    """
    subject_type = ContentType.objects.get_for_model(model)
    rows = SearchEntry.objects.filter(subject_type=subject_type, subject_id__in=ids)
    return {
        subject: (key, words.split())
        for subject, key, words in rows.values_list("subject_id", "sort_key", "words")
    }


def holding(model: type[models.Model], ids: models.QuerySet[Any, Any], word: str) -> int:
    """How many of these ``model`` rows (a query set of one column of ids) hold ``word``
    among their indexed words."""
    subject_type = ContentType.objects.get_for_model(model)
    token = (
        models.Q(words=word)
        | models.Q(words__startswith=f"{word} ")
        | models.Q(words__endswith=f" {word}")
        | models.Q(words__contains=f" {word} ")
    )
    rows = SearchEntry.objects.filter(subject_type=subject_type, subject_id__in=ids)
    return rows.filter(token).count()


def time_key(at: datetime) -> int:
    """The lowest sort key of a subject indexed at ``at`` (to the second)."""
    return fts.sort_key(at, 0)


def with_any_word(
    model: type[models.Model],
    words: list[str],
    *,
    between: tuple[datetime, datetime] | None = None,
) -> models.QuerySet[SearchEntry, Any]:
    """The ids of ``model`` rows whose indexed words include any of ``words`` (each a
    word as the index holds it), as a subquery; through the word indexes, not the text.

    With ``between``, only rows indexed with a time in that range (to the second),
    which the word indexes skip to by the sort key.
    """
    entries = SearchEntry.objects.filter(subject_type=ContentType.objects.get_for_model(model))
    if not words:
        return entries.none().values("subject_id")
    keys: list[int] = []
    if between is not None:
        keys = [time_key(between[0]), time_key(between[1] + timedelta(seconds=1))]
    if connection.vendor == "sqlite":
        # FTS5 skips to the range by rowid, which is the sort key.
        within = " AND rowid >= %s AND rowid < %s" if keys else ""
        found = RawSQL(  # noqa: S611
            f"SELECT rowid FROM search_words WHERE search_words MATCH %s{within}",  # noqa: S608
            [" OR ".join(_fts_phrase(word) for word in words), *keys],
        )
        return entries.filter(sort_key__in=found).values("subject_id")
    # Each word its own tsquery, ORed: no word is parsed as tsquery syntax. The range is
    # checked per row (sort_key + 0): offered the sort-key index, the planner would walk
    # the whole range instead of the few rows the words and the caller's filters leave.
    where = "words_tsv @@ (" + " || ".join(["plainto_tsquery('simple', %s)"] * len(words)) + ")"
    if keys:
        where += " AND sort_key + 0 >= %s AND sort_key + 0 < %s"
    return entries.extra(where=[where], params=[*words, *keys]).values("subject_id")  # noqa: S610


def _fts_phrase(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def plain_query(query: str) -> str:
    """The query's words, single-spaced. A control character counts as a space: a NUL
    ends the statement's string in SQLite and PostgreSQL refuses it, so a search for it
    would answer 500 instead of finding nothing."""
    return " ".join(CONTROL.sub(" ", query).split())


def every_term(query: str, *lookups: str) -> models.Q:
    """Each whitespace-separated term of ``query`` matched by one of ``lookups``
    (``name__icontains``, ``code__startswith``): the short lists searched by substring
    (units, people, accounts) then find 白石镇 张三 as the text search finds 拖欠 工资,
    each term wherever it is, not the whole query as one substring."""
    condition = models.Q()
    for term in plain_query(query).split():
        either = models.Q()
        for lookup in lookups:
            either |= models.Q(**{lookup: term})
        condition &= either
    return condition


def matching_ids(model: type[models.Model], query: str) -> models.QuerySet[SearchEntry, Any]:
    """The ids of ``model`` rows matching ``query``, as a subquery (one SQL statement).

    For a whole set (exports, a filter under another order); a page of finds newest
    first comes from ``newest_first``, which stops early.
    """
    query = plain_query(query)
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
    """The phrase for the trigram index (None when too short) and the words to match,
    segmented as the index segments a text."""
    return (query if len(query) >= TRIGRAM_MIN else None), chinese.query_tokens(query)


def _fts_words(words: list[str]) -> str:
    return " AND ".join(_fts_phrase(w) for w in words)


def _postgres_where(trigrams: str | None, words: list[str]) -> tuple[str, list[str]]:
    """PostgreSQL: the condition on search_searchentry, both indexes ORed.

    The words come first: each row the indexes find is checked again, and matching a
    stored tsvector costs far less than ILIKE over the whole text, which then runs only
    for the rows the words miss.
    """
    parts, params = [], []
    if words:
        parts.append("words_tsv @@ plainto_tsquery('simple', %s)")
        params.append(" ".join(words))
    if trigrams is not None:
        # ILIKE, not UPPER(...) LIKE, so that the trigram index is used.
        parts.append("text ILIKE %s")
        params.append(_like(trigrams))
    return " OR ".join(f"({part})" for part in parts), params


TOP = 2**63 - 1  # above every sort key
WALK_PER_FIND = 25  # entries walked per find wanted before the walk gives up

Take = Callable[[int], tuple[list[Any], bool]]
"""Up to n more candidate ids in the stream's order, and whether the stream has ended."""

Fetch = Callable[[int, int], tuple[list[int], list[int], bool]]


def newest_first(model: type[models.Model], query: str, *, until: datetime | None = None) -> Take:
    """The ids of ``model`` rows matching ``query``, newest first, as a stream.

    The same finds as ``matching_ids``, but walked down the sort key, so that a caller
    who needs one page stops after a few chunks whatever the number of finds. With
    ``until``, the stream starts at the rows indexed at that time (to the second) or
    before: a caller who knows nothing newer can pass skips the walk down to it.
    """
    query = plain_query(query)
    subject_type = ContentType.objects.get_for_model(model)
    trigrams, words = _conditions(query)
    fetch: Fetch
    if connection.vendor == "sqlite" and (trigrams is not None or words):
        fetch = _fts_chunks(SearchEntry.objects.filter(subject_type=subject_type), trigrams, words)
    elif connection.vendor == "sqlite":
        fetch = _ordered_chunks(subject_type.pk, "text LIKE %s ESCAPE '\\'", [_like(query)])
    else:
        where, params = _postgres_where(trigrams, words)
        fetch = _ordered_chunks(
            subject_type.pk, where or "text ILIKE %s", params if where else [_like(query)]
        )
    below = TOP if until is None else fts.sort_key(until + timedelta(seconds=1), 0)
    ended = not query

    def take(size: int) -> tuple[list[Any], bool]:
        nonlocal below, ended
        if ended:
            return [], True
        keys, ids, ended = fetch(below, size)
        if keys:
            below = keys[-1]
        return ids, ended

    return take


def _ordered_chunks(type_id: int, where: str, params: list[str]) -> Fetch:
    """Down the sort-key index, each entry checked on the way, while finds are dense.

    Walking pays while at least one entry in ``WALK_PER_FIND`` matches, so a chunk walks
    at most that many entries per find wanted (the inner LIMIT bounds the walk: no
    database pushes a condition into a limited subquery). When the window holds too
    few finds, the rest are collected from the text indexes and sorted, which costs
    little because there are few of them. ``where`` is made of this module's constant
    fragments; the query travels only in ``params``.
    """
    walk = (
        "SELECT sort_key, subject_id FROM (SELECT * FROM search_searchentry "  # noqa: S608
        "WHERE sort_key < %s ORDER BY sort_key DESC LIMIT %s) AS recent "
        f"WHERE subject_type_id = %s AND ({where}) ORDER BY sort_key DESC LIMIT %s"
    )
    floor = (
        "SELECT MIN(sort_key) FROM (SELECT sort_key FROM search_searchentry "
        "WHERE sort_key < %s ORDER BY sort_key DESC LIMIT %s) AS recent"
    )
    # sort_key + 0: an order the index cannot give, so the text indexes are used.
    rest = (
        "SELECT sort_key, subject_id FROM search_searchentry "  # noqa: S608
        f"WHERE subject_type_id = %s AND sort_key < %s AND ({where}) "
        "ORDER BY sort_key + 0 DESC LIMIT %s"
    )

    sparse = False  # once a window held too few finds, the rest come sorted

    def fetch(below: int, size: int) -> tuple[list[int], list[int], bool]:
        nonlocal sparse
        window = size * WALK_PER_FIND
        with connection.cursor() as cursor:
            rows: list[tuple[int, int]] = []
            lowest: int | None = below
            if not sparse:
                cursor.execute(walk, [below, window, type_id, *params, size])
                rows = cursor.fetchall()
                if len(rows) < size:
                    sparse = True
                    cursor.execute(floor, [below, window])
                    lowest = cursor.fetchone()[0]
            if len(rows) < size and lowest is not None:
                cursor.execute(rest, [type_id, lowest, *params, size - len(rows)])
                rows += cursor.fetchall()
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
