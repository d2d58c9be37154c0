"""The petition list's filters, shared by the page, the API and the ledger export.

``narrowed`` applies every filter to a queryset: the whole set, for the export.
``page`` returns one page in the list's order and stops early:
- a search lists its finds newest first, walking the search index down from the newest
  case the other filters let through;
- "overdue only" lists the longest overdue first, walking the deadline index;
- anything else lists newest first down the ``(received_at, id)`` index.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.db import connection, models

from yingji import fields, paging
from yingji.clock import services as clock
from yingji.petitions import services
from yingji.petitions.models import Petition
from yingji.search import services as search


@dataclass(frozen=True)
class Filters:
    stage: str = ""
    channel: str = ""
    category_id: int | None = None
    category_code: str = ""
    collective: bool | None = None
    overdue: bool = False
    unit: int | None = None
    place: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""

    @property
    def order(self) -> str:
        """How the page is ordered: "newest" or "most_overdue"."""
        return "most_overdue" if self.overdue and not self.query else "newest"

    @property
    def narrows(self) -> bool:
        """Whether a filter other than the search and the overdue one is set."""
        return replace(self, q="", overdue=False) != Filters()

    @property
    def query(self) -> str:
        return " ".join(self.q.split())[:100]


def _plain(petitions: models.QuerySet[Petition], f: Filters) -> models.QuerySet[Petition]:
    """Every filter but the search and the overdue one."""
    if any(pk is not None and not 0 < pk <= fields.MAX_ID for pk in (f.category_id, f.unit)):
        # An id no row can have matches nothing; passed on, it overflows the database's
        # integer (an expression such as category_id + 0 escapes Django's range check).
        return petitions.none()
    if f.stage:
        petitions = petitions.filter(stage=f.stage)
    if f.channel:
        petitions = petitions.filter(channel=f.channel)
    if f.category_id is not None:
        if f.collective and connection.vendor == "sqlite":
            # Collective cases are a few in a hundred, so the walk down their partial
            # index is the short one; SQLite, without statistics of the values, would
            # take the category's index and skip most of it. "+ 0" keeps it out.
            petitions = petitions.alias(category_plain=models.F("category_id") + 0).filter(
                category_plain=f.category_id
            )
        else:
            petitions = petitions.filter(category_id=f.category_id)
    if f.category_code:
        petitions = petitions.filter(category__code=f.category_code)
    if f.collective is not None:
        petitions = petitions.filter(is_collective=f.collective)
    if f.unit is not None:
        petitions = petitions.filter(unit_id=f.unit)
    if f.place:
        petitions = petitions.filter(region_code__startswith=f.place)
    if f.since:
        petitions = petitions.filter(received_at__date__gte=f.since)
    if f.until:
        petitions = petitions.filter(received_at__date__lte=f.until)
    return petitions


def narrowed(petitions: models.QuerySet[Petition], f: Filters) -> models.QuerySet[Petition]:
    """Every filter, as one queryset (the whole set, newest first)."""
    petitions = _plain(petitions, f)
    if f.overdue:
        petitions = services.with_overdue(petitions)
    if f.query:
        petitions = services.search_petitions(petitions, f.query)
    return petitions.order_by("-received_at", "-pk")


def page(
    petitions: models.QuerySet[Petition], f: Filters, *, offset: int, limit: int
) -> tuple[list[Petition], bool]:
    """One page of the filtered list and whether another follows."""
    base = _plain(petitions, f)
    if f.query:
        until = None
        if f.narrows:
            # Filters rare among the newest finds (closed cases, say, under the open
            # ones) would make the search walk every newer find first: start it at the
            # newest case the filters let through, one walk down their own index.
            newest = base.order_by("-received_at", "-pk").values_list("received_at", flat=True)
            until = newest.first()
            if until is None:
                return [], False
        if f.overdue:
            base = services.with_overdue(base)
        stream = search.newest_first(Petition, f.query, until=until)
        return paging.from_stream(base, stream, offset, limit)
    if f.overdue:
        return paging.from_stream(base, clock.missed_subjects(Petition), offset, limit)
    return paging.from_queryset(base.order_by("-received_at", "-pk"), offset, limit)
