"""Pages that stop early: no total count, and a next page when one more row exists.

Counting every match of a filter over a million rows costs as much as reading them, so
lists show "page N" with previous and next instead of "page N of M". Two ways to fill a
page: a queryset already in the list's order (``from_queryset``), or a stream of
candidate ids in the order wanted, checked chunk by chunk against a queryset that holds
every other filter and the access scope (``from_stream``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models

from yingji import fields

PAGE_SIZE = 50
MAX_PAGE = 10_000
IN_BATCH = 5_000  # ids per IN (...) list, under every database's parameter limit
FIRST_CHUNK = 100
MOST_CHUNK = 20_000

Take = Callable[[int], tuple[list[Any], bool]]
"""A stream: up to n more candidate ids in order, and whether it has ended."""


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    size: int
    has_next: bool

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_number(raw: str | None) -> int:
    """The page asked for in a query string; anything odd is the first page."""
    number = fields.whole_number(raw)
    return min(max(number, 1), MAX_PAGE) if number is not None else 1


def from_queryset(
    queryset: models.QuerySet[Any], offset: int, limit: int
) -> tuple[list[Any], bool]:
    rows = list(queryset[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit


def ids_from_stream(
    queryset: models.QuerySet[Any], take: Take, wanted: int
) -> tuple[list[Any], bool]:
    """The first ``wanted`` ids of ``queryset`` among the streamed ids, in the stream's
    order, and whether the stream ended before they were found.

    ``take(n)`` gives up to n more candidate ids and whether the stream has ended. Each
    chunk costs one query for the ids that pass; the next chunk is sized from the share
    that passed so far. Reading stops once ``wanted`` ids are found. An id streamed twice
    counts once.
    """
    passed: list[Any] = []
    seen: set[Any] = set()
    ids = queryset.order_by().values_list("pk", flat=True)
    size, streamed = max(2 * wanted, FIRST_CHUNK), 0
    while True:
        chunk, ended = take(size)
        streamed += len(chunk)
        fresh = [i for i in dict.fromkeys(chunk) if i not in seen]
        seen.update(fresh)
        kept: set[Any] = set()
        for start in range(0, len(fresh), IN_BATCH):
            kept.update(ids.filter(pk__in=fresh[start : start + IN_BATCH]))
        passed.extend(i for i in fresh if i in kept)
        if len(passed) >= wanted:
            return passed[:wanted], False
        if ended:
            return passed, True
        share = max(len(passed), 1) / max(streamed, 1)
        size = min(max(int((wanted - len(passed)) / share * 1.5), FIRST_CHUNK), MOST_CHUNK)


def rows_of(queryset: models.QuerySet[Any], ids: list[Any]) -> list[Any]:
    """The rows of ``queryset`` with these ids, in their order, in one query."""
    rows = queryset.order_by().in_bulk(ids)
    return [rows[i] for i in ids if i in rows]


def from_stream(
    queryset: models.QuerySet[Any], take: Take, offset: int, limit: int
) -> tuple[list[Any], bool]:
    """The rows of ``queryset`` among the streamed ids, in the stream's order
    (``ids_from_stream``): only the page's own rows are loaded."""
    passed, _ended = ids_from_stream(queryset, take, offset + limit + 1)
    return rows_of(queryset, passed[offset : offset + limit]), len(passed) > offset + limit


def as_page(items_and_more: tuple[list[Any], bool], number: int, size: int) -> Page:
    items, more = items_and_more
    return Page(items=items, number=number, size=size, has_next=more)
