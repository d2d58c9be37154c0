"""Reading deadlines: a subject's deadlines, the subjects with a missed or open one, and
the streams of subjects in the order of their deadlines that lists page through. Other
apps ask here (or through ``clock.services``, which passes these on), never the table.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Cast

from yingji.clock.models import Deadline, DeadlineEvent, DeadlineQuerySet

State = Deadline.State
OPEN_STATES = (State.RUNNING, State.PAUSED, State.MISSED)
# A paused deadline is not next: its due time waits for it to resume.
NEXT_STATES = (State.RUNNING, State.MISSED)


def _of(subject: models.Model) -> DeadlineQuerySet:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk)
    )


def deadlines_for(subject: models.Model) -> list[Deadline]:
    """Every deadline a subject has had, oldest first."""
    return list(_of(subject).order_by("started_at", "pk"))


def deadlines_for_each(subjects: Sequence[models.Model]) -> dict[Any, list[Deadline]]:
    """``deadlines_for`` for many subjects of one model in one query: subject pk → its
    deadlines, oldest first (subjects without one are left out)."""
    if not subjects:
        return {}
    by_id = {str(s.pk): s.pk for s in subjects}
    found: dict[Any, list[Deadline]] = {}
    rows = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subjects[0]),
        subject_id__in=list(by_id),
    ).order_by("started_at", "pk")
    for deadline in rows:
        found.setdefault(by_id[deadline.subject_id], []).append(deadline)
    return found


def open_deadline(subject: models.Model, kind: str) -> Deadline | None:
    """The subject's newest open deadline of ``kind``, if any."""
    return _of(subject).filter(kind=kind, state__in=OPEN_STATES).order_by("-started_at").first()


def open_deadline_of_each(subjects: Sequence[models.Model], kind: str) -> dict[Any, Deadline]:
    """``open_deadline`` for many subjects of one model in one query: subject pk → its
    newest open deadline of ``kind`` (subjects without one are left out)."""
    if not subjects:
        return {}
    found: dict[Any, Deadline] = {}
    by_id = {str(s.pk): s.pk for s in subjects}
    rows = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subjects[0]),
        subject_id__in=list(by_id),
        kind=kind,
        state__in=OPEN_STATES,
    ).order_by("started_at", "pk")
    for deadline in rows:
        found[by_id[deadline.subject_id]] = deadline  # the newest wins
    return found


def latest_deadline_of_each(subjects: Sequence[models.Model], kind: str) -> dict[Any, Deadline]:
    """``latest_deadline`` for many subjects of one model in one query: subject pk → its
    deadline of ``kind`` started last, whatever its state (subjects without one are left
    out)."""
    if not subjects:
        return {}
    by_id = {str(s.pk): s.pk for s in subjects}
    rows = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subjects[0]),
        subject_id__in=list(by_id),
        kind=kind,
    ).order_by("started_at", "pk")
    return {by_id[deadline.subject_id]: deadline for deadline in rows}  # the newest wins


def open_deadlines(subject: models.Model, kind: str) -> list[Deadline]:
    return list(_of(subject).filter(kind=kind, state__in=OPEN_STATES))


def latest_deadline(subject: models.Model, kind: str) -> Deadline | None:
    """The subject's deadline of ``kind`` that ended last, whatever its state."""
    return _of(subject).filter(kind=kind).order_by("-due_at").first()


def with_missed_deadline(subjects: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """The subjects (of a model with an integer key) that have a missed deadline, found
    from the missed deadlines (the ``(state, due_at)`` index) by key: a correlated
    EXISTS per subject made SQLite walk a million petitions to count 19,000 overdue
    ones."""
    model = subjects.model
    missed = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), state=Deadline.State.MISSED
    ).order_by()
    key = Cast("subject_id", output_field=models.BigIntegerField())
    return subjects.filter(pk__in=missed.values_list(key, flat=True))


def events_except(seen: models.QuerySet[Any], limit: int = 500) -> list[DeadlineEvent]:
    """Due-soon and overdue events whose ids are not in ``seen`` (a subscriber's own
    record of what it handled), oldest first, with their deadlines."""
    return list(
        DeadlineEvent.objects.exclude(pk__in=seen)
        .select_related("deadline__unit", "deadline__responsible", "deadline__subject_type")
        .order_by("pk")[:limit]
    )


def with_open_deadline_before(
    subjects: models.QuerySet[Any], kind: str, before: datetime
) -> models.QuerySet[Any]:
    """The subjects with an open deadline of ``kind`` due before ``before`` (or missed)."""
    due = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subjects.model),
        subject_id=Cast(OuterRef("pk"), output_field=models.CharField()),
        kind=kind,
        state__in=OPEN_STATES,
        due_at__lt=before,
    )
    return subjects.filter(Exists(due))


