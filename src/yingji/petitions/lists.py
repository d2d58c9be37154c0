"""The petition list's filters, shared by the page, the API, the ledger export and the
workbench's panels (panels.py), so that a panel and the list it links to hold the same cases.

``narrowed`` applies every filter to a queryset: the whole set, for the export.
``page`` returns one page in the list's order and stops early:
- a search lists its finds newest first, walking the search index down from the newest
  case the other filters let through;
- "overdue only" lists the longest overdue first, walking the deadline index;
- "open cases only" lists the nearest deadline first (``by_next_deadline``): the open
  cases are the work at hand, not years of history, so they are few enough to sort;
- anything else lists newest first down the ``(received_at, id)`` index.

Two filters depend on who asks, and take the user: "handled by my unit" (the units the
user acts as for petitions, org.jurisdiction) and "routed to my unit, not yet answered".
Without a user they match nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast

from yingji import fields, paging
from yingji.clock import due
from yingji.clock import services as clock
from yingji.clock.models import Deadline
from yingji.org import lines
from yingji.org.models import Unit
from yingji.petitions import services
from yingji.petitions.models import Assignment, FollowUp, Petition, Reply
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
    # pk IN (...) lets the database start from the few pending routings, not walk the cases.
    return Q(pk__in=pending.values("petition_id")) | Q(
        stage=Petition.Stage.REGISTERED, unit__in=units, transferred_from__gt=""
    )


def with_last_reply(petitions: models.QuerySet[Petition]) -> models.QuerySet[Petition]:
    """Each case's newest written reply's issue time, as ``last_reply``."""
    newest = Reply.objects.filter(petition=OuterRef("pk")).order_by("-issued_at", "-pk")
    return petitions.annotate(last_reply=Subquery(newest.values("issued_at")[:1]))


def unrated(petitions: models.QuerySet[Petition]) -> models.QuerySet[Petition]:
    """Replied cases with no follow-up (回访 or the petitioner's rating) recorded since
    the newest written reply: a case reopened and answered again is rated again."""
    since = FollowUp.objects.filter(petition=OuterRef("pk"), at__gte=OuterRef("last_reply"))
    return with_last_reply(petitions.filter(stage=Petition.Stage.REPLIED)).filter(~Exists(since))


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


def _plain(
    petitions: models.QuerySet[Petition], f: Filters, user: User | None = None
) -> models.QuerySet[Petition]:
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
    if f.mine:
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
    petitions = _plain(petitions, f, user)
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
    base = _plain(petitions, f, user)
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
    if f.order == "next_deadline":
        return paging.from_queryset(by_next_deadline(base), offset, limit)
    return paging.from_queryset(base.order_by("-received_at", "-pk"), offset, limit)
