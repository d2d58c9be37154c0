"""The petition list's filters, shared by the page, the API, the ledger export and the
workbench's panels (panels.py), so that a panel and the list it links to hold the same cases.

``narrowed`` applies every filter to a queryset: the whole set, for the export.
``page`` returns one page in the list's order and stops early:
- a search lists its finds newest first, walking the search index down from the newest
  case the other filters let through;
- "overdue only" lists the longest overdue first, walking the deadline index;
- "open cases only" lists the nearest deadline first (``by_next_deadline``): the open
  cases are the work at hand, not years of history, so they are sorted; with "handled by
  my unit" and more than ``SORT_AT_MOST`` of them, the units' cases are read from the
  deadlines in due order instead (``_mine_by_next_deadline``);
- anything else lists newest first down the ``(received_at, id)`` index.

Two filters depend on who asks, and take the user: "handled by my unit" (the units the
user acts as for petitions, org.jurisdiction) and "routed to my unit, not yet answered".
Without a user they match nothing.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Cast

from yingji import fields, paging, trees
from yingji.clock import due
from yingji.clock import queries as clock_queries
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.org import lines
from yingji.org.models import Unit
from yingji.petitions import services
from yingji.petitions.models import Assignment, Category, Petition
from yingji.search import services as search

if TYPE_CHECKING:
    from yingji.accounts.models import User


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
    mine: bool = False  # handled by a unit the user acts as
    open: bool = False  # registered, accepted or being handled
    routed: bool = False  # routed to a unit the user acts as, not yet taken on or objected to
    unrated: bool = False  # replied, and no follow-up recorded since the reply
    # The statistics' figures link here (insights): cases handled in a unit's subtree,
    # drills left out, and those with a deadline of a kind that ended a certain way
    # (clock.queries.OUTCOMES), optionally answered for by one unit.
    area: int | None = None
    drill: bool | None = None
    deadline_kind: str = ""
    deadline_outcome: str = ""
    deadline_unit: int | None = None

    @property
    def order(self) -> str:
        """How the page is ordered: "newest", "most_overdue" or "next_deadline"."""
        if self.query:
            return "newest"
        if self.overdue:
            return "most_overdue"
        return "next_deadline" if self.open else "newest"

    @property
    def narrows(self) -> bool:
        """Whether a filter other than the search and the overdue one is set."""
        return replace(self, q="", overdue=False) != Filters()

    @property
    def query(self) -> str:
        return " ".join(self.q.split())[:100]


def acting_units(user: User | None) -> models.QuerySet[Unit]:
    """The units whose cases the user handles: those they act as for petitions."""
    if user is None:
        return Unit.objects.none()
    return Unit.objects.acting_for(user, lines.PETITIONS)


def routed_to(units: models.QuerySet[Unit]) -> Q:
    """The cases routed to one of ``units`` that it has neither taken on nor objected to:
    a pending 交办/转送 within yingji, or an item transferred from a body outside it
    (``transferred_from``) still waiting for its acceptance decision or objection
    (信访工作条例 第二十三条)."""
    pending = Assignment.objects.filter(state=Assignment.State.PENDING, unit__in=units)
    from_outside = Petition.objects.filter(
        stage=Petition.Stage.REGISTERED, unit__in=units, transferred_from__gt=""
    )
    # One IN over the union of the two id sets: the database starts from the few pending
    # routings and the units' registered cases, then looks each case up by its key. An OR
    # of the two made PostgreSQL scan the whole petition table (2 s at 1M).
    ids = pending.order_by().values("petition_id").union(from_outside.order_by().values("pk"))
    return Q(pk__in=ids)


def unrated(petitions: models.QuerySet[Petition]) -> models.QuerySet[Petition]:
    """Replied cases with no follow-up (回访 or the petitioner's rating) recorded since
    the newest written reply: a case reopened and answered again is rated again. The reply
    and rating services keep ``awaiting_rating_since`` for this, so the set is read from
    its own index (``petitions_unit_awaiting``)."""
    return petitions.filter(stage=Petition.Stage.REPLIED, awaiting_rating_since__isnull=False)


# Up to this many open cases at the user's units are sorted by their next deadline; more
# are read from the deadlines in due order (``_mine_by_next_deadline``). Up to this many
# cases of theirs waiting for a follow-up are read by key; more are walked in the list's
# order (``_mine_unrated``).
SORT_AT_MOST = 1_000


def _waiting_ids(user: User | None) -> list[int] | None:
    """The ids of the user's units' cases waiting for a follow-up, when there are at most
    ``SORT_AT_MOST`` of them, read from their index (``petitions_unit_awaiting``); None
    when there are more."""
    waiting = unrated(Petition.objects.filter(unit__in=acting_units(user))).order_by()
    ids = list(waiting.values_list("pk", flat=True)[: SORT_AT_MOST + 1])
    return ids if len(ids) <= SORT_AT_MOST else None


def _mine_unrated(
    petitions: models.QuerySet[Petition], user: User | None, waiting: list[int] | None
) -> models.QuerySet[Petition]:
    """The cases of the user's units waiting for a follow-up, in a form each database
    reads in few steps whatever the units hold.

    A few waiting (``waiting``, from ``_waiting_ids``) are taken by key. More are found
    soon enough down the list's own order: "+ 0" keeps SQLite from starting at the units'
    waiting cases instead, 67,249 of a township at 1M, and sorting them all (200 ms). One
    form for both made SQLite either sort a township's waiting cases or walk the city's
    replied cases for a county bureau with none waiting (800 ms), as its statistics
    guessed. PostgreSQL keeps the plain filter: it estimates the units' share from the
    column's statistics, which "+ 0" hides (a township's list took 3.4 s with it,
    sorting every waiting case).
    """
    if waiting is not None:
        return petitions.filter(pk__in=waiting)
    units = acting_units(user)
    if connection.vendor != "sqlite":
        return petitions.filter(unit__in=units)
    return petitions.alias(unit_plain=F("unit_id") + 0).filter(unit_plain__in=units)


@dataclass(frozen=True)
class _Reads:
    """What the filters read before the list's own statements, once a request: the
    categories the category filter covers (None without one) and, for "handled by my
    unit" with "waiting for a follow-up", the few waiting cases' ids (``_waiting_ids``)."""

    categories: list[int] | None = None
    waiting: list[int] | None = None