Take = Callable[[int], tuple[list[Any], bool]]
"""A stream of ids for ``paging.from_stream``: up to n more, and whether it has ended."""


def _walk(deadlines: DeadlineQuerySet, chunk: list[int]) -> Iterator[tuple[datetime, int, str]]:
    """``deadlines`` as (due_at, pk, subject_id) in due order, read ``chunk[0]`` rows at a
    time down an index that ends in ``due_at``: each read starts after the last row."""
    after: tuple[datetime, int] | None = None
    while True:
        rows = deadlines.order_by("due_at", "pk")
        if after is not None:
            rows = rows.filter(due_at__gte=after[0]).exclude(due_at=after[0], pk__lte=after[1])
        size = chunk[0]
        got = list(rows.values_list("due_at", "pk", "subject_id")[:size])
        yield from got
        if len(got) < size:
            return
        after = got[-1][0], got[-1][1]


def _stream(model: type[models.Model], walks: list[DeadlineQuerySet]) -> Take:
    """The subject ids of ``walks`` merged in due order (an id once per deadline)."""
    chunk = [0]
    merged = heapq.merge(*(_walk(w, chunk) for w in walks))
    to_id = model._meta.pk.to_python

    def take(size: int) -> tuple[list[Any], bool]:
        chunk[0] = size
        got = list(itertools.islice(merged, size))
        return [to_id(subject_id) for _due, _pk, subject_id in got], len(got) < size

    return take


def missed_subjects(model: type[models.Model]) -> Take:
    """The ids of ``model`` rows with a missed deadline, the longest overdue first.

    A stream for ``paging.from_stream``: each call walks on along the
    ``(state, due_at)`` index, so a page of the overdue costs a few chunks however many
    deadlines there are. An id appears once per missed deadline.
    """
    missed = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), state=State.MISSED
    )
    return _stream(model, [missed])


def due_subjects(model: type[models.Model]) -> Take:
    """The ids of ``model`` rows with a running or missed deadline, the nearest due first
    (so the longest overdue first): each subject comes at its next deadline, as the lists
    show it, and again at its later ones.

    A stream for ``paging.from_stream``, walking the partial index of the running and
    missed deadlines ``(due_at, id)``, so a page costs a few chunks however many
    deadlines there are.
    """
    due = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), state__in=NEXT_STATES
    )
    return _stream(model, [due])


def without_due(subjects: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """The subjects with no running or missed deadline: those ``due_subjects`` does not
    stream."""
    held = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subjects.model),
        subject_id=Cast(OuterRef("pk"), output_field=models.CharField()),
        state__in=NEXT_STATES,
    )
    return subjects.exclude(Exists(held))


# How a deadline ended, as statistics count it (insights): met in time, met late, missed
# and not met, still running (or paused). A cancelled deadline has no outcome.
OUTCOMES = ("on_time", "late", "overdue", "running")


def outcome_of(state: str, due_at: datetime, met_at: datetime | None) -> str:
    if state == Deadline.State.MET:
        return "late" if met_at is not None and met_at > due_at else "on_time"
    if state == Deadline.State.MISSED:
        return "overdue"
    if state in (Deadline.State.RUNNING, Deadline.State.PAUSED):
        return "running"
    return ""


def outcome_filter(outcome: str) -> models.Q:
    """The deadlines with ``outcome`` (one of OUTCOMES), as ``outcome_of`` decides."""
    if outcome == "on_time":
        return models.Q(state=Deadline.State.MET, met_at__lte=models.F("due_at"))
    if outcome == "late":
        return models.Q(state=Deadline.State.MET, met_at__gt=models.F("due_at"))
    if outcome == "overdue":
        return models.Q(state=Deadline.State.MISSED)
    if outcome == "running":
        return models.Q(state__in=[Deadline.State.RUNNING, Deadline.State.PAUSED])
    raise ValueError(outcome)


def with_deadline_outcome(
    subjects: models.QuerySet[Any], kind: str, outcome: str, unit: int | None = None
) -> models.QuerySet[Any]:
    """The subjects with a deadline of ``kind`` that ended as ``outcome``, optionally
    one ``unit`` answered for: the cases behind a figure of the statistics."""
    found = Deadline.objects.filter(
        outcome_filter(outcome),
        subject_type=ContentType.objects.get_for_model(subjects.model),
        kind=kind,
    ).order_by()
    if unit is not None:
        found = found.filter(unit_id=unit)
    key = Cast("subject_id", output_field=models.BigIntegerField())
    return subjects.filter(pk__in=found.values_list(key, flat=True))
