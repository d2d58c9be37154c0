"""Reading deadlines: a subject's deadlines, the subjects with a missed or open one, and
the streams of subjects in the order of their deadlines that lists page through. Other
apps ask here (or through ``clock.services``, which passes these on), never the table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Cast

from yingji.clock.models import Deadline, DeadlineEvent, DeadlineQuerySet

State = Deadline.State
OPEN_STATES = (State.RUNNING, State.PAUSED, State.MISSED)


def _of(subject: models.Model) -> DeadlineQuerySet:
    return Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk)
    )


def deadlines_for(subject: models.Model) -> list[Deadline]:
    """Every deadline a subject has had, oldest first."""
    return list(_of(subject).order_by("started_at", "pk"))


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


def open_deadlines(subject: models.Model, kind: str) -> list[Deadline]:
    return list(_of(subject).filter(kind=kind, state__in=OPEN_STATES))


def latest_deadline(subject: models.Model, kind: str) -> Deadline | None:
    """The subject's deadline of ``kind`` that ended last, whatever its state."""
    return _of(subject).filter(kind=kind).order_by("-due_at").first()


def with_missed_deadline(subjects: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """The subjects that have a missed deadline: one indexed EXISTS per row."""
    missed = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(subjects.model),
        subject_id=Cast(OuterRef("pk"), output_field=models.CharField()),
        state=Deadline.State.MISSED,
    )
    return subjects.filter(Exists(missed))


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


def missed_subjects(model: type[models.Model]) -> Callable[[int], tuple[list[Any], bool]]:
    """The ids of ``model`` rows with a missed deadline, the longest overdue first.

    A stream for ``paging.from_stream``: each call walks on along the
    ``(state, due_at)`` index, so a page of the overdue costs a few chunks however many
    deadlines there are. An id appears once per missed deadline.
    """
    missed = Deadline.objects.filter(
        subject_type=ContentType.objects.get_for_model(model), state=State.MISSED
    ).order_by("due_at", "pk")
    to_id = model._meta.pk.to_python
    after: tuple[datetime, int] | None = None
    ended = False

    def take(size: int) -> tuple[list[Any], bool]:
        nonlocal after, ended
        if ended:
            return [], True
        chunk = missed
        if after is not None:
            chunk = chunk.filter(due_at__gte=after[0]).exclude(due_at=after[0], pk__lte=after[1])
        rows = list(chunk.values_list("subject_id", "due_at", "pk")[:size])
        if rows:
            after = (rows[-1][1], rows[-1][2])
        ended = len(rows) < size
        return [to_id(subject_id) for subject_id, _due, _pk in rows], ended

    return take