def _reads(f: Filters, user: User | None) -> _Reads:
    waiting = _waiting_ids(user) if f.mine and f.unrated else None
    return _Reads(covered_categories(f), waiting)


# Up to this many units are walked one by one for the cases waiting longest for a
# follow-up (``longest_unrated``); a user acting for more has them read in one statement.
WALK_UNITS_AT_MOST = 20


def longest_unrated(
    petitions: models.QuerySet[Petition], user: User | None, count: int
) -> list[Petition]:
    """The first ``count`` cases of the user's units waiting for a follow-up, the longest
    waiting first (the workbench's "ratings to follow up").

    Each unit's stretch of the index of waiting cases (``petitions_unit_awaiting``:
    unit, then waiting since) is walked apart, as far as ``count``, and the walks merged.
    One statement for all the units made SQLite walk the city's waiting cases in order
    for the few of the unit (800 ms for a county bureau at 1M, 222,230 cases waiting),
    or read and sort every waiting case of the units.
    """
    order = ("awaiting_rating_since", "pk")
    waiting = unrated(petitions)
    units = list(acting_units(user).values_list("pk", flat=True)[: WALK_UNITS_AT_MOST + 1])
    if len(units) > WALK_UNITS_AT_MOST:
        held = waiting.filter(unit__in=acting_units(user)).order_by(*order)
        return list(held[:count])
    walks = [
        waiting.filter(unit_id=unit).order_by(*order).values_list(*order)[:count] for unit in units
    ]
    keys = list(heapq.merge(*(list(walk) for walk in walks)))[:count]
    return paging.rows_of(waiting, [pk for _since, pk in keys])


def with_next_deadline(petitions: models.QuerySet[Petition]) -> models.QuerySet[Petition]:
    """Each case's next deadline, read from the clock's rows, never worked out here: the
    running or missed one due first, as ``next_due``, ``next_kind`` and ``next_state``
    (None without one). A paused deadline does not count: its due time waits for it to
    resume."""
    next_ = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(Petition),
        subject_id=Cast(OuterRef("pk"), output_field=models.CharField()),
        state__in=due.NEXT_STATES,
    ).order_by("due_at", "pk")
    return petitions.annotate(
        next_due=Subquery(next_.values("due_at")[:1]),
        next_kind=Subquery(next_.values("kind")[:1]),
        next_state=Subquery(next_.values("state")[:1]),
    )


def by_next_deadline(petitions: models.QuerySet[Petition]) -> models.QuerySet[Petition]:
    """The nearest deadline first, so the overdue come first, longest overdue on top;
    cases with no deadline running come last, oldest first."""
    return with_next_deadline(petitions).order_by(
        F("next_due").asc(nulls_last=True), "received_at", "pk"
    )


def covered_categories(f: Filters) -> list[int] | None:
    """The ids of the categories the filter covers (None without a category filter): the
    one chosen, by id or by code, and every one below it, so that 劳动和社会保障 lists
    the cases of 拖欠工资 and its other children."""
    if f.category_id is None and not f.category_code:
        return None
    covered: list[int] | None = None
    if f.category_id is not None:
        covered = trees.subtree_ids(Category, f.category_id)
    if f.category_code:
        root = Category.objects.filter(code=f.category_code).values_list("pk", flat=True)
        by_code = trees.subtree_ids(Category, root[0]) if root else []
        covered = by_code if covered is None else [pk for pk in covered if pk in by_code]
    return covered


def _plain(
    petitions: models.QuerySet[Petition],
    f: Filters,
    user: User | None,
    reads: _Reads,
) -> models.QuerySet[Petition]:
    """Every filter but the search and the overdue one, with what ``_reads`` read for
    them."""
    categories = reads.categories
    ids = (f.category_id, f.unit, f.area, f.deadline_unit)
    if any(pk is not None and not 0 < pk <= fields.MAX_ID for pk in ids):
        # An id no row can have matches nothing; passed on, it overflows the database's
        # integer (an expression such as category_id + 0 escapes Django's range check).
        return petitions.none()
    if f.stage:
        petitions = petitions.filter(stage=f.stage)
    if f.channel:
        petitions = petitions.filter(channel=f.channel)
    if categories is not None:
        if f.collective and connection.vendor == "sqlite":
            # Collective cases are a few in a hundred, so the walk down their partial
            # index is the short one; SQLite, without statistics of the values, would
            # take the category's index and skip most of it. "+ 0" keeps it out.
            petitions = petitions.alias(category_plain=models.F("category_id") + 0).filter(
                category_plain__in=categories
            )
        elif len(categories) == 1:
            petitions = petitions.filter(category_id=categories[0])
        else:
            # Each category's own stretch of (category, received_at, id), read in turn.
            petitions = petitions.filter(category_id__in=categories)
    if f.collective is not None:
        petitions = petitions.filter(is_collective=f.collective)
    if f.unit is not None:
        petitions = petitions.filter(unit_id=f.unit)
    if f.area is not None:
        root = Unit.objects.filter(pk=f.area).first()
        if root is None:
            return petitions.none()
        petitions = petitions.filter(unit__in=Unit.objects.subtree(root))
    if f.drill is not None:
        petitions = petitions.filter(is_drill=f.drill)
    if f.deadline_kind and f.deadline_outcome in clock_queries.OUTCOMES:
        petitions = clock_queries.with_deadline_outcome(
            petitions, f.deadline_kind, f.deadline_outcome, f.deadline_unit
        )
    if f.place:
        petitions = petitions.filter(region_code__startswith=f.place)
    if f.since:
        petitions = petitions.filter(received_at__date__gte=f.since)
    if f.until:
        petitions = petitions.filter(received_at__date__lte=f.until)
    if f.mine and f.unrated:
        petitions = _mine_unrated(petitions, user, reads.waiting)
    elif f.mine:
        petitions = petitions.filter(unit__in=acting_units(user))
    if f.open:
        petitions = petitions.filter(stage__in=services.OPEN_STAGES)
    if f.routed:
        petitions = petitions.filter(routed_to(acting_units(user)))
    if f.unrated:
        petitions = unrated(petitions)
    return petitions


def narrowed(
    petitions: models.QuerySet[Petition], f: Filters, *, user: User | None = None
) -> models.QuerySet[Petition]:
    """Every filter, as one queryset (the whole set, newest first)."""
    petitions = _plain(petitions, f, user, _reads(f, user))
    if f.overdue:
        petitions = services.with_overdue(petitions)
    if f.query:
        petitions = services.search_petitions(petitions, f.query)
    return petitions.order_by("-received_at", "-pk")


def page(
    petitions: models.QuerySet[Petition],
    f: Filters,
    *,
    offset: int,
    limit: int,
    user: User | None = None,
) -> tuple[list[Petition], bool]:
    """One page of the filtered list and whether another follows."""
    reads = _reads(f, user)
    categories = reads.categories
    base = _plain(petitions, f, user, reads)
    if f.query:
        until = None
        if f.narrows:
            # Filters rare among the newest finds (closed cases, say, under the open
            # ones) would make the search walk every newer find first: start it at the
            # newest case the filters let through, one walk down their own index.
            newest = _newest(petitions, f, user, reads, 1)
            if not newest:
                return [], False
            until = newest[0][0]
        if f.overdue:
            base = services.with_overdue(base)
        stream = search.newest_first(Petition, f.query, until=until)
        return paging.from_stream(base, stream, offset, limit)
    if f.overdue:
        return paging.from_stream(base, clock.missed_subjects(Petition), offset, limit)
    if f.order == "next_deadline":
        if f.mine:
            return _mine_by_next_deadline(base, user, offset, limit)
        return paging.from_queryset(by_next_deadline(base), offset, limit)
    if categories is None or len(categories) < 2:
        return paging.from_queryset(base.order_by("-received_at", "-pk"), offset, limit)
    keys = _newest(petitions, f, user, reads, offset + limit + 1)
    wanted = [pk for _at, pk in keys[offset : offset + limit]]
    rows = base.order_by().in_bulk(wanted)
    return [rows[pk] for pk in wanted if pk in rows], len(keys) > offset + limit


def _mine_by_next_deadline(
    base: models.QuerySet[Petition], user: User | None, offset: int, limit: int
) -> tuple[list[Petition], bool]:
    """One page of the user's units' open cases, the nearest deadline first.

    A unit with up to ``SORT_AT_MOST`` open cases has them sorted (``by_next_deadline``):
    counting them stops there and reads their index only. A busier unit's cases are read
    from the deadlines instead: the running and missed deadlines are walked in due order
    (``clock.due_subjects``) and each chunk's cases checked against the filters, stopping
    at the page. Sorting 20,000 open cases of a county by their next deadline took
    150-400 ms at 1M; the busier the units, the fewer deadlines the walk passes over.
    Cases with no deadline running (a paused clock, say) follow, oldest first, read only
    once the walk has ended.
    """
    held = Petition.objects.filter(unit__in=acting_units(user), stage__in=services.OPEN_STAGES)
    if held.order_by()[: SORT_AT_MOST + 1].count() <= SORT_AT_MOST:
        return paging.from_queryset(by_next_deadline(base), offset, limit)
    wanted = offset + limit + 1
    ids, ended = paging.ids_from_stream(base, clock_queries.due_subjects(Petition), wanted)
    if ended:
        rest = clock_queries.without_due(base).order_by("received_at", "pk")
        ids += list(rest.values_list("pk", flat=True)[: wanted - len(ids)])
    page_ids = ids[offset : offset + limit]
    return paging.rows_of(with_next_deadline(base), page_ids), len(ids) > offset + limit


def _newest(
    petitions: models.QuerySet[Petition],
    f: Filters,
    user: User | None,
    reads: _Reads,
    count: int,
) -> list[tuple[datetime, int]]:
    """The first ``count`` filtered cases newest first, as (received_at, id).

    Under a category with others below it, each category's stretch of its own index
    ((category, received_at, id), or with a stage (category, stage, received_at, id))
    is walked apart, as far as ``count`` finds, and the walks are merged: one statement
    for all the categories would read and sort every case they hold, a hundred thousand
    at a million cases. SQLite's collective filter walks the partial index of collective
    cases instead (see ``_plain``), in one statement.
    """
    order = ("-received_at", "-pk")
    one_walk = f.collective and connection.vendor == "sqlite"
    categories = reads.categories
    if categories is None or len(categories) < 2 or one_walk:
        found = _plain(petitions, f, user, reads).order_by(*order)
        return list(found.values_list("received_at", "pk")[:count])
    walks = [
        list(
            _plain(petitions, f, user, replace(reads, categories=[pk]))
            .order_by(*order)
            .values_list("received_at", "pk")[:count]
        )
        for pk in categories
    ]
    return list(heapq.merge(*walks, reverse=True))[:count]
